"""Non-speech synthesis, noise + silence padding, online speed, SpecAugment, per-utterance seeding."""

import numpy as np
import pytest
import soundfile as sf
import torch

from asrllm.augment import nonspeech
from asrllm.augment.noise import NoiseSource, mix_at_snr
from asrllm.augment.seeding import utt_rng
from asrllm.augment.specaug import SpecAugment
from asrllm.augment.speed import change_speed
from asrllm.augment.waveform import WaveformAugment
from asrllm.data.config import SpecAugConfig, data_config_from_dict

SR = 16000


def _slope_db_per_octave(x: np.ndarray) -> float:
    """Fitted slope of the power spectrum between 100 Hz and 4 kHz."""
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(len(x), 1 / SR)
    band = (f > 100) & (f < 4000)
    return float(np.polyfit(np.log2(f[band]), 10 * np.log10(spec[band]), 1)[0])


def test_nonspeech_kinds_have_their_level_and_spectrum():
    rng = np.random.default_rng(0)
    n = 4 * SR
    for kind in nonspeech.NOISE_KINDS:
        x = nonspeech.synthesize(kind, n, SR, rng, level_db=-26.0)
        assert x.dtype == np.float32 and len(x) == n
        assert abs(10 * np.log10(np.mean(np.square(x.astype(np.float64)))) + 26.0) < 0.01, kind
    assert not nonspeech.synthesize("silence", n, SR, rng).any()
    assert set(nonspeech.KINDS) == {*nonspeech.NOISE_KINDS, "silence"}  # the data config's list: each one made
    slopes = {k: _slope_db_per_octave(nonspeech.synthesize(k, n, SR, np.random.default_rng(1)))
              for k in ("white", "pink", "brown")}
    assert abs(slopes["white"]) < 1 and abs(slopes["pink"] + 3) < 1 and abs(slopes["brown"] + 6) < 1
    tone = nonspeech.tone(n, SR, np.random.default_rng(5))
    peak = np.fft.rfftfreq(n, 1 / SR)[np.argmax(np.abs(np.fft.rfft(tone)))]
    assert 100 <= peak <= 3000
    with pytest.raises(ValueError, match="unknown non-speech kind"):
        nonspeech.synthesize("jazz", 10, SR, rng)
    a = nonspeech.random_nonspeech(1000, SR, np.random.default_rng(3))
    b = nonspeech.random_nonspeech(1000, SR, np.random.default_rng(3))
    assert a[0] == b[0] and np.array_equal(a[1], b[1])


def test_mix_at_snr_hits_the_snr():
    rng = np.random.default_rng(0)
    speech, noise = rng.standard_normal(SR).astype(np.float32), rng.standard_normal(SR).astype(np.float32) * 5
    mixed = mix_at_snr(speech, noise, 7.0)
    added = mixed - speech
    power = lambda x: np.mean(x.astype(np.float64) ** 2)  # noqa: E731
    assert abs(10 * np.log10(power(speech) / power(added)) - 7) < 0.01
    silent = np.zeros(100, np.float32)
    assert np.array_equal(mix_at_snr(silent, noise[:100], 0.0), silent)


def test_waveform_augment_pads_then_adds_noise_on_the_configured_share():
    cfg = data_config_from_dict({"noise": {"prob": 0.3}})
    aug = WaveformAugment(cfg)
    x = (0.1 * np.sin(2 * np.pi * 300 * np.arange(SR) / SR)).astype(np.float32)
    grown, pads = 0, []
    for i in range(300):
        y = aug(x, utt_rng(1, 0, f"u{i}"))
        if len(y) != len(x) or not np.array_equal(y, x):
            grown += 1
            pads.append((len(y) - len(x)) / SR)
    assert 60 <= grown <= 120  # about 30% of 300
    assert all(0 <= p <= 2.0 for p in pads) and 0.3 < np.mean(pads) < 0.7  # two Beta(1,3) s pads: mean 0.5 s
    same = [aug(x, utt_rng(1, 0, "u7")) for _ in range(2)]
    assert np.array_equal(same[0], same[1])


def test_noise_from_a_noise_dir_loops_short_recordings(tmp_path):
    short = (np.random.default_rng(0).integers(-8000, 8000, 800) / 32768).astype(np.float32)
    sf.write(tmp_path / "short.wav", short, SR, subtype="PCM_16")
    (tmp_path / "wav.scp").write_text(f"n1 {tmp_path}/short.wav\n")
    y = NoiseSource(SR, str(tmp_path)).sample(5 * SR, np.random.default_rng(0))
    off = int(np.flatnonzero(short == y[0])[0])
    assert len(y) == 5 * SR and np.array_equal(y, short[(np.arange(5 * SR) + off) % 800])
    sf.write(tmp_path / "long8k.wav", np.zeros(8000 * 10, np.float32), 8000, subtype="PCM_16")
    (tmp_path / "wav.scp").write_text(f"n2 {tmp_path}/long8k.wav\n")
    assert len(NoiseSource(SR, str(tmp_path)).sample(3 * SR, np.random.default_rng(0))) == 3 * SR


def test_online_speed_changes_length():
    x = np.random.default_rng(0).standard_normal(SR).astype(np.float32)
    assert abs(len(change_speed(x, 1.1, SR)) - SR / 1.1) <= 1 and len(change_speed(x, 0.9, SR)) == round(SR / 0.9)
    assert change_speed(x, 1.0, SR) is x


def test_specaugment_is_seeded_and_masks():
    aug = SpecAugment(SpecAugConfig())
    x = torch.randn(300, 80) + 5
    a, b, c = aug(x, 11), aug(x, 11), aug(x, 12)
    assert torch.equal(a, b) and not torch.equal(a, c) and a.shape == x.shape
    assert (a == 0).any() and not (x == 0).any()  # masks fill with 0, the input is untouched
    off = SpecAugment(SpecAugConfig(enabled=False))
    assert off(x, 1) is x
