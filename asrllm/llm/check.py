"""Stage 6's LLM check: tokenizer and config load, the prompt fits the tokenizer, target lengths.

The training text is streamed; with max_utts > 0 a uniform reservoir sample of that many
utterances is tokenized (fixed seed), so the check stays fast on 10k-hour corpora.
"""

import logging
import random
from collections.abc import Iterable, Iterator

import numpy as np

from asrllm.kaldi.table import DataError, read_table
from asrllm.llm.loading import load_llm_config, load_tokenizer, require_local_weights
from asrllm.llm.prompt import PromptBuilder, PromptTemplate

logger = logging.getLogger(__name__)
_BATCH = 1000


def sample_transcripts(paths: Iterable[str], max_utts: int = 0, seed: int = 0) -> tuple[list[tuple[str, str]], int]:
    """(utterance id, text) pairs from Kaldi text files: all, or a reservoir sample; plus the total count."""
    rng = random.Random(seed)
    kept: list[tuple[str, str]] = []
    total = 0
    for path in paths:
        for key, text, _ in read_table(path, allow_empty_value=True, check_unique=False):
            total += 1
            if max_utts <= 0 or len(kept) < max_utts:
                kept.append((key, text))
            else:
                j = rng.randrange(total)
                if j < max_utts:
                    kept[j] = (key, text)
    return kept, total


def _batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def check_llm(name: str, text_paths: list[str], template: PromptTemplate | None = None,
              allow_download: bool = False, max_utts: int = 0, seed: int = 0) -> dict:
    """Load tokenizer + config (and see that a local folder has weights), build the prompt, measure
    target token lengths; return a report."""
    tokenizer = load_tokenizer(name, allow_download)
    config = load_llm_config(name, allow_download)
    require_local_weights(name)
    builder = PromptBuilder(tokenizer, template)
    tpl = builder.template
    warnings: list[str] = []

    cfg_vocab = getattr(config, "vocab_size", None)
    if cfg_vocab is not None and len(tokenizer) > cfg_vocab:
        warnings.append(f"tokenizer has {len(tokenizer)} tokens but the model's vocab_size is {cfg_vocab}: "
                        f"ids beyond it have no embedding")
    if tokenizer.pad_token_id is None:
        warnings.append(f"tokenizer has no pad token; {tpl.markers[1]} (id {builder.end_id}) pads batches")

    utts, total = sample_transcripts(text_paths, max_utts, seed)
    lengths: list[int] = []
    unk = 0
    for batch in _batches(utts, _BATCH):
        for ids in builder.target_ids([t for _, t in batch]):
            lengths.append(len(ids))
            if tokenizer.unk_token_id is not None:
                unk += ids.count(tokenizer.unk_token_id)
    if not lengths:
        raise DataError(f"no utterances in {', '.join(text_paths)}")
    arr = np.asarray(lengths)
    longest = int(arr.argmax())
    chars = sum(len(t.replace(" ", "")) for _, t in utts)
    if unk:
        warnings.append(f"{unk} target tokens are the tokenizer's unknown token {tokenizer.unk_token!r}")
    max_pos = getattr(config, "max_position_embeddings", None)
    if max_pos is not None and builder.prompt_length + int(arr.max()) >= max_pos:
        warnings.append(f"prompt ({builder.prompt_length}) + longest target ({int(arr.max())}) tokens exceed "
                        f"max_position_embeddings {max_pos} even before the speech positions")
    return {
        "llm": name,
        "tokenizer": {
            "class": type(tokenizer).__name__, "size": len(tokenizer), "eos_token": tokenizer.eos_token,
            "pad_token": tokenizer.pad_token, "pad_id": builder.pad_id, "end_token": tpl.markers[1],
            "end_token_id": builder.end_id, "bos_added": builder.add_bos,
        },
        "config": {k: getattr(config, k, None) for k in
                   ("model_type", "hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size",
                    "max_position_embeddings", "tie_word_embeddings")},
        "prompt": {"text": tpl.render(), "tokens": builder.prompt_length, "before_speech": len(builder.prefix_ids),
                   "after_speech": len(builder.suffix_ids)},
        "target_tokens": {
            "note": "transcript tokens + 1 end token (what the loss covers)",
            "utterances": len(lengths), "utterances_in_text": total, "sampled": len(lengths) < total,
            "mean": round(float(arr.mean()), 2), "p50": float(np.percentile(arr, 50)),
            "p95": float(np.percentile(arr, 95)), "max": int(arr.max()), "longest_utt": utts[longest][0],
            "total": int(arr.sum()),
            "chars_per_token": round(chars / max(1, int(arr.sum()) - len(lengths)), 3),
        },
        "warnings": warnings,
    }
