"""CTC heads on encoder frames: an MLP (the paper's 3-layer phoneme head) ending in espnet2's CTC."""

import torch
from espnet2.asr.ctc import CTC
from torch import nn


class MLPCTCHead(nn.Module):
    """`layers` linear layers in all (the last is espnet2 CTC's projection to the vocabulary)."""

    def __init__(self, input_size: int, vocab_size: int, hidden: int = 256, layers: int = 3,
                 dropout: float = 0.1):
        super().__init__()
        mlp: list[nn.Module] = []
        size = input_size
        for _ in range(layers - 1):
            mlp += [nn.Linear(size, hidden), nn.GELU(), nn.Dropout(dropout)]
            size = hidden
        self.mlp = nn.Sequential(*mlp)
        self.ctc = CTC(odim=vocab_size, encoder_output_size=size, reduce=False)
        self.vocab_size = vocab_size

    def log_probs(self, frames: torch.Tensor) -> torch.Tensor:
        """[B, T, D] -> [B, T, V] log posteriors."""
        return self.ctc.log_softmax(self.mlp(frames))

    def loss(self, frames: torch.Tensor, frame_lens: torch.Tensor, targets: torch.Tensor,
             target_lens: torch.Tensor) -> torch.Tensor:
        """Summed CTC loss over the batch (normalise by the token count outside)."""
        per_utt = self.ctc(self.mlp(frames), frame_lens, targets, target_lens)
        return per_utt.sum() * frames.shape[0]  # espnet2 divides by the batch size even unreduced

    @staticmethod
    def greedy(log_probs: torch.Tensor, lengths: torch.Tensor, blank: int = 0) -> list[list[int]]:
        """Best-path decoding: argmax, merge repeats, drop blanks."""
        best = log_probs.argmax(-1).cpu()
        out = []
        for seq, n in zip(best, lengths.cpu().tolist()):
            seq = torch.unique_consecutive(seq[:n])
            out.append([int(t) for t in seq if t != blank])
        return out
