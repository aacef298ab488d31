"""asrllm.bin.bench_train_step on CPU: toy encoder, a tiny Qwen3 config folder (no weights, no tokenizer)."""

import json

import pytest
import torch

from asrllm.bin import bench_train_step

QWEN3_TINY = {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 512, "hidden_size": 32,
              "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
              "head_dim": 8, "max_position_embeddings": 1024, "tie_word_embeddings": True, "rms_norm_eps": 1e-6}


@pytest.fixture(scope="module")
def llm_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("qwen3_tiny_config")
    (d / "config.json").write_text(json.dumps(QWEN3_TINY))
    return d


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def bench(repo, tmp_path, llm_dir, stage, *extra):
    out = tmp_path / f"{stage}.json"
    rc = bench_train_step.main(["--model-config", str(repo / "conf/model/toy.yaml"), "--llm-config", str(llm_dir),
                                "--stage", stage, "--utt-seconds", "1", "--batch-size", "2", "--tokens-per-utt", "4",
                                "--steps", "2", "--warmup", "1", "--device", "cpu", "--out", str(out), *extra])
    assert rc == 0
    return json.loads(out.read_text())


def test_joint_and_pretrain(repo, tmp_path, llm_dir, capsys):
    joint = bench(repo, tmp_path, llm_dir, "joint")
    assert "step time mean / min (s)" in capsys.readouterr().out  # the human-readable table
    for key in ("device_name", "torch_version", "amp", "peak_memory_gib", "audio_seconds_per_s",
                "llm_tokens_per_s", "build_s"):
        assert key in joint
    assert joint["status"] == "ok" and joint["stage"] == "joint" and joint["device"] == "cpu"
    assert joint["amp"] == "off" and joint["peak_memory_gib"] is None  # autocast is CUDA-only, as in training
    assert joint["timed_steps"] == 2 and len(joint["step_time_s"]["all"]) == 2
    assert joint["step_time_s"]["min"] <= joint["step_time_s"]["mean"]
    assert joint["frames_per_utt"] == 100
    assert joint["audio_seconds_per_s"] == pytest.approx(2 * 1.0 / joint["step_time_s"]["mean"])
    p = joint["params"]
    assert p["llm"] > 0 and p["adapter"] > 0 and p["encoder"] > 0
    assert p["total"] == p["encoder"] + p["ctc_heads"] + p["adapter"] + p["llm"]
    assert p["trainable"] == p["total"]  # joint: everything trains
    # transcripts are tokens_per_utt random ids + the closing <|im_end|>, per utterance
    assert joint["target_tokens_per_step"] == 2 * (4 + 1)
    assert joint["llm_positions_per_step"] > joint["target_tokens_per_step"] + 2 * joint["prompt_tokens"]
    assert joint["llm_tokens_per_s"] > 0 and joint["loss_last"] > 0

    pretrain = bench(repo, tmp_path, llm_dir, "pretrain")
    q = pretrain["params"]
    assert pretrain["objective"] == "ctc" and pretrain["llm_tokens_per_s"] is None
    assert q["llm"] == 0 and q["adapter"] == 0 and q["ctc_heads"] > 0  # encoder + phone CTC head only
    assert q["trainable"] == q["encoder"] + q["ctc_heads"] == q["total"]
    assert q["encoder"] == p["encoder"]


def test_aed_pretraining(repo, tmp_path, llm_dir):
    """conventional's stage 7: encoder, char CTC head and attention decoder, all trained."""
    r = bench(repo, tmp_path, llm_dir, "pretrain", "--train-config", str(repo / "conf/train/pretrain_aed.yaml"))
    q = r["params"]
    assert r["status"] == "ok" and r["objective"] == "aed" and q["aed_decoder"] > 0 and q["llm"] == 0
    assert q["trainable"] == q["total"] == q["encoder"] + q["ctc_heads"] + q["aed_decoder"]
    assert r["loss_last"] > 0


def test_align_trains_only_the_adapter(repo, tmp_path, llm_dir):
    r = bench(repo, tmp_path, llm_dir, "align", "--warmup", "0", "--steps", "1")
    assert r["params"]["trainable"] == r["params"]["adapter"] > 0
    assert r["trainable_by_module"] == {"encoder": 0, "adapter": r["params"]["adapter"], "llm": 0}


@pytest.mark.parametrize("args, message", [
    (["--stage", "finetune"], "--stage 'finetune': must be one of pretrain, align, iasft, joint"),
    (["--stage", "joint", "--model-config", "nope.yaml"], "--model-config nope.yaml: no such file"),
    (["--stage", "joint", "--llm-config", "/nonexistent"], "--llm-config /nonexistent: no config.json there"),
])
def test_bad_input_is_one_line(repo, args, message, caplog):
    argv = ["--model-config", str(repo / "conf/model/toy.yaml"), "--device", "cpu", *args]
    assert bench_train_step.main(argv) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].startswith(f"bench_train_step: {message}")
    assert not any(r.exc_info for r in caplog.records)


def test_llm_stage_without_llm_config(repo, caplog):
    argv = ["--model-config", str(repo / "conf/model/toy.yaml"), "--stage", "iasft", "--device", "cpu"]
    assert bench_train_step.main(argv) == 1
    assert "give --llm-config" in caplog.text
