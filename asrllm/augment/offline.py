"""Stage 4: the training-set parts written as audio, next to the clean (filtered) training set.

    <out>/noisy      noisy copies (feats_type fbank + noise on): asrllm.augment.noisy_copies
    <out>/nonspeech  non-speech clips, empty transcripts (nonspeech_train.share > 0):
                     asrllm.augment.nonspeech_train
    <out>/augment.report.json

Which parts a config asks for is DataConfig.offline_augment_parts; a part it does not ask for is
removed, so an old one never joins the training set. A part that drew nothing has no tables. The
driver then combines the clean set with the parts that have a wav.scp (utils/combine_data.sh).
"""

import json
import logging
import shutil
from pathlib import Path

from asrllm.augment.noisy_copies import make_noisy_copies
from asrllm.augment.nonspeech_train import make_nonspeech_clips
from asrllm.data.config import DataConfig
from asrllm.kaldi.datadir import UTT_TABLES, DataDir
from asrllm.kaldi.table import DataError
from asrllm.utils.atomic import atomic_write

PARTS = ("noisy", "nonspeech")
REPORT = "augment.report.json"


def augment_train(in_dir: str, out_dir: str, cfg: DataConfig, config_path: str | None, nj: int, cmd: str) -> dict:
    """Write the parts the config asks for under out_dir from the clean data dir in_dir; return the report."""
    root = Path(in_dir)
    extras = [p.name for p in root.glob("*") if p.is_file() and p.name not in UTT_TABLES
              and (p.name.startswith("text.") or p.name.startswith("utt2"))] if root.is_dir() else []
    src = DataDir(in_dir, extra_utt_tables=extras)
    src.require("wav.scp", "text", "utt2spk")
    out = Path(out_dir)
    plan = cfg.offline_augment_parts
    if any(out.resolve() / part == src.root.resolve() for part in PARTS):
        raise DataError(f"--in-dir {in_dir} is where a part would be written; keep the clean set elsewhere")
    out.mkdir(parents=True, exist_ok=True)
    (out / REPORT).unlink(missing_ok=True)
    report: dict = {"source": str(src.root), "seed": cfg.batching.seed, "parts": {}}
    for part in PARTS:
        if part not in plan:
            shutil.rmtree(out / part, ignore_errors=True)
    if "noisy" in plan:
        report["parts"]["noisy"] = make_noisy_copies(src, out / "noisy", cfg, config_path, nj, cmd)
    if "nonspeech" in plan:
        report["parts"]["nonspeech"] = make_nonspeech_clips(src, out / "nonspeech", cfg)
    with atomic_write(out / REPORT) as f:
        json.dump(report, f, indent=1)
    logging.info("%s: training-set parts %s", out, ", ".join(plan) or "none")
    return report
