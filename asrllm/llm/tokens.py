"""Tokenizing text as plain text, whatever markers it contains.

A transcript may contain strings such as "<|im_end|>" or "<think>" literally. They must not become
the tokenizer's special or added tokens, or a transcript could close the assistant turn or move
the speech slot. Text is encoded with `split_special_tokens=True`; if an added (non-special) token
still matched, the text is re-encoded through the tokenizer's normaliser, pre-tokenizer and model
directly, which know nothing of added tokens.
"""

from asrllm.config import ConfigError


def _added_ids(tokenizer) -> frozenset[int]:
    return frozenset(getattr(tokenizer, "added_tokens_decoder", {}) or {})


def encode_plain(tokenizer, texts: list[str]) -> list[list[int]]:
    """Token ids of each text with every marker spelled out as ordinary text (no BOS/EOS added)."""
    if not texts:
        return []
    ids = tokenizer(list(texts), add_special_tokens=False, split_special_tokens=True)["input_ids"]
    added = _added_ids(tokenizer)
    return [_model_only(tokenizer, t) if added.intersection(x) else list(x) for t, x in zip(texts, ids)]


def _model_only(tokenizer, text: str) -> list[int]:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ConfigError(f"cannot tokenize {text!r} without matching the tokenizer's added tokens: "
                         f"{type(tokenizer).__name__} has no fast (tokenizers) backend")
    if backend.normalizer is not None:
        text = backend.normalizer.normalize_str(text)
    pieces = backend.pre_tokenizer.pre_tokenize_str(text) if backend.pre_tokenizer else [(text, None)]
    return [tok.id for piece, _ in pieces for tok in backend.model.tokenize(piece)]


def single_token_id(tokenizer, token: str) -> int | None:
    """The id of `token` if the tokenizer has it as one (special or added) token, else None."""
    idx = tokenizer.convert_tokens_to_ids(token)
    if idx is None or (idx == tokenizer.unk_token_id and token != tokenizer.unk_token):
        return None
    if tokenizer.convert_ids_to_tokens(idx) != token:
        return None
    return int(idx)
