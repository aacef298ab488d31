"""Tiny, real Hugging Face tokenizers and Qwen3 models built offline (tests, the CPU mini recipe).

build_tiny_tokenizer trains a byte-level BPE (laid out like Qwen's: NFC, a split regex, byte-level;
Chinese split into characters)
on the given text and wraps it with Qwen's ChatML special tokens (<|endoftext|> = pad,
<|im_start|>, <|im_end|> = eos), so code that handles a real Qwen tokenizer handles it too.
build_tiny_qwen3 saves a randomly initialised Qwen3 (config + weights + the tokenizer) that loads
with AutoModelForCausalLM.from_pretrained.
"""

import os
from pathlib import Path
from typing import Iterable

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
# Qwen2/Qwen3-style pre-tokenization: NFC, this split, then byte-level without its own regex.
# Unlike Qwen's, every Han character is a pre-token of its own (with the space before it, if any),
# so Chinese tokens are characters, as in char-unit Chinese ASR: one token per spoken syllable.
SPLIT_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{Han}|[^\r\n\p{L}\p{N}]?[\p{L}&&[^\p{Han}]]+"
                 r"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def build_tiny_tokenizer(texts: Iterable[str], out_dir: str | os.PathLike, vocab_size: int = 512,
                         min_frequency: int = 2):
    """Train a byte-level BPE on `texts`, save it to out_dir and return it loaded with AutoTokenizer."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT_PATTERN), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                  special_tokens=list(SPECIAL_TOKENS),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    wrapped = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                      additional_special_tokens=["<|im_start|>"])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    wrapped.save_pretrained(out_dir)
    return AutoTokenizer.from_pretrained(out_dir, local_files_only=True)


def build_tiny_qwen3(tokenizer, out_dir: str | os.PathLike, hidden: int = 64, layers: int = 2, heads: int = 4,
                     kv_heads: int = 2, intermediate: int | None = None, max_positions: int = 2048,
                     seed: int = 0) -> Path:
    """Save a randomly initialised Qwen3 sized for `tokenizer` (and the tokenizer) to out_dir."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    if hidden % heads or heads % kv_heads:
        raise ValueError(f"hidden ({hidden}) must divide by heads ({heads}) and heads by kv_heads ({kv_heads})")
    cfg = AutoConfig.for_model(
        "qwen3", vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=intermediate or 3 * hidden,
        num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
        head_dim=hidden // heads, max_position_embeddings=max_positions, tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(cfg)
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir
