"""Start the adapter from the one the text LM learned to read with (model.adapter.init: llm).

The mini recipe's text LM is pre-trained to read simulated phone-CTC posteriors through an adapter
of the recipe's shape (asrllm.synth.slot_reading); it saves that adapter with the list of phone
units its input columns stand for. Here those columns are copied onto the recipe's adapter by unit
name, per stacked frame, so they line up with the encoder's phone-CTC head however its
units.txt is ordered. Units the LM never saw get zero weights (they add nothing until trained).
"""

import logging

import torch

from asrllm.config import ConfigError
from asrllm.lang.units import read_units
from asrllm.synth.slot_reading import load_saved_adapter

log = logging.getLogger(__name__)


def init_adapter_from_llm(model, model_cfg: dict, llm_dir: str) -> bool:
    """Copy <llm_dir>/speech_adapter onto model.adapter; False (and a warning) when the adapter
    does not read a phone-CTC head's posteriors, so nothing in the saved one applies."""
    saved_cfg, saved_units, state = load_saved_adapter(llm_dir)
    head = model.ctc_head
    if model.adapter_input != saved_cfg["input"] or head != saved_cfg["unit"]:
        log.warning("model.adapter.init: llm: not applied: the adapter reads %s of the %r head, the LLM "
                    "learned to read %s of %r units; the adapter starts from random weights",
                    model.adapter_input, head, saved_cfg["input"], saved_cfg["unit"])
        return False
    adapter = model.adapter
    if adapter.stack != saved_cfg["stack"] or adapter.mlp[0].out_features != saved_cfg["hidden"]:
        raise ConfigError(f"model.adapter: stack {adapter.stack}, hidden {adapter.mlp[0].out_features}; the "
                          f"adapter saved in {llm_dir} has stack {saved_cfg['stack']}, hidden {saved_cfg['hidden']}: "
                          f"make them equal (text LM config reading:) or drop model.adapter.init")
    if model.adapter_compress != saved_cfg.get("compress", False):
        raise ConfigError(f"model.adapter.compress: {model.adapter_compress}; the adapter saved in {llm_dir} "
                          f"read {'' if saved_cfg.get('compress') else 'un'}compressed posteriors: make them equal "
                          f"(text LM config reading.compress) or drop model.adapter.init")
    words = model_cfg["adapter"].get("words")
    if words != saved_cfg.get("words"):
        raise ConfigError(f"model.adapter.words: {words!r}; the adapter saved in {llm_dir} read "
                          f"words: {saved_cfg.get('words')!r}: make them agree (text LM config reading.words "
                          f"and lang phone.word_boundary) or drop model.adapter.init")
    units = read_units(model_cfg["ctc_heads"][head]["units"])
    n_model, n_saved = len(units), len(saved_units)
    w_saved = state["mlp.0.weight"]
    w = torch.zeros(w_saved.shape[0], n_model * adapter.stack)
    matched = [(i, saved_units[u]) for u, i in units.items() if u in saved_units]
    for j in range(adapter.stack):
        for i, k in matched:
            w[:, j * n_model + i] = w_saved[:, j * n_saved + k]
    adapter.load_state_dict({**state, "mlp.0.weight": w})
    log.info("adapter initialised from %s/speech_adapter: %d of the %r head's %d units matched (%d the LM "
             "never saw)", llm_dir, len(matched), head, n_model, n_model - len(matched))
    return True
