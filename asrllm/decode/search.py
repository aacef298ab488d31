"""Batched greedy and beam search over a CachedLM, with per-row length limits and an explicit end token.

Scores are sums of log-probabilities (log-softmax of the logits after the repetition guard) of the
emitted tokens, the end token included. A hypothesis finishes with "eos" when the end token is
chosen and with "max_tokens" when it reaches its row's limit of new tokens without it (the end token
counts towards the limit, as in Hugging Face's max_new_tokens). Finished rows leave the batch.
The Recognizer gives "too_short" (empty, score 0) to an utterance with no encoder frame: it is not searched.
"""

from dataclasses import dataclass, field

import torch

from asrllm.decode.guard import RepetitionGuard
from asrllm.decode.lm import CachedLM

EOS = "eos"
MAX_TOKENS = "max_tokens"
TOO_SHORT = "too_short"  # no encoder frame after subsampling (set by the Recognizer)


@dataclass
class Hypothesis:
    tokens: list[int] = field(default_factory=list)  # generated ids, the end token excluded
    score: float = 0.0
    finish_reason: str = ""


def greedy_search(lm: CachedLM, embeds: torch.Tensor, mask: torch.Tensor, pos: torch.Tensor, max_new: list[int],
                  end_id: int, guard: RepetitionGuard | None = None) -> list[Hypothesis]:
    """The argmax token at every step for each row of a left-padded prompt batch."""
    guard = guard or RepetitionGuard()
    hyps = [Hypothesis() for _ in max_new]
    alive = list(range(len(max_new)))  # utterance of each current row
    logits = lm.start(embeds, mask, pos)
    while alive:
        logp = torch.log_softmax(guard(logits, [hyps[u].tokens for u in alive]), dim=-1)
        best = logp.argmax(dim=-1)
        best_logp = logp.gather(1, best[:, None])[:, 0].tolist()
        keep = []
        for r, (u, tok) in enumerate(zip(alive, best.tolist())):
            h = hyps[u]
            h.score += best_logp[r]
            if tok == end_id:
                h.finish_reason = EOS
                continue
            h.tokens.append(tok)
            if len(h.tokens) + 1 > max_new[u]:  # no room left for the end token
                h.finish_reason = MAX_TOKENS
                continue
            keep.append(r)
        if not keep:
            break
        if len(keep) < len(alive):
            rows = torch.tensor(keep)
            lm.select(rows)
            best = best[rows.to(best.device)]
        alive = [alive[r] for r in keep]
        logits = lm.step(best)
    return hyps


@dataclass
class _Beam:
    tokens: list[int]
    score: float
    row: int  # the row (in the current batch) this beam continues from


def _normalized(score: float, length: int, length_penalty: float) -> float:
    return score / (max(length, 1) ** length_penalty)


def beam_search(lm: CachedLM, embeds: torch.Tensor, mask: torch.Tensor, pos: torch.Tensor, max_new: list[int],
                end_id: int, beam_size: int, length_penalty: float = 1.0,
                guard: RepetitionGuard | None = None) -> list[Hypothesis]:
    """Beam search per row; finished hypotheses are ranked by score / length**length_penalty.

    An utterance stops when it has beam_size finished hypotheses and none of its live beams can
    beat the worst of them at the current length (Hugging Face's default stopping rule), or when
    its beams reach the length limit (they then finish as "max_tokens" candidates).
    """
    guard = guard or RepetitionGuard()
    k = beam_size
    n = len(max_new)
    logits = lm.start(embeds, mask, pos)
    rows = torch.arange(n).repeat_interleave(k)
    lm.select(rows)
    logits = logits.index_select(0, rows.to(logits.device))
    neg_inf = float("-inf")
    beams = {u: [_Beam([], 0.0 if j == 0 else neg_inf, u * k + j) for j in range(k)] for u in range(n)}
    finished: dict[int, list[tuple[float, Hypothesis]]] = {u: [] for u in range(n)}
    alive = list(range(n))
    while alive:
        flat = [b for u in alive for b in beams[u]]
        logp = torch.log_softmax(guard(logits, [b.tokens for b in flat]), dim=-1)
        vocab = logp.shape[-1]
        prev = torch.tensor([b.score for b in flat], device=logp.device)[:, None]
        top, idx = (prev + logp).view(len(alive), k * vocab).topk(min(2 * k, k * vocab), dim=1)
        top, idx = top.tolist(), idx.tolist()
        next_alive = []
        for a, u in enumerate(alive):
            new: list[_Beam] = []
            for rank, (s, j) in enumerate(zip(top[a], idx[a])):
                if s == neg_inf:
                    break
                src, tok = divmod(j, vocab)
                parent = flat[a * k + src]
                if tok == end_id:
                    if rank < k:
                        hyp = Hypothesis(list(parent.tokens), s, EOS)
                        finished[u].append((_normalized(s, len(parent.tokens) + 1, length_penalty), hyp))
                    continue
                new.append(_Beam(parent.tokens + [tok], s, a * k + src))
                if len(new) == k:
                    break
            finished[u].sort(key=lambda x: -x[0])
            del finished[u][k:]
            if not new:
                continue
            if len(new[0].tokens) + 1 > max_new[u]:  # the live beams have no room for the end token
                for b in new:
                    finished[u].append((_normalized(b.score, len(b.tokens), length_penalty),
                                        Hypothesis(b.tokens, b.score, MAX_TOKENS)))
                continue
            if len(finished[u]) >= k and finished[u][-1][0] >= _normalized(new[0].score, len(new[0].tokens) + 1,
                                                                            length_penalty):
                continue
            while len(new) < k:  # pad with dead copies (only when nearly every token is banned)
                new.append(_Beam(new[0].tokens, neg_inf, new[0].row))
            beams[u] = new
            next_alive.append(u)
        if not next_alive:
            break
        flat_next = [b for u in next_alive for b in beams[u]]
        lm.select(torch.tensor([b.row for b in flat_next]))
        logits = lm.step(torch.tensor([b.tokens[-1] for b in flat_next], device=logits.device))
        for i, b in enumerate(flat_next):
            b.row = i
        alive = next_alive
    out = []
    for u in range(n):
        if not finished[u]:
            raise RuntimeError(f"beam search found no hypothesis for row {u} (every token was banned)")
        out.append(max(finished[u], key=lambda x: x[0])[1])
    return out
