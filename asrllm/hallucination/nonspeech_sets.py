"""A test set of audio without intelligible speech, for the non-speech false-output rate; with other
kinds and seed, also a noise corpus for training (data config noise.noise_dir; the mini recipe's
local/data.sh makes one with babble).

Kinds: the synthesized ones of asrllm.augment.nonspeech (silence, white/pink/brown noise, tones,
chords) and `babble`: several training utterances overlapped at random offsets, each at the same
level, so no single talker can be followed. Every utterance is a real 16-bit wav file; the data
dir (wav.scp, text with empty transcripts, utt2spk with the kind as speaker, spk2utt, utt2dur,
utt2num_samples) goes through the decoder like any test set (features are computed on the fly when
the dir has no feats.scp). Utterance ids are `<kind>-<NNNNN>`, so the kind can be read back from
the id. Everything is drawn from one seed: the same options give the same audio.
"""

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from asrllm.augment.babble import babble_from_pool, load_talkers, sample_entries
from asrllm.augment.nonspeech import KINDS, synthesize
from asrllm.kaldi.datadir import DataDir, format_seconds
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError, write_table
from asrllm.kaldi.validate import Options, ensure_valid
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)

ALL_KINDS = (*KINDS, "babble")
SETTINGS = "nonspeech.json"


@dataclass
class NonSpeechOptions:
    kinds: list[str] = field(default_factory=lambda: list(ALL_KINDS))
    num_per_kind: int = 20
    min_duration: float = 1.0      # s, uniform in [min, max]
    max_duration: float = 10.0
    min_level_db: float = -45.0    # RMS dBFS, uniform in [min, max] (silence is digital zero)
    max_level_db: float = -15.0
    babble_talkers: tuple[int, int] = (4, 8)  # talkers per babble utterance, uniform in [min, max]
    sample_rate: int = 16000
    seed: int = 0

    def check(self) -> None:
        bad = [k for k in self.kinds if k not in ALL_KINDS]
        if bad or not self.kinds:
            raise DataError(f"unknown non-speech kind(s) {bad or self.kinds}; choose from {', '.join(ALL_KINDS)}")
        if self.num_per_kind < 1:
            raise DataError(f"num_per_kind must be >= 1, got {self.num_per_kind}")
        if not 0 < self.min_duration <= self.max_duration:
            raise DataError(f"durations must satisfy 0 < min ({self.min_duration}) <= max ({self.max_duration})")
        if self.min_level_db > self.max_level_db or self.max_level_db > 0:
            raise DataError(f"levels must satisfy min ({self.min_level_db}) <= max ({self.max_level_db}) <= 0 dBFS")
        lo, hi = self.babble_talkers
        if not 2 <= lo <= hi:
            raise DataError(f"babble talkers must satisfy 2 <= min ({lo}) <= max ({hi})")


def make_nonspeech_set(out_dir: str | os.PathLike, opts: NonSpeechOptions, train_dir: str | None = None,
                       audio_dir: str | os.PathLike | None = None) -> dict:
    """Write the wav files (audio_dir, default <out_dir>/wav) and the data dir; returns per-kind counts."""
    opts.check()
    if "babble" in opts.kinds and not train_dir:
        raise DataError("babble is built from training audio: give --train-dir (or leave babble out of --kinds)")
    out = Path(out_dir)
    audio = Path(audio_dir) if audio_dir else out / "wav"
    audio.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(opts.seed)
    pool: list[np.ndarray] = []
    if "babble" in opts.kinds:
        need = min(opts.num_per_kind * opts.babble_talkers[1], 2000)
        pool = load_talkers(sample_entries(train_dir, need, rng), opts.sample_rate)
    rows = []
    for kind in opts.kinds:
        for i in range(opts.num_per_kind):
            utt = f"{kind}-{i:05d}"
            n = int(round(rng.uniform(opts.min_duration, opts.max_duration) * opts.sample_rate))
            level = float(rng.uniform(opts.min_level_db, opts.max_level_db))
            if kind == "babble":
                x = babble_from_pool(n, pool, opts.babble_talkers, rng, level)
            else:
                x = synthesize(kind, n, opts.sample_rate, rng, level)
            path = (audio / f"{utt}.wav").resolve()
            with atomic_write(path, "wb") as f:
                sf.write(f, np.clip(x, -1.0, 1.0), opts.sample_rate, subtype="PCM_16", format="WAV")
            rows.append((utt, kind, str(path), n))
    with staged_dir(out, DataDir(out).known_names()) as tmp:
        write_table(tmp / "wav.scp", [(u, p) for u, _, p, _ in rows])
        write_table(tmp / "text", [(u, "") for u, _, _, _ in rows])
        write_table(tmp / "utt2spk", [(u, k) for u, k, _, _ in rows])
        write_table(tmp / "utt2num_samples", [(u, str(n)) for u, _, _, n in rows])
        write_table(tmp / "utt2dur", [(u, format_seconds(n / opts.sample_rate)) for u, _, _, n in rows])
        write_spk2utt(tmp / "utt2spk", tmp / "spk2utt")
        with atomic_write(tmp / SETTINGS) as f:
            json.dump({**asdict(opts), "train_dir": train_dir, "audio_dir": str(audio.resolve())}, f, indent=1)
        ensure_valid(tmp, out, Options(require_feats=False, allow_empty_text=True))
    counts = {k: opts.num_per_kind for k in opts.kinds}
    log.info("%s: %d non-speech utterances (%s), wavs in %s", out, len(rows), counts, audio)
    return counts
