"""Stage 4, one shard of the noisy copies: the utterances NoiseAugment draws, padded, noised, written.

Inputs: <split>/wav.scp (+ segments) of the clean training set. Each utterance's generator is
utt_rng(batching.seed, 0, utt), so a copy is what the loader would make of it in epoch 0 with
feats_type raw, whatever the number of jobs. Only the drawn utterances are read. Outputs in
<work>, sorted by source utterance: `rows` (utt -> path samples), `draws` (utt -> pads, SNR, gain),
`skipped` (utt reason message), then stats.json last as the completion marker.
"""

import json
from collections import Counter
from pathlib import Path

import numpy as np

from asrllm.audio.errors import WRONG_RATE, AudioError
from asrllm.audio.format import dump_path
from asrllm.audio.format_shard import ShardWriter
from asrllm.audio.reader import iter_audio
from asrllm.augment.clips import write_clip
from asrllm.augment.noise import NoiseAugment, NoiseDraw
from asrllm.augment.seeding import utt_rng
from asrllm.data.config import DataConfig
from asrllm.utils.atomic import atomic_write

PREFIX = "noisy-"  # utterance (and speaker) id prefix of a noisy copy


def noisy_shard(split: Path, work: Path, audio_dir: Path, cfg: DataConfig) -> dict:
    """Write this shard's noisy copies under audio_dir and their tables under work; return stats."""
    aug = NoiseAugment(cfg)
    drawn: dict[str, tuple[NoiseDraw, np.random.Generator]] = {}  # the current recording's, at most

    def pick(utt: str) -> bool:
        rng = utt_rng(cfg.batching.seed, 0, utt)
        d = aug.draw(rng)
        if d is not None:
            drawn[utt] = (d, rng)
        return d is not None

    out = ShardWriter(work, ("rows", "draws", "skipped"))
    stats: Counter = Counter()
    for utt, x, sr in iter_audio(split / "wav.scp", split / "segments", multi_channel=cfg.format.multi_channel,
                                 pipe_timeout=cfg.format.pipe_timeout, select_utt=pick):
        d, rng = drawn.pop(utt)
        try:
            if isinstance(x, AudioError):
                raise x
            if sr != cfg.sample_rate:
                raise AudioError(WRONG_RATE, f"utterance '{utt}' is {sr} Hz, not {cfg.sample_rate} Hz")
            y = aug.apply(x, d, rng)
        except AudioError as e:
            out.skip(utt, e)
            continue
        path = dump_path(audio_dir, PREFIX + utt, cfg.format.dump_format).resolve()
        gain = write_clip(path, y, sr, cfg.format.dump_format)
        out.write("rows", utt, f"{path} {len(y)}")
        out.write("draws", utt, f"pad_before={d.before} pad_after={d.after} snr_db={d.snr_db:.4f} gain={gain:.6f}")
        stats["copies"] += 1
        stats["samples"] += len(y)
    out.commit()
    result = {**stats, "skipped": dict(out.skips)}
    with atomic_write(work / "stats.json") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    return result
