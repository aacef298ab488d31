"""Synthesis of a few real utterances: 16 kHz mono 16-bit wav of plausible duration and level."""

import re
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from asrllm.synth import tts
from asrllm.synth.pronounce import espeak_ssml, segments
from asrllm.synth.tts import SynthError, SynthRequest, check_voices, engine_command, synthesize
from asrllm.synth.voices import all_voices

VOICES = {v.id: v for lang in ("en", "zh") for v in all_voices(lang)}
CASES = [
    ("en-us+f2", "PLEASE PUT THE RED BALL UNDER THE GREEN BOX"),
    ("en-gb-scotland+david", "SET AN ALARM FOR HALF PAST SEVEN"),
    ("flite-rms", "I SAW THREE SMALL DOGS IN THE PARK"),
    ("cmn-latn-pinyin+m3", "请把红色的杯子放在桌子左边"),
    ("cmn-latn-pinyin+f4", "明天北京有小雨吗"),
    ("cmn-latn-pinyin+m3", "小王昨天喝了一杯 COFFEE"),
]


@pytest.mark.parametrize("voice, text", CASES)
def test_synthesis_gives_16k_mono_pcm16_of_plausible_duration(tmp_path, voice, text):
    req = SynthRequest(VOICES[voice], text, speed=1.1, pitch=0.9, level_db=-4.0)
    out = tmp_path / "a.wav"
    synthesize(req, out)
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.subtype, info.format) == (16000, 1, "PCM_16", "WAV")
    n_units = len(text.split()) if voice.startswith(("en", "flite")) else len(text.replace(" ", ""))
    # 0.1-0.5 s per English word / Mandarin syllable, all included
    assert 0.1 * n_units < info.duration < 0.5 * n_units + 1.0, info.duration
    audio, _ = sf.read(out)
    assert 20 * np.log10(np.abs(audio).max()) == pytest.approx(-4.0, abs=0.2)
    assert np.sqrt(np.mean(audio ** 2)) > 0.01  # speech, not silence
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]  # no temporary files left behind


def test_synthesis_is_deterministic_and_parameters_matter(tmp_path):
    voice = VOICES["en-us+m2"]
    base = SynthRequest(voice, "WHERE IS THE BLUE CUP", speed=1.0, pitch=1.0, level_db=-3.0)
    synthesize(base, tmp_path / "a.wav")
    synthesize(base, tmp_path / "b.wav")
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    synthesize(SynthRequest(voice, base.text, speed=0.8, pitch=1.0, level_db=-3.0), tmp_path / "slow.wav")
    assert sf.info(tmp_path / "slow.wav").duration > 1.1 * sf.info(tmp_path / "a.wav").duration


def test_code_switched_sentence_is_one_espeak_call_with_two_voices(tmp_path):
    voice = VOICES["cmn-latn-pinyin+f2"]
    parts = segments("小王喝了一杯 COFFEE 吗", "zh")
    assert parts == [("zh", "xiao3 wang2 he1 le5 yi1 bei1"), ("en", "coffee"), ("zh", "ma5")]
    cmd = engine_command(SynthRequest(voice, "小王喝了一杯 COFFEE 吗", 1.0, 1.0, -3.0), tmp_path / "x.wav")
    assert "-m" in cmd and cmd[-1] == espeak_ssml(parts, {"zh": "cmn-latn-pinyin+f2", "en": "en-us+f2"})
    assert '<voice name="en-us+f2">coffee</voice>' in cmd[-1]


def test_every_inventory_voice_is_installed_and_unknown_ones_are_refused():
    check_voices(VOICES.values())
    for bad in (replace(VOICES["flite-rms"], name="no_such_voice"), replace(VOICES["en-us+f2"], variant="zz9"),
                replace(VOICES["cmn-latn-pinyin+m1"], name="cmn-nowhere")):
        with pytest.raises(SynthError, match=f"voice {re.escape(bad.id)}: .* has no"):
            check_voices([bad])


def test_failures_name_voice_and_text_and_leave_nothing(tmp_path, monkeypatch):
    bad = SynthRequest(VOICES["cmn-latn-pinyin+m1"], "小王X2", 1.0, 1.0, -3.0)
    with pytest.raises(ValueError, match="not Chinese characters"):
        synthesize(bad, tmp_path / "a.wav")
    # an engine that writes half a file and fails
    half_and_fail = "echo x > \"$0\"; echo broken >&2; exit 3"
    monkeypatch.setattr(tts, "engine_command", lambda req, raw: ["sh", "-c", half_and_fail, str(raw)])
    with pytest.raises(SynthError, match=r"'sh' failed \(exit 3\) for voice en-us\+f2, text 'HELLO': broken"):
        synthesize(SynthRequest(VOICES["en-us+f2"], "HELLO", 1.0, 1.0, -3.0), tmp_path / "b.wav")
    assert not any(tmp_path.iterdir())
