"""Word stacking: the CTC-compressed phone posteriors of each word side by side in one adapter input.

After CTC compression (asrllm.models.ctc_compress) the adapter sees one vector per recognised
phone, and a fixed stack of k vectors straddles word boundaries at different places in every
utterance, so the LLM has to count phones to find where its next word is. Here the compressed
sequence is cut into words where the greedy CTC path emits a word-ending unit (the boundary symbol,
dropped, or a Mandarin final, kept: asrllm.lang.word_ends), and each word is laid out in exactly
`width` slots (its first `width` phones, then zero vectors). A frame-stacking adapter with
stack = width then turns every word into one LLM embedding: word i of the speech is slot i, and
with a tokenizer whose tokens are words and characters, transcript token i (asrllm.llm.tiny).
"""

import torch


def word_stack(posteriors: torch.Tensor, lengths: torch.Tensor, word_end: torch.Tensor,
               boundary_id: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """[B, T, V] compressed posteriors -> [B, W * width, V] laid out word by word, and lengths
    (words * width). `word_end` [V] bool marks the units that end a word, boundary_id the one that
    is dropped. An utterance without any phone keeps one all-zero word, so no speech slot is empty."""
    b, t, v = posteriors.shape
    if word_end.shape != (v,):
        raise ValueError(f"word_end has {tuple(word_end.shape)} flags for {v} units")
    best = posteriors.argmax(-1).tolist()
    ends = word_end.tolist()  # plain lists: this loop runs on every training step
    src, dst, words = [[], []], [[], []], []
    for row, (ids, n) in enumerate(zip(best, lengths.tolist())):
        word, pos, w = 0, 0, 0  # current word, position inside it, words begun
        for i in range(n):
            unit = ids[i]
            if unit != boundary_id:
                if pos < width:
                    src[0].append(row), src[1].append(i)
                    dst[0].append(row), dst[1].append(word * width + pos)
                pos += 1
                w = word + 1
            if (unit == boundary_id or ends[unit]) and pos > 0:
                word, pos = word + 1, 0
        words.append(max(1, w))
    n_words = torch.tensor(words, device=posteriors.device)
    out = posteriors.new_zeros(b, int(n_words.max()) * width, v)
    if src[0]:
        dev = posteriors.device
        out = out.index_put((torch.tensor(dst[0], device=dev), torch.tensor(dst[1], device=dev)),
                            posteriors[torch.tensor(src[0], device=dev), torch.tensor(src[1], device=dev)])
    return out, n_words * width
