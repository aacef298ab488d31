"""SpeechLLM: losses, speech-slot filling, save/load round trip."""

import torch

from asrllm.models.build import build_model, from_pretrained, save_pretrained
from asrllm.models.objective import Objective
from asrllm.models.speech_llm import prompt_embeddings, transcript_loss


def test_llm_loss_counts_only_transcript_tokens(model_cfg, toy_batch):
    torch.manual_seed(0)
    model = build_model(model_cfg)
    batch = toy_batch()
    out = model(batch)
    expected = sum(len(t) for t in model.prompt.target_ids(batch["text"]))
    assert int(out["num_tokens"]) == expected
    assert torch.isfinite(out["loss"]) and out["loss"] > 0
    out["loss"].backward()
    assert model.adapter.mlp[0].weight.grad is not None


def test_transcript_loss_equals_the_loss_over_all_positions(model_cfg, toy_batch):
    # logits are computed from the earliest transcript position on (logits_to_keep); rows with
    # speech of different lengths start their transcripts at different positions
    model = build_model(model_cfg).eval()
    batch = toy_batch()
    _, _, speech, speech_lens = model.speech_embeddings(batch["feats"], batch["feat_lens"])
    assert speech_lens[0] != speech_lens[1]
    with torch.no_grad():
        ce_sum, n, correct = transcript_loss(model.llm, model.prompt, speech, speech_lens, batch["text"])
        prompt, embeds = prompt_embeddings(model.llm, model.prompt, speech, speech_lens, batch["text"])
        logits = model.llm(inputs_embeds=embeds, attention_mask=prompt.attention_mask,
                           position_ids=prompt.position_ids).logits[:, :-1]
    target = prompt.labels[:, 1:]
    full = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                                             ignore_index=-100, reduction="sum")
    torch.testing.assert_close(ce_sum, full)
    assert int(n) == int((target != -100).sum())
    assert int(correct) == int(((logits.argmax(-1) == target) & (target != -100)).sum())


def test_speech_slots_hold_the_adapter_output(model_cfg, toy_batch):
    model = build_model(model_cfg).eval()
    batch = toy_batch()
    _, _, speech, speech_lens = model.speech_embeddings(batch["feats"], batch["feat_lens"])
    prompt, embeds = model.llm_inputs(speech, speech_lens, batch["text"])
    for b in range(2):
        rows = embeds[b][prompt.speech_mask[b]]
        assert torch.equal(rows, speech[b, :int(speech_lens[b])])
        text_rows = embeds[b][~prompt.speech_mask[b]]
        assert torch.equal(text_rows, model.llm.get_input_embeddings()(prompt.input_ids[b][~prompt.speech_mask[b]]))


def test_ctc_and_cr_ctc_objectives(model_cfg, toy_batch):
    def model(**weights):
        torch.manual_seed(0)
        return build_model(model_cfg, with_llm=False, objective=Objective("ctc", "phone", **weights))

    batch = toy_batch()
    plain = model()(batch)
    assert int(plain["num_tokens"]) == 8 and plain["loss"] > 0
    cr = model(cr_ctc_weight=0.2)(batch)
    # without SpecAugment both views are equal: the consistency term is zero and the CTC part matches
    assert float(cr["cr"]) < 1e-6
    assert torch.allclose(cr["ctc"], plain["ctc"], atol=1e-5)


def test_save_and_load_round_trip(model_cfg, tmp_path, toy_batch):
    model = build_model(model_cfg).eval()
    batch = toy_batch()
    with torch.no_grad():
        before = model(batch)["loss"]
    save_pretrained(model, model_cfg, tmp_path / "m")
    loaded, cfg = from_pretrained(tmp_path / "m")
    with torch.no_grad():
        after = loaded.eval()(batch)["loss"]
    assert torch.equal(before, after)
    assert cfg["ctc_heads"]["phone"]["units"].startswith(str(tmp_path / "m"))


