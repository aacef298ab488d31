"""Stage 4: drop training utterances by duration and transcript length, then validate the data dir.

Transcript length is counted in "mixed" tokens (asrllm.text.tokenize): every CJK character is one
token and every run of other non-space characters (an English word, a number) is one token, so one
limit fits Mandarin, English and code-switched text. Streaming: the decisions are made in one
pass over utt2dur and text, the kept ids go to a temporary list, and every table is subset by a
sorted join against it.

An empty transcript in a corpus is a transcript lost in preparation, so a training set drops it
(empty-text). The non-speech training clips, whose transcripts are empty by design (data config
nonspeech_train), join the training set after this filter (asrllm.augment.offline, driver stage 4).

Clips too short for one encoder frame (under 7 fbank frames, 0.085 s at 25 / 10 ms framing): a training
set drops them whatever min_duration says (no speech embedding: nothing to learn from); a --no-filter
(dev / test) set keeps them, since scoring must see every utterance, and a warning names them; the
decoder gives them an empty too_short hypothesis.
"""

import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from asrllm.data.config import DataConfig, FbankConfig, FilterConfig
from asrllm.data.shards import StageError
from asrllm.features.fbank import Fbank
from asrllm.kaldi.datadir import UTT_TABLES, DataDir
from asrllm.kaldi.partition import write_parts
from asrllm.kaldi.sorted_join import join_sorted
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError, table_line
from asrllm.kaldi.validate import Options, validate_data_dir
from asrllm.models.subsampling import MIN_INPUT_FRAMES
from asrllm.text.tokenize import tokenize_mixed

REPORT = "filter.report.json"
DROPPED = "filter.dropped"
SHOW_IDS = 5  # utterance ids named in a warning


def min_encoder_duration(fbank: FbankConfig, sample_rate: int) -> float:
    """The shortest clip (s) whose fbank has MIN_INPUT_FRAMES frames, i.e. one encoder frame."""
    f = Fbank(fbank, sample_rate)
    n = np.arange(f.window + MIN_INPUT_FRAMES * f.shift + 1)  # enough for 7 frames, snip_edges or not
    return int(np.argmax(f.num_frames(n) >= MIN_INPUT_FRAMES)) / sample_rate


def count_text_tokens(text: str) -> int:
    """Transcript length as filter.max_text_tokens counts it (CJK characters + other words)."""
    return len(tokenize_mixed(text))


@dataclass(frozen=True)
class Rule:
    """The limits of the filter section."""

    min_duration: float
    max_duration: float
    max_text_tokens: int
    min_encoder_duration: float = 0.0  # shorter gives no encoder frame: dropped even below min_duration

    @classmethod
    def from_config(cls, f: FilterConfig, min_encoder: float = 0.0) -> "Rule":
        return cls(f.min_duration, f.max_duration, f.max_text_tokens, min_encoder)

    def reason(self, dur: float, text: str) -> str | None:
        """Why an utterance is dropped, or None to keep it."""
        if dur < self.min_encoder_duration:
            return f"too-short {dur:g} s gives no encoder frame (< {self.min_encoder_duration:g} s)"
        if dur < self.min_duration:
            return f"too-short {dur:g} s < min_duration {self.min_duration:g}"
        if dur > self.max_duration:
            return f"too-long {dur:g} s > max_duration {self.max_duration:g}"
        if not text.strip():
            return "empty-text"
        n = count_text_tokens(text)
        if n > self.max_text_tokens:
            return f"text-too-long {n} tokens > max_text_tokens {self.max_text_tokens}"
        return None


