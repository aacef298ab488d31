"""Sentencepiece units (data/lang_bpe_N): an alternative label set for the conventional paradigms'
AED / CTC pre-training (a `bpe` head in conf/train/pretrain_aed.yaml or pretrain_char.yaml).

The model is trained on the training text only (`<lang_dir>/bpe.model`, `bpe.vocab`); its own
<unk> is id 0 and there are no <s>/</s>, so units.txt is <blank> 0, <unk> 1, then the pieces in
sentencepiece's id order. Normalisation is `identity`: decoding gives back the text as written.
"""

import logging
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import sentencepiece as spm
import yaml

from asrllm.config import ConfigError
from asrllm.lang.config import LangConfig
from asrllm.lang.labels import iter_text, unique_dirs, write_labels
from asrllm.lang.naming import label_table_name
from asrllm.lang.units import UNK, write_units
from asrllm.utils.atomic import atomic_write

logger = logging.getLogger(__name__)


class BpeModel:
    """A trained sentencepiece model that encodes text to pieces (unknown pieces -> <unk>)."""

    def __init__(self, model_path: str | os.PathLike):
        self.sp = spm.SentencePieceProcessor(model_file=str(model_path))

    def pieces(self) -> list[str]:
        """All pieces except sentencepiece's own <unk> (id 0), in id order."""
        return [self.sp.id_to_piece(i) for i in range(1, self.sp.get_piece_size())]

    def encode(self, text: str) -> list[str]:
        return [UNK if i == 0 else self.sp.id_to_piece(i) for i in self.sp.encode(text)]

    def decode(self, pieces: list[str]) -> str:
        return self.sp.decode([self.sp.piece_to_id(p) for p in pieces if p != UNK])


def train_bpe(texts: Iterator[str], model_prefix: Path, size: int, model_type: str,
              character_coverage: float, input_sentence_size: int) -> Path:
    """Train a sentencepiece model on an iterator of lines; return the .model path."""
    model_prefix.parent.mkdir(parents=True, exist_ok=True)
    tmp_prefix = model_prefix.with_name(f".{model_prefix.name}.tmp.{os.getpid()}")
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=texts, model_prefix=str(tmp_prefix), vocab_size=size, model_type=model_type,
            character_coverage=character_coverage, input_sentence_size=input_sentence_size,
            shuffle_input_sentence=True, unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1,
            normalization_rule_name="identity", minloglevel=2)
    except RuntimeError as e:
        for ext in (".model", ".vocab"):
            Path(f"{tmp_prefix}{ext}").unlink(missing_ok=True)
        reason = str(e).rstrip(".")
        raise ConfigError(f"sentencepiece could not train {size} {model_type} units: {reason}. A vocabulary "
                         f"larger than the text supports needs a smaller --bpe-size; with character_coverage "
                         f"1.0 the size must also exceed the number of distinct characters.") from None
    for ext in (".model", ".vocab"):
        os.replace(f"{tmp_prefix}{ext}", f"{model_prefix}{ext}")
    return Path(f"{model_prefix}.model")


def prepare_bpe_lang(cfg: LangConfig, train_dir: str | os.PathLike, dirs: list[str | os.PathLike],
                     lang_dir: str | os.PathLike, size: int | None = None,
                     label_name: str | None = None) -> dict:
    """Train bpe.model on the training text, write units.txt and a label file per data dir."""
    lang_dir = Path(lang_dir)
    opts = cfg.bpe
    size = int(size or opts.size)
    label_name = label_name or label_table_name("bpe", size)
    texts = (text for _, text in iter_text(train_dir) if text.strip())
    model = BpeModel(train_bpe(texts, lang_dir / "bpe", size, opts.model_type, opts.character_coverage,
                               opts.input_sentence_size))
    units = write_units(lang_dir / "units.txt", model.pieces())
    unk: Counter = Counter()
    empty = {}
    for d in unique_dirs(train_dir, dirs):
        def rows():
            for key, text in iter_text(d):
                pieces = model.encode(text)
                unk[str(d)] += pieces.count(UNK)
                yield key, pieces

        empty[str(d)] = write_labels(d / label_name, rows())
        logger.info("wrote %s (%d <unk> pieces)", d / label_name, unk[str(d)])
    with atomic_write(lang_dir / "lang.yaml") as f:
        yaml.safe_dump({"unit": "bpe", "label_file": label_name, "bpe": {**cfg.to_dict()["bpe"], "size": size}},
                       f, allow_unicode=True, sort_keys=False)
    return {"units": len(units), "unk_tokens": dict(unk), "empty_labels": empty}
