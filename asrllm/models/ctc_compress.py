"""CTC compression: one frame per greedy CTC token instead of one per 40 ms.

A phone-CTC encoder's posteriors are blank on most frames and spike once per phone. Compression
keeps what the greedy CTC path emits: blank frames are dropped and consecutive frames with the
same non-blank argmax are merged into their mean, so the adapter sees one vector per recognised
phone whatever the speaking rate (the CTC compressor of Gaido et al. 2021 and Speech-LLaMA, Wu et
al. 2023). The kept posteriors stay differentiable; which frames are kept is not. An utterance
with no non-blank frame keeps its least-blank frame, so no speech slot is empty.
"""

import torch

from asrllm.lang.units import BLANK_ID


def ctc_compress(posteriors: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """[B, T, V] frame posteriors and their lengths -> [B, T', V] merged spikes and their lengths."""
    b, t, v = posteriors.shape
    with torch.no_grad():
        best = posteriors.argmax(-1)
        valid = torch.arange(t, device=posteriors.device)[None] < lengths[:, None]
        spike = (best != BLANK_ID) & valid
        empty = ~spike.any(1)
        if empty.any():  # keep the least-blank frame of an utterance without spikes
            blank = posteriors[..., BLANK_ID].masked_fill(~valid, float("inf"))
            rows = empty.nonzero(as_tuple=True)[0]
            spike[rows, blank[rows].argmin(1)] = True
        previous = torch.cat([torch.full_like(best[:, :1], -1), best[:, :-1]], 1)
        prev_spike = torch.cat([torch.zeros_like(spike[:, :1]), spike[:, :-1]], 1)
        starts = spike & ~(prev_spike & (best == previous))  # a new token begins here
        slot = starts.long().cumsum(1) - 1  # output index of each kept frame
        out_lens = starts.sum(1)
        bi, ti = spike.nonzero(as_tuple=True)
        flat = bi * t + slot[bi, ti]  # out position of each kept frame, flattened over [B, T]
        counts = torch.zeros(b * t, device=posteriors.device).index_add_(
            0, flat, torch.ones_like(flat, dtype=torch.float))
    width = int(out_lens.max())
    summed = posteriors.new_zeros(b * t, v).index_add(0, flat, posteriors[bi, ti])
    merged = (summed / counts.clamp(min=1)[:, None].to(summed.dtype)).view(b, t, v)[:, :width]
    return merged, out_lens
