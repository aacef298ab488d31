"""Build data/lang_phone: lexicon.txt, phones.txt (= units.txt), oov_report.txt, and text.phone per dir.

Two streaming passes over the listed data dirs: the first collects the English words CMUdict lacks
(so espeak-ng runs once, on all of them), the second labels every transcript (in `nj` processes)
and writes `<dir>/text.phone` in the input order. Only word types are held in memory.
"""

import logging
import multiprocessing
import os
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Iterator

import yaml

from asrllm.lang.config import LangConfig
from asrllm.lang.labels import iter_text, unique_dirs, write_labels
from asrllm.lang.phone import IN_VOCABULARY, PhoneLabeler
from asrllm.lang.units import SPECIALS, UNK, write_units
from asrllm.utils.atomic import atomic_write

logger = logging.getLogger(__name__)
_CHUNK = 2000
_LABELER: PhoneLabeler | None = None  # set in the parent before forking workers
METHOD_ORDER = ("variant", "compound", "espeak", "spell", "unk")


def _label_chunk(rows: list[tuple[str, str]]) -> tuple[list[tuple[str, list[str]]], Counter]:
    assert _LABELER is not None
    out, used = [], Counter()
    for key, text in rows:
        seq, units = _LABELER.phones(text)
        out.append((key, seq))
        used.update(units)
    return out, used


def _chunks(data_dir: Path) -> Iterator[list[tuple[str, str]]]:
    it = iter_text(data_dir)
    while chunk := list(islice(it, _CHUNK)):
        yield chunk


def prepare_phone_lang(cfg: LangConfig, train_dir: str | os.PathLike, dirs: list[str | os.PathLike],
                       lang_dir: str | os.PathLike, label_name: str = "text.phone", nj: int = 1) -> dict:
    """Write the phone lang dir and a label file per data dir; return summary counts."""
    global _LABELER
    lang_dir = Path(lang_dir)
    data_dirs = unique_dirs(train_dir, dirs)
    labeler = PhoneLabeler(cfg.phone)

    oov_words: set[str] = set()
    for d in data_dirs:
        for _, text in iter_text(d):
            oov_words.update(w for w in labeler.english_words(text) if labeler.needs_resolving(w))
    logger.info("%d English word types are not in CMUdict; resolving them", len(oov_words))
    labeler.prepare(sorted(oov_words))

    used: Counter = Counter()
    empty: dict[str, int] = {}
    _LABELER = labeler
    pool = multiprocessing.get_context("fork").Pool(nj) if nj > 1 else None
    try:
        for d in data_dirs:
            chunks = pool.imap(_label_chunk, _chunks(d)) if pool else map(_label_chunk, _chunks(d))

            def rows() -> Iterator[tuple[str, list[str]]]:
                for out, u in chunks:
                    used.update(u)
                    yield from out

            empty[str(d)] = write_labels(d / label_name, rows())
            if empty[str(d)]:
                logger.warning("%s: %d utterances have no phones (empty or only punctuation)",
                               d / label_name, empty[str(d)])
            logger.info("wrote %s", d / label_name)
    finally:
        _LABELER = None
        if pool:  # every result has been consumed (or an error ends the run): stop the workers
            pool.terminate()
            pool.join()

    lexicon = sorted({(u.word, u.phones) for u in used}, key=lambda wp: (wp[0].encode(), wp[1]))
    phones = sorted({p for _, pron in lexicon for p in pron} - set(SPECIALS))
    symbols = [cfg.phone.word_boundary] if cfg.phone.word_boundary else []
    lang_dir.mkdir(parents=True, exist_ok=True)
    with atomic_write(lang_dir / "lexicon.txt") as f:
        for word, pron in lexicon:
            f.write(f"{word} {' '.join(pron)}\n")
    units = write_units(lang_dir / "phones.txt", symbols + phones)
    _link(lang_dir / "units.txt", "phones.txt")
    write_oov_report(lang_dir / "oov_report.txt", used, data_dirs, labeler.english.espeak_unknown)
    with atomic_write(lang_dir / "lang.yaml") as f:
        yaml.safe_dump({"unit": "phone", "label_file": label_name, "phone": cfg.to_dict()["phone"]}, f,
                       allow_unicode=True, sort_keys=False)
    summary = {"units": len(units), "lexicon_entries": len(lexicon),
               "oov_types": sum(1 for u in set(used) if u.method not in IN_VOCABULARY),
               "unk_tokens": sum(c for u, c in used.items() if UNK in u.phones), "empty_labels": empty}
    logger.info("%s: %d units, %d lexicon entries, %d OOV word types, %d <unk> tokens", lang_dir,
                summary["units"], summary["lexicon_entries"], summary["oov_types"], summary["unk_tokens"])
    return summary


def write_oov_report(path: Path, used: Counter, data_dirs: list[Path], espeak_unknown: set[str]) -> None:
    """List every unit not found in CMUdict/pypinyin: word, count, method, phones."""
    oov = [(u, c) for u, c in used.items() if u.method not in IN_VOCABULARY]
    oov.sort(key=lambda uc: (METHOD_ORDER.index(uc[0].method), -uc[1], uc[0].word.encode()))
    total = sum(used.values())
    per_method: dict[str, list[int]] = {}
    for u, c in oov:
        per_method.setdefault(u.method, [0, 0])
        per_method[u.method][0] += 1
        per_method[u.method][1] += c
    with atomic_write(path) as f:
        f.write("# Words and symbols not in CMUdict or pypinyin, and how each was resolved.\n")
        f.write(f"# data dirs: {' '.join(map(str, data_dirs))}\n")
        f.write(f"# lexicon tokens: {total}; OOV types: {len(oov)}; OOV tokens: {sum(c for _, c in oov)}\n")
        for m in METHOD_ORDER:
            if m in per_method:
                f.write(f"# {m}: {per_method[m][0]} types, {per_method[m][1]} tokens\n")
        if espeak_unknown:
            f.write(f"# espeak-ng symbols without a mapping (skipped): {' '.join(sorted(espeak_unknown))}\n")
        f.write("# word\tcount\tmethod\tphones\n")
        for u, c in oov:
            f.write(f"{u.word}\t{c}\t{u.method}\t{' '.join(u.phones)}\n")


def _link(path: Path, target: str) -> None:
    """Point `path` at `target` (a sibling) with a relative symlink, replacing what is there."""
    tmp = path.with_name(f".{path.name}.tmp.{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    os.replace(tmp, path)
