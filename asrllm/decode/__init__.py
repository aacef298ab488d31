"""Decoding (stage 11): batched greedy and beam search over the LLM with a KV cache, CTC diagnostics."""