def test_lora_save_and_load_round_trip(model_cfg, tmp_path, toy_batch):
    model_cfg["llm"]["lora"] = {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj"]}
    model = build_model(model_cfg).eval()
    trainable = {n for n, p in model.llm.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
    with torch.no_grad():
        for n, p in model.llm.named_parameters():
            if "lora_B" in n:
                p.add_(0.1)  # make the adapter matter
        before = model(toy_batch())["loss"]
    save_pretrained(model, model_cfg, tmp_path / "lora")
    loaded, _ = from_pretrained(tmp_path / "lora")
    with torch.no_grad():
        assert torch.allclose(loaded.eval()(toy_batch())["loss"], before, atol=1e-6)
    save_pretrained(model, model_cfg, tmp_path / "merged", merge_lora=True)
    merged, _ = from_pretrained(tmp_path / "merged")
    with torch.no_grad():
        assert torch.allclose(merged.eval()(toy_batch())["loss"], before, atol=1e-5)


def test_auxiliary_ctc_term_in_the_llm_objective(model_cfg, toy_batch):
    batch = toy_batch()
    with torch.no_grad():
        torch.manual_seed(0)
        plain = build_model(model_cfg).eval()(batch)
        torch.manual_seed(0)
        both = build_model(model_cfg, objective=Objective("llm", "phone", ctc_weight=0.5)).eval()(batch)
    assert "ctc" in both and torch.allclose(both["loss"], plain["loss"] + 0.5 * both["ctc"], atol=1e-5)


def test_gradient_checkpointing_gives_the_same_gradients(model_cfg, toy_batch):
    torch.manual_seed(0)
    model = build_model(model_cfg).train()
    batch = toy_batch()
    model(batch)["loss"].backward()
    ref = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    model.zero_grad()
    model.gradient_checkpointing_enable()
    model(batch)["loss"].backward()
    for n, g in ref.items():
        assert torch.allclose(dict(model.named_parameters())[n].grad, g, atol=1e-5), n


def test_adapter_reads_the_encoder_frames_and_nothing_else(model_cfg, toy_batch):
    """The method's path in every recipe: encoder frames -> stack -> MLP; the demo-only inputs are gone."""
    import pytest

    from asrllm.config import ConfigError

    model = build_model(model_cfg).eval()
    assert model.adapter.mlp[0].in_features == 4 * model.encoder.output_size
    batch = toy_batch()
    with torch.no_grad():
        frames, lens = model.encode(batch["feats"], batch["feat_lens"])
        _, _, speech, speech_lens = model.speech_embeddings(batch["feats"], batch["feat_lens"])
    assert torch.equal(speech, model.adapter(frames, lens)[0])
    assert torch.equal(speech_lens, (lens + 3) // 4)
    for bad, message in [({"input": "ctc_posteriors"}, "unknown key"), ({"words": "|"}, "unknown key"),
                         ({"init": "llm"}, "random, reader")]:
        with pytest.raises(ConfigError, match=message):
            build_model(dict(model_cfg, adapter={"stack": 4, "hidden": 32, **bad}))


def test_llm_weights_load_in_float32_unless_configured(model_cfg, tiny_llm_dir, tmp_path):
    """A folder saved in bf16 (as Qwen3's config.json says) still trains on float32 weights."""
    import shutil

    import pytest
    from transformers import AutoModelForCausalLM

    from asrllm.config import ConfigError

    bf16_dir = tmp_path / "bf16_llm"
    shutil.copytree(tiny_llm_dir, bf16_dir)
    AutoModelForCausalLM.from_pretrained(tiny_llm_dir).to(torch.bfloat16).save_pretrained(bf16_dir)
    model_cfg["llm"] = {"path": str(bf16_dir)}
    assert {p.dtype for p in build_model(model_cfg).llm.parameters()} == {torch.float32}
    model_cfg["llm"]["dtype"] = "bfloat16"
    assert {p.dtype for p in build_model(model_cfg).llm.parameters()} == {torch.bfloat16}
    model_cfg["llm"]["dtype"] = "fp8"
    with pytest.raises(ConfigError, match="model.llm.dtype"):
        build_model(model_cfg)
