"""A self-contained training set-up for launch checks of asrllm.bin.train (tools/gpu_check.sh): no corpus,
no network, no G2P, seconds to make.

python -m asrllm.testing.train_fixture OUT [--train-utts 32] [--dev-utts 8] [--seed 0]

Writes under OUT:
  data/{train,dev}/      formatted data dirs (stage-4 layout): wav.scp (16 kHz 16-bit WAV of synthetic
                         tones and noise, 1.5-4 s), utt2num_samples, text, text.phone, utt2spk, spk2utt;
                         stage 5 (asrllm.bin.compute_fbank / compute_cmvn) adds feats.scp + utt2num_frames
  data/lang_phone/units.txt   the "phone" labels: one unit per letter of the transcript words
  llm/                   a tiny Qwen3 (random weights) with a byte-level BPE tokenizer (asrllm.llm.tiny)
  conf/data.yaml         extends conf/data.yaml: feats_type fbank, small batches
  conf/model.yaml        extends conf/model/toy.yaml
  conf/scale.yaml        extends conf/scale/paper.yaml (bf16, parallel: fsdp for the LLM), checkpoints and
                         validation every 3 steps
  conf/pretrain.yaml     extends conf/train/pretrain_phone.yaml (CR-CTC + CKA snapshots), 6 steps
  conf/joint.yaml        extends conf/train/joint.yaml with the auxiliary CTC term, 6 steps
The audio carries no speech, so the losses mean nothing: this checks that every step runs.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SR = 16000
WORDS = ["HELLO", "WORLD", "PLEASE", "MOVE", "THE", "RED", "BALL", "GOOD", "MORNING", "SET", "AN", "ALARM",
         "FOR", "SEVEN", "OPEN", "DOOR", "TURN", "ON", "LIGHT", "KITCHEN"]
PROMPT_TEXTS = ["You are a Multilingual Speech Recognition Model.", "Transcribe the speech into text"]


def write_table(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for key, value in sorted(rows):
            f.write(f"{key} {value}\n")


def make_set(root: Path, name: str, n: int, rng: np.random.Generator) -> list[str]:
    import soundfile as sf

    from asrllm.augment import nonspeech

    data, wav = root / "data" / name, root / "wav" / name
    data.mkdir(parents=True, exist_ok=True)
    wav.mkdir(parents=True, exist_ok=True)
    rows = {k: [] for k in ("wav.scp", "utt2num_samples", "text", "text.phone", "utt2spk")}
    spk2utt: dict[str, list[str]] = {}
    texts = []
    for i in range(n):
        spk = f"spk{i % 4}"
        utt = f"{spk}-{name}{i:04d}"
        samples = int(rng.uniform(1.5, 4.0) * SR)
        x = nonspeech.synthesize(["pink", "tone", "chord", "white"][i % 4], samples, SR, rng, level_db=-22.0)
        sf.write(wav / f"{utt}.wav", x, SR, subtype="PCM_16")
        words = list(rng.choice(WORDS, size=int(rng.integers(2, 6))))
        text = " ".join(words)
        texts.append(text)
        rows["wav.scp"].append((utt, str((wav / f"{utt}.wav").resolve())))
        rows["utt2num_samples"].append((utt, str(samples)))
        rows["text"].append((utt, text))
        rows["text.phone"].append((utt, " ".join(c for w in words for c in w)))
        rows["utt2spk"].append((utt, spk))
        spk2utt.setdefault(spk, []).append(utt)
    for table, r in rows.items():
        write_table(data / table, r)
    write_table(data / "spk2utt", [(s, " ".join(sorted(u))) for s, u in spk2utt.items()])
    return texts


def write_confs(root: Path) -> None:
    conf = root / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "data.yaml").write_text(
        f"extends: {REPO / 'conf' / 'data.yaml'}\n"
        "feats_type: fbank\n"
        "noise: {enabled: false}\n"
        "batching: {frames_budget: 3200, max_batch_size: 8, pool_size: 1000, num_workers: 1}\n")
    (conf / "model.yaml").write_text(f"extends: {REPO / 'conf' / 'model' / 'toy.yaml'}\n")
    (conf / "scale.yaml").write_text(
        f"extends: {REPO / 'conf' / 'scale' / 'paper.yaml'}\n"
        "train:\n"
        "  log_every: 1\n"
        "  save_every: 3\n"
        "  valid_every: 3\n"
        "  progress_bar: false\n")
    (conf / "pretrain.yaml").write_text(
        f"extends: {REPO / 'conf' / 'train' / 'pretrain_phone.yaml'}\n"
        "model:\n"
        "  ctc_heads:\n"
        "    phone: {hidden: 64, layers: 3, dropout: 0.1}\n"
        "cka: {start_step: 2, interval: 2, threshold: 0.975, max_utts: 8}\n"
        "train: {max_steps: 6, warmup_steps: 2}\n")
    (conf / "joint.yaml").write_text(
        f"extends: {REPO / 'conf' / 'train' / 'joint.yaml'}\n"
        "ctc_weight: 0.3\n"
        "train: {max_steps: 6, warmup_steps: 2, lr: 1.0e-4}\n")


def make_fixture(root: Path, train_utts: int = 32, dev_utts: int = 8, seed: int = 0) -> Path:
    from asrllm.lang.units import write_units
    from asrllm.llm.tiny import build_tiny_qwen3, build_tiny_tokenizer

    rng = np.random.default_rng(seed)
    texts = make_set(root, "train", train_utts, rng) + make_set(root, "dev", dev_utts, rng)
    lang = root / "data" / "lang_phone"
    lang.mkdir(parents=True, exist_ok=True)
    write_units(lang / "units.txt", sorted({c for w in WORDS for c in w}))
    tok = build_tiny_tokenizer((texts + PROMPT_TEXTS) * 4, root / "llm", vocab_size=400)
    build_tiny_qwen3(tok, root / "llm", hidden=64, layers=2, heads=4, kv_heads=2, seed=seed)
    write_confs(root)
    return root


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="train_fixture", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", help="output folder (created)")
    p.add_argument("--train-utts", type=int, default=32)
    p.add_argument("--dev-utts", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    root = Path(args.out)
    root.mkdir(parents=True, exist_ok=True)
    make_fixture(root, args.train_utts, args.dev_utts, args.seed)
    print(f"train_fixture: {args.train_utts} + {args.dev_utts} utterances, tiny LLM and configs in {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
