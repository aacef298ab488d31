"""The LLM of a SpeechLLM from its typed config: a local folder or hub id, with LoRA and gradient
checkpointing when configured (asrllm.models.config.LLMConfig)."""

from __future__ import annotations

import os

import torch

from asrllm.config import ConfigError
from asrllm.models.config import LLMConfig

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def build_llm(cfg: LLMConfig, loaded: tuple | None = None):
    """(llm, tokenizer). `loaded`: an (llm, tokenizer) pair made elsewhere (e.g. random weights from a
    config folder, asrllm.bench.train_step) used instead of loading cfg.path; gradient checkpointing
    and LoRA are applied to it as to a loaded one."""
    from asrllm.llm.loading import load_llm, load_tokenizer

    if loaded is not None:
        llm, tokenizer = loaded
        path = base = None
    else:
        path = cfg.path or os.environ.get("ASRLLM_LLM")
        if not path:
            raise ConfigError("model.llm.path is not set: give a local Hugging Face folder (or set ASRLLM_LLM)")
        base = cfg.base_path or path  # a saved LoRA model: base weights + adapter folder
        tokenizer = load_tokenizer(str(path), cfg.allow_download)
        llm = load_llm(str(base), cfg.allow_download, dtype=DTYPES[cfg.dtype])
    if cfg.gradient_checkpointing:
        llm.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if base != path:
        from peft import PeftModel

        llm = PeftModel.from_pretrained(llm, str(path), is_trainable=True)
    elif cfg.lora is not None:
        from peft import LoraConfig, get_peft_model

        lora = cfg.lora
        llm = get_peft_model(llm, LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
                                             target_modules=list(lora.target_modules), task_type="CAUSAL_LM"))
    return llm, tokenizer
