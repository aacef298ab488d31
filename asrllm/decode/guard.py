"""Repetition guard on next-token logits: no-repeat n-grams and a repetition penalty.

Both look at the tokens generated so far for that row (never the prompt), the way Hugging Face's
processors do when generation starts from inputs_embeds, so the batched search and a per-utterance
`generate()` with the same settings choose the same tokens.
"""

import torch


def banned_ngram_tokens(history: list[int], n: int) -> list[int]:
    """Tokens that would complete an n-gram already present in `history`."""
    if n <= 0 or len(history) < n:
        return []
    if n == 1:
        return sorted(set(history))
    prefix = history[len(history) - n + 1:]
    return sorted({history[i + n - 1] for i in range(len(history) - n + 1) if history[i:i + n - 1] == prefix})


class RepetitionGuard:
    def __init__(self, no_repeat_ngram_size: int = 0, repetition_penalty: float = 1.0):
        self.n = int(no_repeat_ngram_size)
        self.penalty = float(repetition_penalty)

    @property
    def active(self) -> bool:
        return self.n > 0 or self.penalty != 1.0

    def __call__(self, logits: torch.Tensor, histories: list[list[int]]) -> torch.Tensor:
        """[R, V] logits of R rows with their generated tokens -> adjusted logits (a new tensor)."""
        if not self.active:
            return logits
        logits = logits.clone()
        for r, hist in enumerate(histories):
            if not hist:
                continue
            if self.penalty != 1.0:
                ids = torch.tensor(sorted(set(hist)), device=logits.device)
                vals = logits[r, ids]
                logits[r, ids] = torch.where(vals < 0, vals * self.penalty, vals / self.penalty)
            banned = banned_ngram_tokens(hist, self.n)
            if banned:
                logits[r, banned] = float("-inf")
        return logits
