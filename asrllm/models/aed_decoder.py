"""The attention decoder of AED pre-training (the conventional paradigm's stage 7): espnet2's
TransformerDecoder over the encoder frames, with ESPnet's label-smoothed attention loss.

Config (`model.aed_decoder:`):
  labels: char          the CTC head whose label set it predicts (ESPnet's hybrid CTC/attention
                        model has one token list for both); its vocabulary is that head's units.txt
                        plus one <sos/eos> id after the last unit, read when the model is built
  conf: {attention_heads, linear_units, num_blocks, dropout_rate, ...}
                        keyword arguments of espnet2's TransformerDecoder; its width is the
                        encoder's output size (espnet2 ties the two)
Only the AED objective uses it: asrllm.bin.train builds it for that objective alone, and later
stages drop its weights when they start from an AED-pre-trained model.
"""

import inspect

import torch
from espnet2.asr.decoder.transformer_decoder import TransformerDecoder
from espnet.nets.pytorch_backend.transformer.label_smoothing_loss import LabelSmoothingLoss
from torch import nn
from typeguard import TypeCheckError

from asrllm.config import ConfigError

IGNORE_ID = -1  # ESPnet's padding id of decoder targets
DECODER_KEYS = set(inspect.signature(TransformerDecoder.__init__).parameters) - {
    "self", "vocab_size", "encoder_output_size"}


class AttentionDecoder(nn.Module):
    def __init__(self, encoder_size: int, num_units: int, labels: str, conf: dict | None = None):
        super().__init__()
        conf = dict(conf or {})
        bad = sorted(set(conf) - DECODER_KEYS)
        if bad:
            raise ConfigError(f"model.aed_decoder.conf: unknown key(s) {bad}; espnet2's TransformerDecoder "
                              f"takes {sorted(DECODER_KEYS)}")
        self.labels = labels
        self.vocab_size = num_units + 1
        self.sos = self.eos = num_units  # one id for both, as in ESPnet
        try:
            self.decoder = TransformerDecoder(self.vocab_size, encoder_size, **conf)
        except (TypeCheckError, TypeError, ValueError) as e:  # espnet2 type-checks its arguments (typeguard)
            raise ConfigError(f"model.aed_decoder.conf: {e}") from None

    def targets(self, ids: torch.Tensor, lens: torch.Tensor):
        """(decoder input <sos> y, its lengths, targets y <eos> padded with IGNORE_ID) from padded ids."""
        b, width = ids.shape
        pos = torch.arange(width + 1, device=ids.device)[None]
        ys_in = torch.full((b, width + 1), self.eos, dtype=ids.dtype, device=ids.device)
        ys_in[:, 0] = self.sos
        ys_in[:, 1:] = torch.where(pos[:, 1:] <= lens[:, None], ids, self.eos)
        ys_out = torch.full_like(ys_in, IGNORE_ID)
        ys_out[:, :width] = torch.where(pos[:, :width] < lens[:, None], ids, IGNORE_ID)
        ys_out[torch.arange(b, device=ids.device), lens] = self.eos
        return ys_in, lens + 1, ys_out

    def loss(self, frames: torch.Tensor, frame_lens: torch.Tensor, ids: torch.Tensor, lens: torch.Tensor,
             lsm_weight: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(summed label-smoothed loss over the targets incl. each <eos>, their number, how many the
        argmax predicts), teacher-forced. The loss is ESPnet's LabelSmoothingLoss: KL to a target
        with 1 - lsm_weight on the label and lsm_weight / (V - 1) on each other id (0: plain CE)."""
        ys_in, in_lens, ys_out = self.targets(ids, lens)
        logits, _ = self.decoder(frames, frame_lens, ys_in, in_lens)
        criterion = LabelSmoothingLoss(self.vocab_size, IGNORE_ID, lsm_weight, normalize_length=False)
        loss_sum = criterion(logits.float(), ys_out) * ids.shape[0]  # it divides by the batch size
        valid = ys_out != IGNORE_ID
        with torch.no_grad():
            correct = ((logits.argmax(-1) == ys_out) & valid).sum()
        return loss_sum, valid.sum(), correct
