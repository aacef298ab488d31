"""The mini recipe's smoke run (egs/mini/asr_llm/run.sh --smoke true) through every stage that
exists, in a fresh copy of the recipe: data, labels, the four training stages of every paradigm,
an interrupted pre-training that resumes, and the frozen/trained parameters of each stage."""

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import torch

from asrllm.kaldi.table import read_table_dict

pytestmark = pytest.mark.slow
STAGES = "--stop_stage 10"


@pytest.fixture(scope="module")
def recipe(repo, tmp_path_factory) -> Path:
    """A recipe folder whose entries link to egs/mini/asr_llm: every output lands in tmp."""
    src = repo / "egs/mini/asr_llm"
    d = tmp_path_factory.mktemp("mini") / "asr_llm"
    d.mkdir()
    for name in ["run.sh", "cmd.sh", "db.sh", "path.sh", "asr_llm.sh", "utils", "conf", "local"]:
        (d / name).symlink_to((src / name).resolve())
    return d


def run(recipe, *args, check=True):
    r = subprocess.run(["./run.sh", "--smoke", "true", *args], cwd=recipe, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"run.sh {' '.join(args)} failed:\n{r.stderr[-4000:]}")
    return r


def snapshot_encoder(path):
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {k: v for k, v in state.items() if k.startswith("encoder.")}


def speech_state(model_dir):
    return torch.load(Path(model_dir) / "speech.pt", map_location="cpu", weights_only=True)


def llm_state(model_dir):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True).state_dict()


def same(a: dict, b: dict, prefix: str) -> bool:
    keys = [k for k in a if k.startswith(prefix)]
    assert keys, f"no '{prefix}' weights"
    return all(torch.equal(a[k], b[k]) for k in keys)


def test_data_and_label_stages(recipe):
    run(recipe, "--stop_stage", "6")
    for n, name in enumerate(["data_prep", "speed_perturb", "format_audio", "filter", "features", "labels"], 1):
        assert (recipe / f"dump_smoke/.stages/stage{n}.{name}.done").is_file()
    phones = (recipe / "dump_smoke/filtered/test_zh/text.phone").read_text().splitlines()
    assert phones and all(len(line.split()) > 1 for line in phones)
    assert (recipe / "data_smoke/lang_phone/oov_report.txt").is_file()
    # stage 4 (conf/data.yaml): training set = clean + noisy copies + non-speech clips (empty text, no labels)
    train = recipe / "dump_smoke/filtered/train_sp"
    text = read_table_dict(train / "text", allow_empty_value=True)
    clean = read_table_dict(recipe / "dump_smoke/augment/train_sp/clean/text")
    noisy = [u for u in text if u.startswith("noisy-")]
    silent = [u for u in text if u.startswith("nonspeech-")]
    assert noisy and silent and len(text) == len(clean) + len(noisy) + len(silent)
    assert 0.1 < len(noisy) / len(clean) < 0.3 and all(text[u] == clean[u[len("noisy-"):]] for u in noisy)
    labels = read_table_dict(train / "text.phone", allow_empty_value=True)
    assert all(text[u] == "" and labels[u] == "" for u in silent)
    assert set(read_table_dict(train / "feats.scp")) == set(text)


