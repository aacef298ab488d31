"""Synthesise one utterance with espeak-ng or flite and convert it to 16 kHz mono 16-bit wav."""

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from asrllm.errors import UserError
from asrllm.synth.pronounce import espeak_ssml, segments
from asrllm.synth.voices import ESPEAK_CODESWITCH, Voice

SAMPLE_RATE = 16000
# Bump when the synthesis commands change, so cached audio from older commands is not reused.
SYNTH_VERSION = 1
TOOLS = ("espeak-ng", "flite", "sox")


class SynthError(UserError, RuntimeError):
    """A TTS or sox command failed."""


@dataclass(frozen=True)
class SynthRequest:
    """Everything that determines the audio of one utterance."""

    voice: Voice
    text: str  # the transcript
    speed: float  # speaking-rate factor (1.0 = the voice's default)
    pitch: float  # pitch factor (1.0 = the voice's default)
    level_db: float  # peak level of the output, dBFS

    def key(self) -> str:
        """A content hash: same request, same audio (used as the cache name)."""
        blob = json.dumps([SYNTH_VERSION, SAMPLE_RATE, asdict(self)], sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]


def check_tools() -> None:
    """Fail early, naming the Debian packages, if a TTS tool is missing."""
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        raise SynthError(f"missing commands: {', '.join(missing)}; install the Debian packages "
                         f"espeak-ng, flite and sox (see tools/apt-packages.txt)")


def installed_voices() -> dict[str, set[str]]:
    """Voices the installed engines have: espeak-ng languages and variants, flite voices."""
    def lines(cmd: list[str]) -> list[str]:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()

    espeak = {ln.split()[1] for ln in lines(["espeak-ng", "--voices"])[1:] if len(ln.split()) > 1}
    variants = {ln.split()[4].removeprefix("!v/") for ln in lines(["espeak-ng", "--voices=variant"])[1:]
                if len(ln.split()) > 4}
    flite = {v for ln in lines(["flite", "-lv"]) for v in ln.split(":", 1)[-1].split()}
    return {"espeak": espeak, "variant": variants, "flite": flite}


def check_voices(voices: Iterable[Voice]) -> None:
    """Fail if a voice is not installed: both engines silently fall back to a default voice."""
    have = installed_voices()
    for v in set(voices):
        if v.engine == "espeak":
            names = [v.name] + ([ESPEAK_CODESWITCH] if v.language != "en" else [])
            bad = [n for n in names if n not in have["espeak"]]
            bad += [f"variant {v.variant}"] if v.variant and v.variant not in have["variant"] else []
        else:
            bad = [v.name] if v.name not in have.get(v.engine, set()) else []
        if bad:
            listing = "espeak-ng --voices; espeak-ng --voices=variant" if v.engine == "espeak" else "flite -lv"
            raise SynthError(f"voice {v.id}: {v.engine} has no {', '.join(bad)} on this machine "
                             f"(installed ones: {listing})")


def engine_command(req: SynthRequest, raw_wav: Path) -> list[str]:
    """The TTS command line that writes `raw_wav` (engine sample rate)."""
    v = req.voice
    if v.engine == "espeak":
        # espeak-ng: -s words per minute (default 175), -p pitch 0-99 (default 50).
        rate = round(175 * req.speed)
        pitch = max(0, min(99, round(50 * req.pitch)))
        parts = segments(req.text, v.language)
        cmd = ["espeak-ng", "-s", str(rate), "-p", str(pitch), "-w", str(raw_wav)]
        if len(parts) == 1 and parts[0][0] == v.language:
            return cmd + ["-v", v.espeak_voice, parts[0][1]]
        # Code-switched: English words in the same variant, one SSML document (no gaps).
        english = f"{ESPEAK_CODESWITCH}+{v.variant}" if v.variant else ESPEAK_CODESWITCH
        voices = {"en": english, v.language: v.espeak_voice}
        return cmd + ["-m", "-v", v.espeak_voice, espeak_ssml(parts, voices)]
    if v.engine == "flite":
        if v.language != "en":
            raise SynthError(f"flite voice {v.id} cannot read {v.language}")
        cmd = ["flite", "-voice", v.name, "--setf", f"duration_stretch={1.0 / req.speed:.3f}"]
        if v.f0 is not None:
            cmd += ["--setf", f"int_f0_target_mean={v.f0 * req.pitch:.1f}"]
        return cmd + ["-t", req.text.lower(), "-o", str(raw_wav)]
    raise SynthError(f"unknown engine {v.engine!r} of voice {v.id}")


def synthesize(req: SynthRequest, out_wav: str | os.PathLike) -> None:
    """Write `out_wav` (16 kHz mono 16-bit, peak at level_db) atomically."""
    out_wav = Path(out_wav)
    out_wav.parent.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}.{id(req)}"
    raw = out_wav.with_name(f".{out_wav.stem}.{tag}.raw.wav")
    tmp = out_wav.with_name(f".{out_wav.stem}.{tag}.tmp.wav")
    try:
        _run(engine_command(req, raw), req)
        # -D: no dither (deterministic output); gain -n: peak-normalise after resampling.
        _run(["sox", "-D", "-V1", str(raw), "-b", "16", "-c", "1", "-e", "signed-integer", str(tmp),
              "rate", str(SAMPLE_RATE), "gain", "-n", f"{req.level_db:.2f}"], req)
        os.replace(tmp, out_wav)
    finally:
        for p in (raw, tmp):
            p.unlink(missing_ok=True)


def _run(cmd: list[str], req: SynthRequest) -> None:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        raise SynthError(f"'{cmd[0]}' failed (exit {proc.returncode}) for voice {req.voice.id}, "
                         f"text {req.text!r}: {err}")
