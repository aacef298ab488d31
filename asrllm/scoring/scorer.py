"""Score hypotheses against references: normalise, tokenise, align, count.

References are streamed utterance by utterance (only the hypotheses are held in memory, for
look-up by id), so a test set of any size scores in bounded memory.
"""

import logging
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Iterator, Mapping

from asrllm.kaldi.table import DataError, read_table
from asrllm.scoring.align import CORRECT, Counts, align
from asrllm.text import get_normalizer, tokenize

log = logging.getLogger(__name__)

METRIC_OF_UNIT = {"char": "CER", "word": "WER", "mixed": "MER"}

# How many ids a warning names before it only gives the count (all are in result.txt/json).
MAX_IDS_IN_LOG = 20


@dataclass
class UttResult:
    """One utterance: its scored tokens and the sclite-style alignment between them."""

    uttid: str
    ref: list[str]
    hyp: list[str]
    ops: list[str]
    hyp_missing: bool = False

    @cached_property
    def counts(self) -> Counts:
        return Counts.from_ops(self.ops)

    @property
    def is_error(self) -> bool:
        return any(op != CORRECT for op in self.ops)


@dataclass
class CorpusStats:
    """Totals over the utterances of a test set scored with one unit and one normaliser."""

    unit: str
    normalizer: str
    counts: Counts = field(default_factory=Counts)
    num_utts: int = 0
    num_sentence_errors: int = 0
    missing_hyp_ids: list[str] = field(default_factory=list)
    extra_hyp_ids: list[str] = field(default_factory=list)

    def add(self, utt: UttResult) -> None:
        self.counts = self.counts + utt.counts
        self.num_utts += 1
        self.num_sentence_errors += utt.is_error
        if utt.hyp_missing:
            self.missing_hyp_ids.append(utt.uttid)

    @property
    def metric(self) -> str:
        return METRIC_OF_UNIT[self.unit]

    @property
    def error_rate(self) -> float | None:
        """Errors per reference token in percent; None when there are errors but no reference
        tokens at all (sclite prints 0.0 there, which would hide the insertions)."""
        c = self.counts
        if c.num_ref == 0:
            return 0.0 if c.errors == 0 else None
        return 100.0 * c.errors / c.num_ref

    @property
    def sentence_error_rate(self) -> float:
        return 100.0 * self.num_sentence_errors / self.num_utts if self.num_utts else 0.0

    def summary(self) -> dict:
        """The result.json keys other tools rely on, plus a few more counts."""
        c = self.counts
        return {
            "num_utts": self.num_utts,
            "num_ref_tokens": c.num_ref,
            "correct": c.correct,
            "substitutions": c.substitutions,
            "deletions": c.deletions,
            "insertions": c.insertions,
            "error_rate": self.error_rate,
            "sentence_error_rate": self.sentence_error_rate,
            "unit": self.unit,
            "normalizer": self.normalizer,
            "metric": self.metric,
            "num_hyp_tokens": c.num_hyp,
            "num_errors": c.errors,
            "num_sentence_errors": self.num_sentence_errors,
            "num_missing_hyp": len(self.missing_hyp_ids),
            "num_extra_hyp": len(self.extra_hyp_ids),
            "missing_hyp_ids": list(self.missing_hyp_ids),
            "extra_hyp_ids": list(self.extra_hyp_ids),
        }


def read_text(path: str | os.PathLike) -> dict[str, str]:
    """A Kaldi `text` file as {uttid: transcript} in file order; an utterance may be empty.

    Non-UTF-8 bytes, duplicate ids and blank lines raise DataError naming file:line.
    """
    return {key: value for key, value, _ in read_table(path, allow_empty_value=True)}


def iter_text(path: str | os.PathLike) -> Iterator[tuple[str, str]]:
    """(uttid, transcript) of a Kaldi `text` file, lazily, with the same checks as read_text."""
    for key, value, _ in read_table(path, allow_empty_value=True):
        yield key, value


def _name_ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:MAX_IDS_IN_LOG])
    more = len(ids) - MAX_IDS_IN_LOG
    return shown + (f" ... and {more} more (all listed in result.txt)" if more > 0 else "")


def iter_scores(refs: Iterable[tuple[str, str]], hyps: Mapping[str, str], stats: CorpusStats) -> Iterator[UttResult]:
    """Score each (uttid, reference) in order with stats.unit / stats.normalizer, adding to stats.

    A reference without a hypothesis is scored against an empty one (all deletions); hypothesis
    ids never seen among the references end up in stats.extra_hyp_ids (ignored). Both are named
    in a warning once the references are exhausted. An empty reference set raises DataError.
    """
    norm = get_normalizer(stats.normalizer)
    tokenize("", stats.unit)  # validate the unit before doing any work
    seen: set[str] = set()
    for uttid, ref_text in refs:
        seen.add(uttid)
        hyp_text = hyps.get(uttid)
        ref_tokens = tokenize(norm(ref_text), stats.unit)
        hyp_tokens = tokenize(norm(hyp_text), stats.unit) if hyp_text is not None else []
        utt = UttResult(uttid, ref_tokens, hyp_tokens, align(ref_tokens, hyp_tokens), hyp_missing=hyp_text is None)
        stats.add(utt)
        yield utt
    if not seen:
        raise DataError("the reference has no utterances")
    stats.extra_hyp_ids = [u for u in hyps if u not in seen]
    if stats.missing_hyp_ids:
        log.warning("%d reference utterance(s) have no hypothesis and count as all deletions: %s",
                    len(stats.missing_hyp_ids), _name_ids(stats.missing_hyp_ids))
    if stats.extra_hyp_ids:
        log.warning("%d hypothesis id(s) are not in the reference and are ignored: %s",
                    len(stats.extra_hyp_ids), _name_ids(stats.extra_hyp_ids))


def score_texts(refs: Mapping[str, str], hyps: Mapping[str, str], unit: str,
                normalizer: str) -> tuple[CorpusStats, list[UttResult]]:
    """In-memory scoring of two {uttid: transcript} mappings: totals and per-utterance results."""
    stats = CorpusStats(unit, normalizer)
    utts = list(iter_scores(refs.items(), hyps, stats))
    return stats, utts
