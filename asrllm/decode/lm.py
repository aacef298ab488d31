"""A Hugging Face causal LM run step by step over a batch of rows, with a KV cache (DynamicCache).

Rows are left-padded prompts: the attention mask marks the padding and each row's position ids
count its real tokens only, so a row computes what it computes alone (up to float rounding).
Rows can be dropped (finished utterances) or reordered/duplicated (beam search) between steps.
Works with transformers 4.4x (`past_key_values`) and 5.x (`cache`), plain or peft-wrapped models.
"""

import torch

from asrllm.llm.forward_args import cache_arg, logits_to_keep_arg


def new_cache(llm):
    from transformers import DynamicCache

    try:
        return DynamicCache(config=llm.config)
    except TypeError:  # transformers < 4.56 takes no config
        return DynamicCache()


class CachedLM:
    """start() runs the prompts, step() feeds one token per row; both return last-position logits."""

    def __init__(self, llm):
        self.llm = llm
        self.cache_kw = cache_arg(llm)
        self.keep_kw = logits_to_keep_arg(llm)
        self.cache = None
        self.mask: torch.Tensor | None = None
        self.pos: torch.Tensor | None = None

    def _run(self, **inputs) -> torch.Tensor:
        inputs[self.cache_kw] = self.cache
        if self.keep_kw:
            inputs[self.keep_kw] = 1
        out = self.llm(use_cache=True, **inputs)
        return out.logits[:, -1].float()

    @torch.no_grad()
    def start(self, embeds: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor) -> torch.Tensor:
        """Prefill: [R, T, D] prompt embeddings (left padded) -> [R, V] logits of the next token."""
        self.cache = new_cache(self.llm)
        self.mask = attention_mask
        self.pos = position_ids[:, -1]
        return self._run(inputs_embeds=embeds, attention_mask=attention_mask, position_ids=position_ids)

    @torch.no_grad()
    def step(self, ids: torch.Tensor) -> torch.Tensor:
        """Feed one token id per row ([R]) -> [R, V] logits of the next token."""
        self.mask = torch.cat([self.mask, self.mask.new_ones(self.mask.shape[0], 1)], dim=1)
        self.pos = self.pos + 1
        return self._run(input_ids=ids[:, None], attention_mask=self.mask, position_ids=self.pos[:, None])

    def select(self, rows: torch.Tensor) -> None:
        """Keep (or repeat/reorder) these rows: [R'] indices into the current rows."""
        rows = rows.to(self.mask.device)
        self.cache.reorder_cache(rows)
        self.mask = self.mask.index_select(0, rows)
        self.pos = self.pos.index_select(0, rows)
        # columns that are padding in every remaining row carry nothing: drop them from the cache
        lead = int((self.mask.sum(0) == 0).to(torch.int64).cumprod(0).sum())
        if lead:
            self._crop_front(lead)

    def _crop_front(self, n: int) -> None:
        layers = getattr(self.cache, "layers", None)
        if not layers or not all(type(layer).__name__ == "DynamicLayer" for layer in layers):
            return  # another cache layout: keep the columns (they are masked anyway)
        self.mask = self.mask[:, n:]
        for layer in layers:
            if layer.keys is not None and layer.keys.numel():
                layer.keys = layer.keys[..., n:, :]
                layer.values = layer.values[..., n:, :]