def decisions(src: DataDir, rule: Rule | None) -> Iterator[tuple[str, str | None, float | None]]:
    """(utt, drop reason or None, duration or None) for every utterance of utt2spk, in order."""
    durs = ((k, float(v)) for k, v in src.items("utt2dur")) if src.has("utt2dur") else iter(())
    texts = ((k, v) for k, v in src.items("text"))
    both = ((k, (d, t)) for k, d, t in join_sorted(durs, texts))
    for utt, dt, _spk in join_sorted(both, src.items("utt2spk")):
        dur, text = dt if dt is not None else (None, None)
        if _spk is None:
            raise DataError(f"{src.file('utt2spk')}: '{utt}' is missing (the tables disagree; "
                            f"run utils/fix_data_dir.sh)")
        if rule is None:
            yield utt, None, dur
        elif dur is None or text is None:
            raise DataError(f"{src.root}: '{utt}' lacks {'utt2dur' if dur is None else 'text'} "
                            f"(run asrllm.bin.format_audio first)")
        else:
            yield utt, rule.reason(dur, text), dur


def filter_data(in_dir: str, out_dir: str, cfg: DataConfig, no_filter: bool = False) -> dict:
    """Write the filtered (or, with no_filter, copied) and validated data dir to out_dir."""
    extras = [p.name for p in Path(in_dir).glob("*") if p.is_file() and p.name not in UTT_TABLES
              and (p.name.startswith("text.") or p.name.startswith("utt2"))] if Path(in_dir).is_dir() else []
    src = DataDir(in_dir, extra_utt_tables=extras)
    src.require("wav.scp", "text", "utt2spk")
    if not no_filter:
        src.require("utt2dur")
    min_encoder = min_encoder_duration(cfg.fbank, cfg.sample_rate)
    rule = None if no_filter else Rule.from_config(cfg.filter, min_encoder)
    short: list[str] = []  # kept (--no-filter) utterances with no encoder frame
    out = Path(out_dir)
    known = DataDir(out, extra_utt_tables=extras).known_names() | {REPORT, DROPPED}
    reasons: Counter = Counter()
    kept = 0
    with staged_dir(out, known_names=known) as tmp:
        kept_list = tmp / ".kept"
        with open(kept_list, "w", encoding="utf-8") as k, open(tmp / DROPPED, "w", encoding="utf-8") as d:
            for utt, why, dur in decisions(src, rule):
                if why is None:
                    k.write(utt + "\n")
                    kept += 1
                    if dur is not None and dur < min_encoder:
                        short.append(utt)
                else:
                    reasons[why.split(maxsplit=1)[0]] += 1
                    d.write(table_line(utt, why))
        if kept == 0:
            raise StageError(f"{in_dir}: the filter keeps no utterance ({dict(reasons)})")

        def assignment() -> Iterator[tuple[str, int]]:
            with open(kept_list, encoding="utf-8") as f:
                for line in f:
                    yield line.rstrip("\n"), 0

        write_parts(src, [tmp], assignment)
        kept_list.unlink()
        report = validate_data_dir(str(tmp), Options(require_feats=False, allow_empty_text=no_filter))
        if not report.ok:
            raise StageError(f"{out_dir}: the filtered data dir is not valid: " + "; ".join(report.problems[:5]))
        summary = {"utterances": kept + sum(reasons.values()), "kept": kept, "dropped": sum(reasons.values()),
                   "dropped_by_reason": dict(sorted(reasons.items())), "filtered": not no_filter,
                   "kept_without_encoder_frame": len(short), "limits": None if rule is None else vars(rule)}
        with open(tmp / REPORT, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    if short:  # decision: an eval set keeps them (every utterance is scored); training drops them (Rule)
        logging.warning("%s: %d utterance(s) shorter than %g s give no encoder frame; kept (--no-filter), they "
                        "will decode to an empty hypothesis (too_short): %s%s", in_dir, len(short), min_encoder,
                        " ".join(short[:SHOW_IDS]), " ..." if len(short) > SHOW_IDS else "")
    logging.info("%s -> %s: kept %d of %d utterances; dropped %s", in_dir, out_dir, kept,
                 summary["utterances"], summary["dropped_by_reason"] or "none")
    return summary
