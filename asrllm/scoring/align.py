"""Minimum-edit-distance alignment with sclite's weights and tie-breaking.

sclite (SCTK net_dp.c, word.c) aligns a reference against a hypothesis with costs
correct 0, substitution 4, insertion 3, deletion 3, and fills each cell [i][j] (i over the
reference, j over the hypothesis) by this rule:

    if sub <= del and sub <= ins:  diagonal (correct or substitution)
    elif del < ins:                deletion
    else:                          insertion   (so a del/ins tie goes to the insertion)

The first row holds insertions, the first column deletions, and the back-trace starts at [N][M].
Different minimum-cost paths can have different (S, D, I) counts, so reproducing this rule, not
just the minimum cost, is what makes the counts agree with sclite. Unlike sclite, '@' is an
ordinary token here (sclite treats it as a null word); the normalisers other than `none` remove it.
"""

from dataclasses import dataclass
from typing import Sequence

import numpy as np

COST_SUB = 4
COST_INS = 3
COST_DEL = 3

_DIAG, _DEL, _INS = 0, 1, 2

# Above this many DP cells the row-vectorised numpy version is used (same result, faster).
NUMPY_MIN_CELLS = 16384

CORRECT, SUBSTITUTION, DELETION, INSERTION = "C", "S", "D", "I"


@dataclass(frozen=True)
class Counts:
    """Correct, substitution, deletion and insertion counts of one or more alignments."""

    correct: int = 0
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0

    @property
    def num_ref(self) -> int:
        return self.correct + self.substitutions + self.deletions

    @property
    def num_hyp(self) -> int:
        return self.correct + self.substitutions + self.insertions

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            self.correct + other.correct,
            self.substitutions + other.substitutions,
            self.deletions + other.deletions,
            self.insertions + other.insertions,
        )

    @classmethod
    def from_ops(cls, ops: Sequence[str]) -> "Counts":
        return cls(ops.count(CORRECT), ops.count(SUBSTITUTION), ops.count(DELETION), ops.count(INSERTION))


def _backpointers_python(ref: Sequence[str], hyp: Sequence[str]) -> list[bytearray]:
    m = len(hyp)
    back = [bytearray([_DIAG] + [_INS] * m)]
    prev = [COST_INS * j for j in range(m + 1)]
    for i, r in enumerate(ref, 1):
        row = bytearray(m + 1)
        row[0] = _DEL
        left = COST_DEL * i
        cur = [left]
        # diag = prev[j-1], up = prev[j]
        for j, (h, diag, up) in enumerate(zip(hyp, prev, prev[1:]), 1):
            sub = diag if r == h else diag + COST_SUB
            dele = up + COST_DEL
            ins = left + COST_INS
            if sub <= dele and sub <= ins:
                left = sub
            elif dele < ins:
                left = dele
                row[j] = _DEL
            else:
                left = ins
                row[j] = _INS
            cur.append(left)
        back.append(row)
        prev = cur
    return back


def _backpointers_numpy(ref: Sequence[str], hyp: Sequence[str]) -> np.ndarray:
    n, m = len(ref), len(hyp)
    vocab: dict[str, int] = {}
    ref_ids = np.array([vocab.setdefault(t, len(vocab)) for t in ref], dtype=np.int64)
    hyp_ids = np.array([vocab.setdefault(t, len(vocab)) for t in hyp], dtype=np.int64)
    back = np.empty((n + 1, m + 1), dtype=np.int8)
    back[0, 0] = _DIAG
    back[0, 1:] = _INS
    back[1:, 0] = _DEL
    steps = COST_INS * np.arange(m + 1, dtype=np.int64)
    prev = steps.copy()
    for i in range(1, n + 1):
        sub = prev[:-1] + np.where(hyp_ids == ref_ids[i - 1], 0, COST_SUB)
        dele = prev[1:] + COST_DEL
        # cur[j] = min(min(sub, del)[j], cur[j-1] + 3): a running minimum, unrolled as
        # cur[j] = 3j + min_{k<=j}(v[k] - 3k) with v[0] = cur[0].
        v = np.empty(m + 1, dtype=np.int64)
        v[0] = COST_DEL * i
        np.minimum(sub, dele, out=v[1:])
        cur = np.minimum.accumulate(v - steps) + steps
        ins = cur[:-1] + COST_INS
        back[i, 1:] = np.where((sub <= dele) & (sub <= ins), _DIAG, np.where(dele < ins, _DEL, _INS))
        prev = cur
    return back


def align(ref: Sequence[str], hyp: Sequence[str], use_numpy: bool | None = None) -> list[str]:
    """Edit operations ('C', 'S', 'D', 'I') turning `ref` into `hyp`, the path sclite picks.

    use_numpy: None picks by size; True/False forces an implementation (both give the same path).
    """
    n, m = len(ref), len(hyp)
    if n == 0 or m == 0:
        return [DELETION] * n + [INSERTION] * m
    if use_numpy is None:
        use_numpy = (n + 1) * (m + 1) > NUMPY_MIN_CELLS
    back = _backpointers_numpy(ref, hyp) if use_numpy else _backpointers_python(ref, hyp)
    ops = []
    i, j = n, m
    while i > 0 or j > 0:
        b = back[i][j]
        if b == _DIAG:
            i -= 1
            j -= 1
            ops.append(CORRECT if ref[i] == hyp[j] else SUBSTITUTION)
        elif b == _DEL:
            i -= 1
            ops.append(DELETION)
        else:
            j -= 1
            ops.append(INSERTION)
    ops.reverse()
    return ops


def alignment_pairs(ref: Sequence[str], hyp: Sequence[str],
                    ops: Sequence[str]) -> list[tuple[str | None, str | None, str]]:
    """(ref token or None, hyp token or None, op) per alignment column."""
    out = []
    i = j = 0
    for op in ops:
        if op == DELETION:
            out.append((ref[i], None, op))
            i += 1
        elif op == INSERTION:
            out.append((None, hyp[j], op))
            j += 1
        else:
            out.append((ref[i], hyp[j], op))
            i += 1
            j += 1
    return out


def cost(ops: Sequence[str]) -> int:
    """sclite cost of an alignment (4 per substitution, 3 per insertion or deletion)."""
    c = Counts.from_ops(ops)
    return COST_SUB * c.substitutions + COST_DEL * c.deletions + COST_INS * c.insertions
