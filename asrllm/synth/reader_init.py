"""The mini recipe's adapter warm start (model.adapter.init: reader): the frame adapter begins as the
text LM's reader composed with the encoder's phone-CTC head.

The text LM learned to read centred phone log-posteriors through an adapter of the method's shape
(asrllm.synth.slot_reading). The encoder's phone head is linear (logits = W x + b), and centring
over the units removes the log-softmax's per-frame constant, so the centred log-posteriors are
C (W x + b), C = I - 1/V: linear in the frame. The reader's first layer W_r, applied per stacked
frame, therefore folds into a first layer over encoder frames, W_r C W, and the frame adapter
starts out computing exactly reader(centred log-posteriors of the head). Only the initial weights
change: at run time the adapter reads encoder frames (stack 4, MLP), as the paper's does, and
alignment trains it from there. Columns are matched by unit name, so the head's units.txt order is
free; units the LM never saw get zero weights.
"""

import logging

import torch

from asrllm.config import ConfigError
from asrllm.lang.units import read_units
from asrllm.synth.slot_reading import load_saved_adapter

log = logging.getLogger(__name__)


def init_adapter_from_reader(model, model_cfg: dict, llm_dir: str) -> bool:
    """Set model.adapter from <llm_dir>/speech_adapter and the model's phone-CTC head; False (and a
    warning) when the model has no head of the reader's units, so nothing in it applies."""
    saved_cfg, saved_units, state = load_saved_adapter(llm_dir)
    name = saved_cfg["unit"]
    if name not in model.ctc_heads:
        log.warning("model.adapter.init: reader: not applied: the model has no %r CTC head to compose the "
                    "reader with (heads: %s); the adapter starts from random weights", name, sorted(model.ctc_heads))
        return False
    head = model.ctc_heads[name]
    if len(head.mlp) != 0:
        raise ConfigError(f"model.adapter.init: reader needs a linear {name!r} CTC head to fold into the adapter "
                          f"(model.ctc_heads.{name}.layers: 1); this one has hidden layers")
    adapter = model.adapter
    if adapter.stack != saved_cfg["stack"] or adapter.mlp[0].out_features != saved_cfg["hidden"]:
        raise ConfigError(f"model.adapter: stack {adapter.stack}, hidden {adapter.mlp[0].out_features}; the "
                          f"reader saved in {llm_dir} has stack {saved_cfg['stack']}, hidden {saved_cfg['hidden']}: "
                          f"make them equal (text LM config reading:) or drop model.adapter.init")
    units = read_units(model_cfg["ctc_heads"][name]["units"])
    n_model, n_saved = len(units), len(saved_units)
    lin = head.ctc.ctc_lo
    centre = torch.eye(n_model) - 1.0 / n_model
    w_head, b_head = centre @ lin.weight.detach(), centre @ lin.bias.detach()  # [V, D], [V]
    w_saved, b = state["mlp.0.weight"], state["mlp.0.bias"].clone()
    matched = [(i, saved_units[u]) for u, i in units.items() if u in saved_units]
    rows, cols = zip(*matched) if matched else ((), ())
    blocks = []
    for j in range(adapter.stack):
        w_j = torch.zeros(w_saved.shape[0], n_model)  # the reader's weights of frame j, in the head's unit order
        w_j[:, list(rows)] = w_saved[:, [j * n_saved + k for k in cols]]
        blocks.append(w_j @ w_head)
        b += w_j @ b_head
    adapter.load_state_dict({**state, "mlp.0.weight": torch.cat(blocks, 1), "mlp.0.bias": b})
    log.info("adapter initialised from %s/speech_adapter composed with the %r CTC head: %d of its %d units "
             "matched (%d the LM never saw)", llm_dir, name, len(matched), n_model, n_model - len(matched))
    return True
