"""Joins over key-sorted streams, so two tables can be compared or combined without loading them.

Keys are compared as Python strings: code-point order equals UTF-8 byte order, i.e. the order of
`LC_ALL=C sort`.
"""

from typing import Iterable, Iterator, TypeVar

L = TypeVar("L")
R = TypeVar("R")

_END = object()


def join_sorted(
    left: Iterable[tuple[str, L]], right: Iterable[tuple[str, R]]
) -> Iterator[tuple[str, L | None, R | None]]:
    """Full outer join of two (key, item) streams, each sorted by unique key.

    Yields (key, left_item, right_item) in key order; the side without the key gives None, so
    items themselves must never be None.
    """
    lit, rit = iter(left), iter(right)
    lcur = next(lit, _END)
    rcur = next(rit, _END)
    while lcur is not _END or rcur is not _END:
        if rcur is _END or (lcur is not _END and lcur[0] < rcur[0]):
            yield lcur[0], lcur[1], None
            lcur = next(lit, _END)
        elif lcur is _END or rcur[0] < lcur[0]:
            yield rcur[0], None, rcur[1]
            rcur = next(rit, _END)
        else:
            yield lcur[0], lcur[1], rcur[1]
            lcur = next(lit, _END)
            rcur = next(rit, _END)


def inner_join(left: Iterable[tuple[str, L]], right: Iterable[tuple[str, R]]) -> Iterator[tuple[str, L, R]]:
    """Keys present in both sorted streams, with both items."""
    for key, a, b in join_sorted(left, right):
        if a is not None and b is not None:
            yield key, a, b
