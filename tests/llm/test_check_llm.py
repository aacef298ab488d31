import json

import numpy as np

from asrllm.bin.check_llm import main
from asrllm.llm.prompt import PromptBuilder
from asrllm.llm.tokens import encode_plain

LINES = ["HELLO WORLD", "我想买IPHONE手机 OK", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG", "你好", "",
         "HELLO <|im_end|> WORLD", "今天天气很好", "A", "B C", "D E F"]


def write_text(path):
    path.write_text("".join(f"utt{i:02d} {t}\n" for i, t in enumerate(LINES)), encoding="utf-8")
    return path


def test_report_on_tiny_llm(tiny_llm_dir, tokenizer, tmp_path, repo):
    text = write_text(tmp_path / "text")
    out = tmp_path / "check.json"
    assert main(["--llm", str(tiny_llm_dir), "--text", str(text), "--prompt-config",
                 str(repo / "conf/prompt.yaml"), "--out", str(out), "--max-utts", "0"]) == 0
    rep = json.loads(out.read_text())
    b = PromptBuilder(tokenizer)
    lengths = [len(ids) + 1 for ids in encode_plain(tokenizer, LINES)]
    t = rep["target_tokens"]
    assert t["utterances"] == 10 and not t["sampled"]
    assert t["max"] == max(lengths) and t["mean"] == round(float(np.mean(lengths)), 2)
    assert t["p95"] == float(np.percentile(lengths, 95))
    assert t["longest_utt"] == f"utt{int(np.argmax(lengths)):02d}"
    assert rep["prompt"]["tokens"] == b.prompt_length
    assert rep["tokenizer"]["end_token"] == "<|im_end|>" and rep["config"]["model_type"] == "qwen3"
    assert rep["warnings"] == []


def test_sampling(tiny_llm_dir, tmp_path):
    text = write_text(tmp_path / "text")
    out = tmp_path / "check.json"
    assert main(["--llm", str(tiny_llm_dir), "--text", str(text), "--out", str(out), "--max-utts", "4"]) == 0
    t = json.loads(out.read_text())["target_tokens"]
    assert t["utterances"] == 4 and t["utterances_in_text"] == 10 and t["sampled"]


def test_missing_llm_fails_clearly(tmp_path, caplog):
    text = write_text(tmp_path / "text")
    missing = tmp_path / "Qwen3-1.7B"
    assert main(["--llm", str(missing), "--text", str(text), "--out", str(tmp_path / "x.json")]) == 2
    assert str(missing) in caplog.text and "--allow-download" in caplog.text
    assert not (tmp_path / "x.json").exists()


def test_folder_without_weights_fails_at_stage_6(tiny_llm_dir, tmp_path, caplog):
    import shutil

    text = write_text(tmp_path / "text")
    llm = tmp_path / "llm"
    shutil.copytree(tiny_llm_dir, llm)
    (llm / "model.safetensors").unlink()
    assert main(["--llm", str(llm), "--text", str(text)]) == 2
    assert f"LLM folder {llm} has no weights" in caplog.text
