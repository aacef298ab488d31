"""Character units (data/lang_char) for the conventional paradigms' pre-training: AED decoder + CTC
(conventional) or CTC alone (conventional_ctc).

Every non-space character is a unit. Spaces are kept only between two Latin-script words, as the
`<space>` unit ("I LOVE 北京" -> I <space> L O V E 北 京): a space next to a CJK character carries
nothing (Mandarin is scored per character). The unit list comes from the training text, most
frequent first (ties in code-point order); characters seen only in other dirs become <unk>.
"""

import logging
import os
from collections import Counter
from pathlib import Path

import yaml

from asrllm.kaldi.table import DataError
from asrllm.lang.config import LangConfig
from asrllm.lang.labels import iter_text, unique_dirs, write_labels
from asrllm.lang.units import UNK, write_units
from asrllm.text.chars import join_latin_words_only
from asrllm.utils.atomic import atomic_write

logger = logging.getLogger(__name__)


def char_tokens(text: str, space: str = "<space>") -> list[str]:
    """'I LOVE 北京' -> ['I', '<space>', 'L', 'O', 'V', 'E', '北', '京']."""
    return [space if c == " " else c for c in join_latin_words_only(text)]


def prepare_char_lang(cfg: LangConfig, train_dir: str | os.PathLike, dirs: list[str | os.PathLike],
                      lang_dir: str | os.PathLike, label_name: str = "text.char") -> dict:
    """Write lang_dir/units.txt from the training text and a label file per data dir."""
    lang_dir = Path(lang_dir)
    space = cfg.char.space
    counts: Counter = Counter()
    for _, text in iter_text(train_dir):
        counts.update(char_tokens(text, space))
    if not counts:
        raise DataError(f"{Path(train_dir) / 'text'}: no characters to build units from")
    order = sorted(counts, key=lambda c: (-counts[c], c))
    units = set(write_units(lang_dir / "units.txt", order))
    unseen: Counter = Counter()
    empty = {}
    for d in unique_dirs(train_dir, dirs):
        def rows():
            for key, text in iter_text(d):
                toks = char_tokens(text, space)
                unseen.update(t for t in toks if t not in units)
                yield key, [t if t in units else UNK for t in toks]

        empty[str(d)] = write_labels(d / label_name, rows())
        logger.info("wrote %s", d / label_name)
    with atomic_write(lang_dir / "oov_report.txt") as f:
        f.write(f"# characters outside {lang_dir / 'units.txt'} (written as {UNK}): "
                f"{len(unseen)} types, {sum(unseen.values())} tokens\n# char\tcount\n")
        for ch, c in sorted(unseen.items(), key=lambda kv: (-kv[1], kv[0])):
            f.write(f"{ch}\t{c}\n")
    with atomic_write(lang_dir / "lang.yaml") as f:
        yaml.safe_dump({"unit": "char", "label_file": label_name, "char": cfg.to_dict()["char"]}, f,
                       allow_unicode=True, sort_keys=False)
    logger.info("%s: %d units; %d character types outside them", lang_dir, len(units), len(unseen))
    return {"units": len(units), "unk_types": len(unseen), "unk_tokens": sum(unseen.values()),
            "empty_labels": empty}
