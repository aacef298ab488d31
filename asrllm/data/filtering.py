"""Stage 4: drop training utterances by duration and transcript length, then validate the data dir.

Transcript length is counted in "mixed" tokens (asrllm.text.tokenize): every CJK character is one
token and every run of other non-space characters (an English word, a number) is one token, so one
limit fits Mandarin, English and code-switched text. Streaming: the decisions are made in one
pass over utt2dur and text, the kept ids go to a temporary list, and every table is subset by a
sorted join against it.
"""

import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from asrllm.data.config import DataConfig, FilterConfig
from asrllm.data.shards import StageError
from asrllm.kaldi.datadir import UTT_TABLES, DataDir
from asrllm.kaldi.partition import write_parts
from asrllm.kaldi.sorted_join import join_sorted
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError, table_line
from asrllm.kaldi.validate import Options, validate_data_dir
from asrllm.text.tokenize import tokenize_mixed

REPORT = "filter.report.json"
DROPPED = "filter.dropped"


def count_text_tokens(text: str) -> int:
    """Transcript length as filter.max_text_tokens counts it (CJK characters + other words)."""
    return len(tokenize_mixed(text))


@dataclass(frozen=True)
class Rule:
    """The limits of the filter section."""

    min_duration: float
    max_duration: float
    max_text_tokens: int

    @classmethod
    def from_config(cls, f: FilterConfig) -> "Rule":
        return cls(f.min_duration, f.max_duration, f.max_text_tokens)

    def reason(self, dur: float, text: str) -> str | None:
        """Why an utterance is dropped, or None to keep it."""
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


def decisions(src: DataDir, rule: Rule | None) -> Iterator[tuple[str, str | None]]:
    """(utt, drop reason or None) for every utterance of utt2spk, in order."""
    durs = ((k, float(v)) for k, v in src.items("utt2dur")) if src.has("utt2dur") else iter(())
    texts = ((k, v) for k, v in src.items("text"))
    both = ((k, (d, t)) for k, d, t in join_sorted(durs, texts))
    for utt, dt, _spk in join_sorted(both, src.items("utt2spk")):
        dur, text = dt if dt is not None else (None, None)
        if _spk is None:
            raise DataError(f"{src.file('utt2spk')}: '{utt}' is missing (the tables disagree; "
                            f"run utils/fix_data_dir.sh)")
        if rule is None:
            yield utt, None
        elif dur is None or text is None:
            raise DataError(f"{src.root}: '{utt}' lacks {'utt2dur' if dur is None else 'text'} "
                            f"(run asrllm.bin.format_audio first)")
        else:
            yield utt, rule.reason(dur, text)


def filter_data(in_dir: str, out_dir: str, cfg: DataConfig, no_filter: bool = False) -> dict:
    """Write the filtered (or, with no_filter, copied) and validated data dir to out_dir."""
    extras = [p.name for p in Path(in_dir).glob("*") if p.is_file() and p.name not in UTT_TABLES
              and (p.name.startswith("text.") or p.name.startswith("utt2"))] if Path(in_dir).is_dir() else []
    src = DataDir(in_dir, extra_utt_tables=extras)
    src.require("wav.scp", "text", "utt2spk")
    if not no_filter:
        src.require("utt2dur")
    rule = None if no_filter else Rule.from_config(cfg.filter)
    out = Path(out_dir)
    known = DataDir(out, extra_utt_tables=extras).known_names() | {REPORT, DROPPED}
    reasons: Counter = Counter()
    kept = 0
    with staged_dir(out, known_names=known) as tmp:
        kept_list = tmp / ".kept"
        with open(kept_list, "w", encoding="utf-8") as k, open(tmp / DROPPED, "w", encoding="utf-8") as d:
            for utt, why in decisions(src, rule):
                if why is None:
                    k.write(utt + "\n")
                    kept += 1
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
                   "limits": None if rule is None else vars(rule)}
        with open(tmp / REPORT, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    logging.info("%s -> %s: kept %d of %d utterances; dropped %s", in_dir, out_dir, kept,
                 summary["utterances"], summary["dropped_by_reason"] or "none")
    return summary
