"""Make the speech encoder ignore batch padding, so a batched utterance encodes as it does alone.

espnet2's Conformer (and E-Branchformer) convolution modules run their time convolutions over the
padded frames of shorter utterances in a batch, which then leak into the last valid frames (and,
through self-attention, into all of them): the same utterance encodes differently alone and in a
batch (by up to ~0.4 on the toy model). Zeroing the padded frames at the input of every time
convolution (kernel > 1) makes the convolution see exactly the zero padding it sees when the
utterance is alone. The hooks read the padding mask each encoder layer is called with.
"""

import torch
from torch import nn


def _time_convs(layer: nn.Module) -> list[nn.Conv1d]:
    return [m for m in layer.modules() if isinstance(m, nn.Conv1d) and m.kernel_size[0] > 1]


class PaddingMaskHooks:
    """Forward hooks on an encoder body's layers; `remove()` takes them off again."""

    def __init__(self, encoder: nn.Module):
        body = getattr(encoder, "body", encoder)
        layers = getattr(body, "encoders", None)
        if layers is None:
            raise TypeError(f"{type(body).__name__} has no `encoders` layer list: cannot mask its padding")
        self.handles = []
        for layer in layers:
            convs = _time_convs(layer)
            if not convs:
                continue
            state: dict[str, torch.Tensor] = {}
            self.handles.append(layer.register_forward_pre_hook(self._remember(state), with_kwargs=True))
            for conv in convs:
                self.handles.append(conv.register_forward_pre_hook(self._zero_padding(state)))

    @staticmethod
    def _remember(state: dict):
        def hook(_module, args, kwargs):
            mask = args[1] if len(args) > 1 else kwargs.get("mask")
            state["mask"] = mask  # (B, 1, T) or (B, T, T) bool, True on valid frames
        return hook

    @staticmethod
    def _zero_padding(state: dict):
        def hook(_module, args):
            x, mask = args[0], state.get("mask")
            if mask is None or x.dim() != 3:
                return None
            # (B, 1, T) padding, or a (B, T, T) chunk-attention mask whose diagonal is the padding
            valid = mask.diagonal(dim1=1, dim2=2) if mask.shape[1] > 1 else mask.reshape(mask.shape[0], -1)
            if valid.shape != (x.shape[0], x.shape[-1]):
                raise RuntimeError(f"padding mask {tuple(mask.shape)} does not fit convolution input {tuple(x.shape)}")
            return (x * valid[:, None, :].to(x.dtype),) + tuple(args[1:])
        return hook

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []
