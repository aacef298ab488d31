"""Stage 13 end to end on a toy data dir and toy encoders: analysis.json, plots, spans cache, RESULTS.md."""

import json
import shutil

import numpy as np
import pytest
import soundfile as sf
import torch
import yaml

from asrllm.analysis.spans import load_or_compute
from asrllm.bin import analyze
from asrllm.lang.config import LangConfig
from asrllm.lang.phone import PhoneLabeler
from asrllm.lang.units import write_units
from asrllm.models.build import build_model, save_pretrained
from asrllm.scoring.results import render_results

SR = 16000
SENTENCES = ["你好世界", "打开空调", "关上窗户", "HELLO 世界", "今天天气很好", "打开窗户"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("analysis")
    lang = LangConfig()
    labeler = PhoneLabeler(lang.phone)
    data, lang_dir = root / "data" / "dev", root / "lang_phone"
    data.mkdir(parents=True)
    lang_dir.mkdir()
    (lang_dir / "lang.yaml").write_text(yaml.safe_dump({"unit": "phone", "phone": lang.to_dict()["phone"]}))
    rng = np.random.default_rng(0)
    rows = {"wav.scp": [], "utt2num_samples": [], "text": [], "text.phone": [], "utt2spk": []}
    phones = set()
    for i in range(12):
        utt = f"spk{i % 3}-u{i:02d}"
        text = SENTENCES[i % len(SENTENCES)]
        seq, _ = labeler.phones(text)
        phones.update(seq)
        n = int(SR * (1.2 + 0.05 * i))
        x = (0.1 * np.sin(2 * np.pi * (120 + 15 * i) * np.arange(n) / SR) + 0.02 * rng.standard_normal(n))
        sf.write(root / f"{utt}.flac", x.astype(np.float32), SR, subtype="PCM_16")
        rows["wav.scp"].append(f"{utt} {root / (utt + '.flac')}")
        rows["utt2num_samples"].append(f"{utt} {n}")
        rows["text"].append(f"{utt} {text}")
        rows["text.phone"].append(f"{utt} {' '.join(seq)}")
        rows["utt2spk"].append(f"{utt} {utt.split('-')[0]}")
    for name, lines in rows.items():
        (data / name).write_text("".join(line + "\n" for line in sorted(lines)))
    units = write_units(lang_dir / "phones.txt", sorted(phones))
    cfg = {"encoder": {"type": "conformer", "input_size": 80, "subsampling": {"type": "light", "channels": 4},
                       "conf": {"output_size": 16, "attention_heads": 2, "linear_units": 16, "num_blocks": 1}},
           "ctc_heads": {"phone": {"units": str(lang_dir / "phones.txt"), "hidden": 16, "layers": 2}}}
    exp = root / "exp" / "asr_llm_entropy"
    torch.manual_seed(0)
    model = build_model(cfg, with_llm=False)
    save_pretrained(model, cfg, exp / "pretrain" / "final")
    with torch.no_grad():  # a "joint" encoder that drifted a little
        for p in model.encoder.parameters():
            p.add_(0.3 * torch.randn_like(p) * p.std().clamp(min=1e-3))
    save_pretrained(model, cfg, exp / "joint" / "final")
    (exp / "pretrain" / "cka.tsv").write_text("step\treference_step\tcka\ttriggered\n10\t5\t0.99\t0\n15\t5\t0.97\t1\n")
    (exp / "pretrain" / "swaps.json").write_text(json.dumps({"threshold": 0.975, "triggers": [
        {"index": 1, "step": 15, "cka": 0.97, "reference_step": 5, "snapshot": "x"}], "final": {"step": 20}}))
    conf = root / "analysis.yaml"
    conf.write_text(yaml.safe_dump({"eval": {"device": "cpu", "frames_budget": 2000},
                                    "probe": {"seeds": [0, 1], "weight_decays": [10.0], "max_iter": 30,
                                              "test_fraction": 0.25, "unit_min_count": 1, "device": "cpu"}}))
    argv = ["--exps", str(exp), "--data-dir", str(data), "--lang-dir", str(lang_dir), "--config", str(conf),
            "--out-dir", str(exp / "analysis" / "dev"), "--num-threads", "1"]
    assert len(units) > 10
    threads = torch.get_num_threads()
    yield exp, argv
    torch.set_num_threads(threads)


def test_analysis_runs_and_writes_everything(setup):
    exp, argv = setup
    assert analyze.main(argv) == 0
    out = exp / "analysis" / "dev"
    doc = json.loads((out / "analysis.json").read_text())
    assert [m["name"] for m in doc["models"]] == ["entropy/pretrain", "entropy/joint"]
    pre, joint = doc["models"]
    assert pre["cka"]["value"] == 1.0 and 0.0 < joint["cka"]["value"] < 1.0
    for m in doc["models"]:
        assert 0.0 < m["nse"] < 1.0 and m["dim"] == 16
        assert m["pai"]["bits"] is not None and len(m["pai"]["per_seed"]) == 2
        assert m["csai"]["bits"] is not None and m["csai"]["segments"] == doc["segments"]["segments"]
    assert doc["segments"]["utterances"] == 12 and doc["segments"]["utterances_without_units"] == 0
    assert doc["config"]["probe"]["seeds"] == [0, 1] and doc["cka_pretraining"]["threshold"] == 0.975
    for png in doc["plots"].values():
        assert (out / png).read_bytes()[:4] == b"\x89PNG"
    spans = [json.loads(line) for line in (out / "spans.dev.jsonl").read_text().splitlines()]
    assert spans[0]["meta"]["utts"] == 12 and len(spans) == 13
    for rec in spans[1:]:
        assert len(rec["spans"]) == len(rec["phones"]) == len(rec["units"])
        ends = [b for _, b in rec["spans"]]
        assert all(0 <= a < b <= rec["frames"] for a, b in rec["spans"]) and ends == sorted(ends)
    hello = next(r for r in spans[1:] if r["units"][0] == "HELLO")
    assert hello["units"][-1] == "界" and hello["phones"][0] == "HH"

    # the spans cache is reused while its inputs are unchanged, recomputed when one changed
    cache, meta = out / "spans.dev.jsonl", spans[0]["meta"]
    assert load_or_compute(cache, meta, lambda: pytest.fail("recomputed")) == spans[1:]
    assert load_or_compute(cache, {**meta, "text.phone": "changed"}, lambda: []) == []
    assert json.loads(cache.read_text())["meta"]["text.phone"] == "changed"

    text = render_results(exp)
    assert "## Entropy allocation" in text and "|entropy/joint|" in text and "figure1_entropy_allocation.png" in text


def test_bad_arguments_fail_with_a_message(setup, caplog):
    exp, argv = setup
    assert analyze.main([*argv[2:], "--models", "entropy/joint=" + str(exp / "nowhere")]) == 1
    assert "does not exist" in caplog.text
    assert analyze.main([*argv[2:], "--models", "oops"]) == 1
    assert "NAME=PATH" in caplog.text
    assert analyze.main([*argv[2:], "--models", f"conventional/joint={exp / 'joint'}"]) == 1
    assert "no reference aligner" in caplog.text


def test_an_encoder_already_analysed_is_not_analysed_again(setup, tmp_path, caplog):
    exp, argv = setup
    copy = tmp_path / "asr_llm_entropy"
    shutil.copytree(exp / "pretrain", copy / "pretrain")
    shutil.copytree(exp / "joint", copy / "joint")
    shutil.copytree(exp / "pretrain" / "final", copy / "iasft" / "final")  # IA-SFT ends on the last snapshot
    out = tmp_path / "analysis"
    args = [*argv]
    args[args.index("--exps") + 1], args[args.index("--out-dir") + 1] = str(copy), str(out)
    assert analyze.main(args) == 0
    pre, iasft, joint = json.loads((out / "analysis.json").read_text())["models"]
    assert iasft["name"] == "entropy/iasft" and iasft["same_encoder_as"] == "entropy/pretrain"
    assert "same_encoder_as" not in joint and joint["nse"] != pre["nse"]
    for key in ("nse", "pai", "csai", "cka", "frames"):
        assert iasft[key] == pre[key]
    assert "entropy/iasft: encoder weights identical to entropy/pretrain's" in caplog.text