def test_pretraining_killed_midway_resumes(recipe):
    proc = subprocess.Popen(["./run.sh", "--smoke", "true", "--stage", "7", "--stop_stage", "7"], cwd=recipe,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    ckpts = recipe / "exp_smoke/asr_llm_entropy/pretrain/checkpoints"
    for _ in range(1800):
        if list(ckpts.glob("ckpt_*.pt")) or proc.poll() is not None:
            break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (recipe / "exp_smoke/asr_llm_entropy/.stages/stage7.pretrain.done").exists()
    run(recipe, "--stage", "7", "--stop_stage", "7")
    log = (recipe / "exp_smoke/asr_llm_entropy/pretrain/train.log").read_text()
    assert "resumed from" in log


def _pids_with(*words):
    out = []
    for d in Path("/proc").iterdir():
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if d.name.isdigit() and all(w in cmd for w in words):
            out.append(int(d.name))
    return out


def test_a_stopped_driver_leaves_no_trainer_behind(recipe, tmp_path):
    """kill -TERM of the driver alone: it stops its launcher, which stops the trainer."""
    run(recipe, "--stop_stage", "6")
    exp = str(tmp_path / "exp")
    proc = subprocess.Popen(["./run.sh", "--smoke", "true", "--stage", "7", "--stop_stage", "7", "--expdir", exp],
                            cwd=recipe, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        for _ in range(600):
            if _pids_with("asrllm.bin.train", exp):
                break
            time.sleep(0.05)
        driver = _pids_with("asr_llm.sh", exp)
        assert driver and _pids_with("asrllm.bin.train", exp), "training did not start"
        os.kill(driver[0], signal.SIGTERM)
        assert proc.wait(30) != 0 and "stopped by a signal" in proc.stderr.read()
        for _ in range(100):
            if not _pids_with("asrllm.bin.train", exp):
                break
            time.sleep(0.1)
        assert not _pids_with("asrllm.bin.train", exp), "the trainer outlived its driver"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def test_entropy_paradigm_stages_train_what_they_should(recipe):
    run(recipe, "--stop_stage", "10")
    exp = recipe / "exp_smoke/asr_llm_entropy"
    swaps = (exp / "pretrain/swaps.json").read_text()
    assert '"triggers": [' in swaps and (exp / "pretrain/cka.tsv").is_file()
    applied = (exp / "iasft/swaps_applied.json").read_text()
    assert '"snapshot"' in applied, "IA-SFT logged no hot-swap"
    import json
    first = json.loads(swaps)["triggers"][0]["snapshot"]
    final_snap = json.loads(swaps)["final"]["snapshot"]
    align, iasft, joint = (speech_state(exp / s / "final") for s in ("align", "iasft", "joint"))
    # alignment: the encoder is the first CKA-triggered snapshot, untouched; the LLM is untouched
    assert same(align, snapshot_encoder(first), "encoder.")
    text_lm = llm_state(recipe / "data_smoke/text_lm")
    align_llm = llm_state(exp / "align/final/llm")
    assert all(torch.equal(text_lm[k], align_llm[k]) for k in text_lm)
    # alignment started from the adapter the text LM learned to read phone posteriors with
    assert "adapter initialised from" in (exp / "align/train.log").read_text()
    assert (recipe / "data_smoke/text_lm/speech_adapter/adapter.pt").is_file()
    # IA-SFT: ends with the final pre-trained encoder hot-swapped in; adapter and LLM trained
    assert same(iasft, snapshot_encoder(final_snap), "encoder.")
    assert not same(iasft, align, "adapter.")
    iasft_llm = llm_state(exp / "iasft/final/llm")
    assert any(not torch.equal(iasft_llm[k], align_llm[k]) for k in iasft_llm)
    # joint SFT: everything trains
    assert not same(joint, iasft, "encoder.") and not same(joint, iasft, "adapter.")


def test_evaluation_stages_and_the_packed_model(recipe):
    """Stages 11, 12, 14, 15 on the entropy model: decode, score, hallucination, pack, transcribe."""
    run(recipe, "--stage", "11", "--stop_stage", "12")
    run(recipe, "--stage", "14", "--stop_stage", "15")  # 13 (analysis) waits for every paradigm, below
    exp = recipe / "exp_smoke/asr_llm_entropy"
    for t in ["test_en", "test_zh", "test_en_unseen", "test_zh_unseen", "test_en_noisy", "test_zh_noisy"]:
        assert (exp / f"decode_joint/{t}/rtf.json").is_file()
        assert (exp / f"decode_joint/{t}/score/result.json").is_file()
        assert (exp / f"decode_joint/{t}/score_ctc_phone/result.json").is_file()
    hall = json.loads((exp / "decode_joint/hallucination.json").read_text())
    assert "nonspeech" in json.dumps(hall) and "test_zh_noisy" in hall["test_sets"]
    # stage 4's noisy copy of a test set: every utterance, padded, with the source's transcript
    clean = read_table_dict(recipe / "dump_smoke/filtered/test_zh/text")
    noisy = read_table_dict(recipe / "dump_smoke/filtered/test_zh_noisy/text")
    assert noisy == {f"noisy-{u}": t for u, t in clean.items()}
    # joint SFT's drift.tsv: CKA to the encoder it started from, every 2 updates, lr summed
    rows = [line.split("\t") for line in (exp / "joint/drift.tsv").read_text().splitlines()[1:]]
    assert [int(r[0]) for r in rows] == [2, 4, 6]
    assert 0 < float(rows[0][1]) < float(rows[-1][1]) and all(0 < float(r[2]) <= 1.0 + 1e-6 for r in rows)
    results = (exp / "RESULTS.md").read_text()
    assert "test_zh" in results
    # the same model streamed (it trained with dynamic chunks): its own decode dir, scored beside offline
    run(recipe, "--stage", "11", "--stop_stage", "12", "--streaming", "true")
    for t in ["test_en", "test_zh"]:
        assert json.loads((exp / f"decode_joint_streaming/{t}/rtf.json").read_text())["streaming"] is True
        assert (exp / f"decode_joint_streaming/{t}/score/result.json").is_file()
    results = (exp / "RESULTS.md").read_text()
    assert "decode_joint_streaming/test_en" in results and "decode_joint/test_en" in results
    assert (exp / "decode_joint/test_en/score/result.json").is_file()  # offline results stay
    wav = sorted((recipe / "downloads/mini_corpus/wav").rglob("*.wav"))[0]
    r = subprocess.run(["python3", "-m", "asrllm.bin.transcribe",
                        "--model-dir", str(exp / "packed"), str(wav)],
                       capture_output=True, text=True, cwd=recipe, env=_env(recipe))
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().splitlines()) == 1
    r = subprocess.run(["python3", "-m", "asrllm.bin.transcribe", "--model-dir", str(exp / "packed"),
                        "--streaming", "--chunk-ms", "320", str(wav)], capture_output=True, text=True, cwd=recipe,
                       env=_env(recipe))
    assert r.returncode == 0 and len(r.stdout.strip().splitlines()) == 1 and " partial 1 unstable " in r.stderr
    # the end of `make demo`: where things are, and that example through the transcribe CLI
    r = subprocess.run(["local/show_demo.sh", "--exp", "exp_smoke/asr_llm_entropy", "--datadir", "data_smoke"],
                       capture_output=True, text=True, cwd=recipe)
    assert r.returncode == 0, r.stderr
    assert "exp_smoke/asr_llm_entropy/RESULTS.md" in r.stdout and "recognised: " in r.stdout


def _env(recipe):
    """path.sh's environment: the project's interpreter first on PATH."""
    out = subprocess.run(["bash", "-c", ". ./path.sh && env -0"], cwd=recipe, capture_output=True, check=True)
    return dict(item.split("=", 1) for item in out.stdout.decode().split("\0") if "=" in item)



@pytest.mark.parametrize("paradigm, finals", [
    ("conventional", ["pretrain", "align", "joint"]),
    ("conventional_ctc", ["pretrain", "align", "joint"]),
    ("projector_only", ["pretrain", "align"]),
    ("single_stage", ["joint"]),
])
def test_other_paradigms(recipe, paradigm, finals):
    run(recipe, "--stop_stage", "10", "--paradigm", paradigm)
    exp = recipe / f"exp_smoke/asr_llm_{paradigm}"
    for stage in ["pretrain", "align", "iasft", "joint"]:
        assert (exp / stage / "final/config.yaml").is_file() == (stage in finals), stage
    if paradigm.startswith("conventional"):
        pre_log = (exp / "pretrain/train.log").read_text()
        has_decoder = any(k.startswith("aed_decoder.") for k in speech_state(exp / "pretrain/final"))
        assert has_decoder == (paradigm == "conventional")
        assert (" att " in pre_log) == (paradigm == "conventional")
        assert not any(k.startswith("aed_decoder.") for k in speech_state(exp / "align/final"))
    if paradigm == "conventional":
        # stage 7 trained the attention decoder (all of it trainable; its loss term logged), and the
        # alignment stage started from that model without it
        import re
        counts = re.search(r"params aed_decoder\s+trainable\s+(\d+) /\s+(\d+)", pre_log)
        assert counts and int(counts[1]) == int(counts[2]) > 0
        assert "its attention decoder" in (exp / "align/train.log").read_text()
        assert same(speech_state(exp / "align/final"), speech_state(exp / "pretrain/final"), "encoder.")


def test_concurrent_iasft(recipe, tmp_path):
    """swap.mode concurrent: pre-training runs in the background while alignment and IA-SFT start."""
    run(recipe, "--stop_stage", "6")  # data and labels (skipped when an earlier test made them)
    conf = tmp_path / "train_conf"
    conf.mkdir()
    for f in (recipe / "conf/train_smoke").glob("*.yaml"):
        (conf / f.name).write_text(f"extends: {f.resolve()}\n")
    with open(conf / "iasft.yaml", "a") as f:
        f.write("swap: {mode: concurrent, final_steps: 3}\n")
    r = run(recipe, "--stage", "7", "--stop_stage", "10", "--train_config_dir", str(conf),
            "--expdir", str(tmp_path / "exp"), "--train_threads", "2")
    assert "concurrent IA-SFT: waiting for the first CKA-triggered snapshot" in r.stderr
    assert "2 CPU thread(s) per process" in (tmp_path / "exp/asr_llm_entropy/iasft/train.log").read_text()
    import json
    exp = tmp_path / "exp/asr_llm_entropy"
    applied = json.loads((exp / "iasft/swaps_applied.json").read_text())
    final = json.loads((exp / "pretrain/swaps.json").read_text())["final"]["snapshot"]
    assert applied["mode"] == "concurrent" and applied["applied"][-1]["snapshot"] == final
    assert (exp / "joint/final/config.yaml").is_file()


def test_alignment_starts_while_pretraining_still_runs(recipe, tmp_path):
    """Concurrent IA-SFT's race: alignment starts at the first CKA trigger, when pre-training has not
    written final/ yet; it then starts from the first snapshot with pre-training's CTC heads."""
    import json
    import shutil

    run(recipe, "--stop_stage", "7")
    pre = tmp_path / "pretrain"
    shutil.copytree(recipe / "exp_smoke/asr_llm_entropy/pretrain", pre)
    shutil.rmtree(pre / "final")
    swaps = json.loads((pre / "swaps.json").read_text())
    first = swaps["triggers"][0]["snapshot"].replace(str(recipe / "exp_smoke/asr_llm_entropy/pretrain"), str(pre))
    swaps["triggers"][0]["snapshot"] = first
    (pre / "swaps.json").write_text(json.dumps(swaps))
    cmd = ["python3", "-m", "asrllm.bin.train", "--config", "conf/train_smoke/align.yaml",
           "--model-config", "conf/model_smoke.yaml", "--data-config", "conf/data_smoke.yaml",
           "--train-dir", "dump_smoke/filtered/train_sp", "--valid-dir", "dump_smoke/filtered/dev",
           "--cmvn", "dump_smoke/global_cmvn.json", "--lang", "phone=data_smoke/lang_phone",
           "--out-dir", str(tmp_path / "align"), "--llm", "data_smoke/text_lm",
           "--init-model", str(pre / "final"), "--swaps", str(pre / "swaps.json")]
    r = subprocess.run(cmd, cwd=recipe, capture_output=True, text=True, env=_env(recipe))
    assert r.returncode == 0, r.stderr[-3000:]
    assert "pre-training still running" in r.stderr
    assert same(speech_state(tmp_path / "align/final"), snapshot_encoder(first), "encoder.")


def test_two_fresh_runs_of_one_stage_give_equal_weights(recipe, tmp_path):
    """The model is built after the seed is set: two fresh pre-trainings agree tensor for tensor."""
    run(recipe, "--stop_stage", "6")
    conf = tmp_path / "pretrain.yaml"
    conf.write_text(f"extends: {(recipe / 'conf/train_smoke/pretrain_phone.yaml').resolve()}\n"
                    "train: {max_steps: 12, valid_every: 12, save_every: 12}\n")
    finals = []
    for name in ("a", "b"):
        cmd = ["python3", "-m", "asrllm.bin.train", "--config", str(conf), "--model-config", "conf/model_smoke.yaml",
               "--data-config", "conf/data_smoke.yaml", "--train-dir", "dump_smoke/filtered/train_sp",
               "--valid-dir", "dump_smoke/filtered/dev", "--cmvn", "dump_smoke/global_cmvn.json",
               "--lang", "phone=data_smoke/lang_phone", "--out-dir", str(tmp_path / name)]
        r = subprocess.run(cmd, cwd=recipe, capture_output=True, text=True, env=_env(recipe))
        assert r.returncode == 0, r.stderr[-3000:]
        finals.append(speech_state(tmp_path / name / "final"))
    a, b = finals
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_enter_at_alignment_with_a_supplied_encoder(recipe, tmp_path):
    """--init_encoder skips pre-training: the driver enters at stage 8 with a given encoder."""
    run(recipe, "--stop_stage", "6")
    encoder = recipe / "exp_smoke/asr_llm_entropy/pretrain/final"
    if not encoder.is_dir():
        run(recipe, "--stage", "7", "--stop_stage", "7")
    r = run(recipe, "--stage", "7", "--stop_stage", "8", "--init_encoder", str(encoder),
            "--expdir", str(tmp_path / "exp"))
    assert "stage 7 (pretrain): skipped, the encoder comes from --init_encoder" in r.stderr
    align = speech_state(tmp_path / "exp/asr_llm_entropy/align/final")
    assert same(align, speech_state(encoder), "encoder.")


def test_analysis_stage(recipe):
    """Stage 13 on every paradigm trained above: analysis.json, both plots, a RESULTS.md table."""
    for paradigm in ["entropy", "conventional", "conventional_ctc", "projector_only", "single_stage"]:
        run(recipe, "--stop_stage", "10", "--paradigm", paradigm)
    run(recipe, "--stage", "13", "--stop_stage", "13")
    out = recipe / "exp_smoke/asr_llm_entropy/analysis/dev+test_en+test_zh"
    import json
    analysis = json.loads((out / "analysis.json").read_text())
    assert analysis  # numbers of toy models mean nothing; the pipeline must produce them
    assert (out / "figure1_entropy_allocation.png").stat().st_size > 1000
    assert (out / "cka_pretraining.png").stat().st_size > 1000
    assert "NSE" in (recipe / "exp_smoke/asr_llm_entropy/RESULTS.md").read_text()


def test_compare_paradigms(recipe):
    """local/compare_paradigms.sh: evaluates every paradigm and writes the comparison."""
    # two seeds at once (--jobs 2), as a 2-core machine would run them
    r = subprocess.run(["local/compare_paradigms.sh", "--smoke", "true", "--jobs", "2",
                        "--paradigms", "conventional projector_only single_stage"], cwd=recipe,
                       capture_output=True, text=True)
    logs = "".join((recipe / f"exp_smoke/compare_seed{s}.log").read_text()[-2000:] for s in (0, 1)
                   if (recipe / f"exp_smoke/compare_seed{s}.log").is_file())
    assert r.returncode == 0, r.stderr[-4000:] + logs
    import json
    report = json.loads((recipe / "exp_smoke/paradigm_comparison.json").read_text())
    runs = report["paradigms"]
    assert report["seeds"] == ["0", "1"]
    assert set(runs) == {"entropy", "conventional", "projector_only", "single_stage"}
    for name, rows in runs.items():
        assert [r["seed"] for r in rows] == ["0", "1"], name
        assert rows[1]["exp"].endswith(f"exp_smoke/seed1/asr_llm_{name}")
        for row in rows:
            assert set(row["scores"]) == {"test_en", "test_zh", "test_en_unseen", "test_zh_unseen",
                                          "test_en_noisy", "test_zh_noisy"}, name
            assert "nonspeech" in row["hallucination"]["nonspeech"], name
            assert row["final_model"]["name"] == f"{name}/{row['stages'][-1]}"
    assert runs["projector_only"][0]["stages"][-1] == "align"
    # seed 1 trained anew with its own seed: other weights than seed 0's
    e0, e1 = (recipe / r["exp"] for r in runs["entropy"])
    assert "seed: 1" in (e1 / "pretrain/config.yaml").read_text()
    assert not same(speech_state(e0 / "pretrain/final"), speech_state(e1 / "pretrain/final"), "encoder.")
    # CKA at the entropy run's encoder budget: its own last drift row; conventional's interpolated
    for row in runs["entropy"]:
        assert row["cka_matched"] == pytest.approx(row["drift"][-1][1])
    assert all(r["cka_matched"] is not None for r in runs["conventional"])
    md = (recipe / "exp_smoke/paradigm_comparison.md").read_text()
    assert "## The paper's claims in miniature" in md and " ± " in md and "noisy copies" in md


def test_rerun_skips_finished_stages(recipe):
    """Last: every stage 1-15 is done, so a re-run of the whole recipe skips them all."""
    r = run(recipe)
    assert r.stderr.count("already done, skipping") == 15


def test_new_labels_make_the_trained_stages_stale(recipe, tmp_path):
    """After test_rerun_skips_finished_stages: stage 6 forced with another unit set (stress marks
    kept) leaves stages 7-15 stale, not "already done"; the driver stops and names the change."""
    units = recipe / "data_smoke/lang_phone/units.txt"
    before = len(units.read_text().splitlines())
    lang = tmp_path / "lang.yaml"
    lang.write_text(f"extends: {(recipe / 'conf/lang.yaml').resolve()}\nphone: {{english: {{stress: keep}}}}\n")
    run(recipe, "--stage", "6", "--stop_stage", "6", "--force", "true", "--lang_config", str(lang))
    assert len(units.read_text().splitlines()) > before
    r = run(recipe, "--stage", "7", "--stop_stage", "15", check=False)
    assert r.returncode != 0 and "refusing to reuse stale outputs" in r.stderr
    assert "stage6.labels.done changed" in r.stderr and "lang_phone/units.txt changed" in r.stderr
