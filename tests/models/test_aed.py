"""The aed objective (conventional paradigm's stage 7): ESPnet's hybrid CTC/attention loss of a CTC
head and espnet2's Transformer decoder, its config errors, and the saved model's round trip."""

import pytest
import torch

from asrllm.config import ConfigError
from asrllm.models.aed_decoder import IGNORE_ID
from asrllm.models.build import build_model, from_pretrained, save_pretrained
from asrllm.models.objective import Objective


@pytest.fixture
def aed_cfg(model_cfg):
    cfg = {k: v for k, v in model_cfg.items() if k not in ("adapter", "llm")}
    cfg["aed_decoder"] = {"labels": "phone", "conf": {"attention_heads": 2, "linear_units": 32, "num_blocks": 1,
                                                      "dropout_rate": 0.0, "positional_dropout_rate": 0.0}}
    return cfg


def aed_model(cfg, seed=0, objective=None):
    """The same weights for one seed, whatever the objective given to the constructor."""
    torch.manual_seed(seed)
    model = build_model(cfg, with_llm=False, objective=objective)
    assert objective or model.objective == Objective("aed", "phone")  # a decoder: the aed default
    return model


def test_the_decoder_comes_in_through_the_constructor_with_units_plus_sos_eos(aed_cfg):
    model = aed_model(aed_cfg)
    # 22 units (<blank>, <unk>, p0..p19) + one <sos/eos> id
    assert model.aed_decoder.vocab_size == 23 and model.aed_decoder.sos == model.aed_decoder.eos == 22
    assert "aed_decoder" in dict(model.named_children())


def test_decoder_targets_add_sos_and_eos():
    from asrllm.models.aed_decoder import AttentionDecoder

    dec = AttentionDecoder(16, 10, "phone", {"attention_heads": 2, "linear_units": 8, "num_blocks": 1})
    ids = torch.tensor([[4, 5, 6], [7, 0, 0]])  # the collate pads with 0 (<blank>)
    ys_in, in_lens, ys_out = dec.targets(ids, torch.tensor([3, 1]))
    assert ys_in.tolist() == [[10, 4, 5, 6], [10, 7, 10, 10]] and in_lens.tolist() == [4, 2]
    assert ys_out.tolist() == [[4, 5, 6, 10], [7, 10, IGNORE_ID, IGNORE_ID]]


def test_aed_loss_is_finite_and_reaches_encoder_ctc_head_and_decoder(aed_cfg, toy_batch):
    model = aed_model(aed_cfg).train()
    out = model(toy_batch())
    assert torch.isfinite(out["loss"]) and out["loss"] > 0 and int(out["num_tokens"]) == 8
    assert {"ctc", "att", "acc"} <= set(out)
    out["loss"].backward()
    for prefix in ("encoder.", "ctc_heads.phone.", "aed_decoder."):
        grads = [p.grad for n, p in model.named_parameters() if n.startswith(prefix)]
        assert grads and all(g is not None for g in grads), prefix
        assert sum(float(g.abs().sum()) for g in grads) > 0, prefix


def test_hybrid_weights(aed_cfg, toy_batch):
    batch = toy_batch()
    with torch.no_grad():
        mixed = aed_model(aed_cfg).eval()(batch)
        ctc_only = aed_model(aed_cfg, objective=Objective("aed", "phone", aed_ctc_weight=1.0)).eval()(batch)
        plain = aed_model(aed_cfg, objective=Objective("ctc", "phone")).eval()(batch)
    assert torch.equal(ctc_only["loss"], plain["loss"])  # ctc_weight 1.0: the plain CTC loss
    # 0.3 * CTC + 0.7 * attention, both summed and divided by the label count (8); att is per
    # decoder target (the 8 labels + 2 <eos>)
    expected = 0.3 * mixed["ctc"] + 0.7 * mixed["att"] * 10 / 8
    torch.testing.assert_close(mixed["loss"], expected)


def smoothed_loss(logits, target, eps):
    """Summed KL to ESPnet's smoothed target: 1 - eps on the label, eps / (V - 1) on the others."""
    v = logits.shape[-1]
    valid = target != IGNORE_ID
    logp = logits[valid].log_softmax(-1)
    q = torch.full_like(logp, eps / (v - 1))
    q.scatter_(1, target[valid][:, None], 1 - eps)
    return (q * (q.clamp_min(1e-30).log() - logp)).sum()


@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_label_smoothing_weight_is_the_one_configured(aed_cfg, toy_batch, eps):
    model = aed_model(aed_cfg).eval()
    batch = toy_batch()
    dec = model.aed_decoder
    with torch.no_grad():
        frames, lens = model.encoder(batch["feats"], batch["feat_lens"])
        att, n, _ = dec.loss(frames, lens, batch["phone_ids"], batch["phone_lens"], eps)
        ys_in, in_lens, ys_out = dec.targets(batch["phone_ids"], batch["phone_lens"])
        logits, _ = dec.decoder(frames, lens, ys_in, in_lens)
    assert int(n) == 10
    torch.testing.assert_close(att, smoothed_loss(logits, ys_out, eps))
    if eps == 0.0:  # no smoothing: plain cross-entropy
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, 23), ys_out.reshape(-1), ignore_index=IGNORE_ID,
                                               reduction="sum")
        torch.testing.assert_close(att, ce)
    with torch.no_grad():
        out = aed_model(aed_cfg, objective=Objective("aed", "phone", aed_lsm_weight=eps)).eval()(batch)
    torch.testing.assert_close(out["att"], att / 10)


@pytest.mark.parametrize("change, message", [
    ({"labels": "char"}, "model.aed_decoder.labels"),
    ({"labels": None}, "model.aed_decoder.labels"),
    ({"conf": {"num_layers": 2}}, "model.aed_decoder.conf: unknown key(s) ['num_layers']"),
    ({"conf": {"num_blocks": "two"}}, "model.aed_decoder.conf"),
    ({"size": 3}, "model.aed_decoder: unknown key 'size'"),
])
def test_bad_decoder_config_is_named(aed_cfg, change, message):
    aed_cfg["aed_decoder"] = {**aed_cfg["aed_decoder"], **change}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        build_model(aed_cfg, with_llm=False)


def test_saved_aed_model_holds_the_decoder_and_reloads(aed_cfg, toy_batch, tmp_path):
    model = aed_model(aed_cfg).eval()
    batch = toy_batch()
    with torch.no_grad():
        before = model(batch)
    save_pretrained(model, aed_cfg, tmp_path / "final")
    state = torch.load(tmp_path / "final/speech.pt", weights_only=True)
    assert any(k.startswith("aed_decoder.") for k in state)
    loaded, cfg = from_pretrained(tmp_path / "final", with_llm=False)
    assert cfg["aed_decoder"]["labels"] == "phone" and loaded.objective.kind == "aed"
    with torch.no_grad():
        after = loaded.eval()(batch)
    assert torch.equal(before["loss"], after["loss"]) and torch.equal(before["att"], after["att"])
