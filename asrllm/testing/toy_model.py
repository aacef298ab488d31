"""Random-weight SpeechLLM folders of a chosen size and small audio data dirs (tests, the decoding benchmark).

The LLM is a real Qwen3 with a real byte-level BPE tokenizer (asrllm.llm.tiny); `weight_scale`
multiplies its weight matrices so that a random model has peaked next-token distributions (greedy
decisions then are not decided by float rounding).
"""

import os
from pathlib import Path

import numpy as np

TEXTS = ["HELLO WORLD", "PLEASE MOVE THE RED BALL", "你好世界", "请把红色的球放在左边", "GOOD MORNING",
         "SET AN ALARM FOR SEVEN", "今天天气很好", "Transcribe the speech into text",
         "You are a Multilingual Speech Recognition Model."] * 20


def build_toy_model(out_dir: str | os.PathLike, llm_hidden: int = 32, llm_layers: int = 2, heads: int = 4,
                    kv_heads: int = 2, vocab_size: int = 300, encoder_size: int = 16, encoder_blocks: int = 1,
                    num_phones: int = 20, lora: bool = False, weight_scale: float = 6.0, seed: int = 0,
                    chunk: dict | None = None) -> Path:
    """Save a random SpeechLLM (save_pretrained layout) to <out_dir>/model and return that folder.
    `chunk`: the encoder's dynamic-chunk section (model.encoder.chunk), for a streaming model."""
    import torch

    from asrllm.lang.units import write_units
    from asrllm.llm.tiny import build_tiny_qwen3, build_tiny_tokenizer
    from asrllm.models.build import build_model, save_pretrained

    out = Path(out_dir)
    llm_dir = out / "llm_init"
    tok = build_tiny_tokenizer(TEXTS, llm_dir, vocab_size=vocab_size)
    build_tiny_qwen3(tok, llm_dir, hidden=llm_hidden, layers=llm_layers, heads=heads, kv_heads=kv_heads, seed=seed)
    units = out / "units.txt"
    write_units(units, [f"p{i}" for i in range(num_phones)])
    cfg = {
        "encoder": {"type": "conformer", "input_size": 80, "subsampling": {"type": "light", "channels": 8},
                    "conf": {"output_size": encoder_size, "attention_heads": 2, "linear_units": 2 * encoder_size,
                             "num_blocks": encoder_blocks, "cnn_module_kernel": 7, "dropout_rate": 0.0,
                             "positional_dropout_rate": 0.0, "attention_dropout_rate": 0.0},
                    **({"chunk": chunk} if chunk is not None else {})},
        "ctc_heads": {"phone": {"units": str(units), "hidden": 16, "layers": 2, "dropout": 0.0}},
        "adapter": {"stack": 4, "hidden": 32},
        "llm": {"path": str(llm_dir), **({"lora": {"r": 4, "alpha": 8, "dropout": 0.0}} if lora else {})},
        "prompt": {},
    }
    torch.manual_seed(seed)
    model = build_model(cfg)
    with torch.no_grad():
        for name, p in model.llm.named_parameters():
            if p.dim() > 1 and "lora_" not in name:
                p.mul_(weight_scale)
            elif "lora_B" in name:  # LoRA starts at zero; give it an effect so merging is tested
                p.normal_(0.0, 0.05)
    return save_pretrained(model, cfg, out / "model")


def write_toy_data_dir(data_dir: str | os.PathLike, durations: list[float], sample_rate: int = 16000,
                       seed: int = 0, with_text: bool = True) -> Path:
    """A Kaldi data dir of 16-bit wav files (tones over noise) with wav.scp, utt2num_samples, utt2spk,
    spk2utt and text: what the decoder reads when features are computed on the fly."""
    import soundfile as sf

    from asrllm.kaldi.speakers import write_spk2utt
    from asrllm.kaldi.table import write_table

    d = Path(data_dir)
    (d / "wav").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rows = []
    for i, dur in enumerate(durations):
        n = int(dur * sample_rate)
        t = np.arange(n) / sample_rate
        x = 0.1 * np.sin(2 * np.pi * rng.uniform(100, 1000) * t) + 0.02 * rng.standard_normal(n)
        utt = f"spk{i % 2}-utt{i:03d}"
        path = (d / "wav" / f"{utt}.wav").resolve()
        sf.write(path, x.astype(np.float32), sample_rate, subtype="PCM_16")
        rows.append((utt, str(path), n))
    write_table(d / "wav.scp", [(u, p) for u, p, _ in rows])
    write_table(d / "utt2num_samples", [(u, str(n)) for u, _, n in rows])
    write_table(d / "utt2spk", [(u, u.split("-")[0]) for u, _, _ in rows])
    if with_text:
        write_table(d / "text", [(u, TEXTS[i % 7]) for i, (u, _, _) in enumerate(rows)])
    write_spk2utt(d / "utt2spk", d / "spk2utt")
    return d


def write_cmvn(data_dir: str | os.PathLike, out: str | os.PathLike, sample_rate: int = 16000) -> Path:
    """Global CMVN statistics of a raw data dir's fbank (compute_cmvn's json format)."""
    from asrllm.audio.audiofile import read_entry
    from asrllm.data.config import FbankConfig
    from asrllm.features.cmvn import CmvnStats
    from asrllm.features.fbank import Fbank
    from asrllm.kaldi.table import read_table

    fbank = Fbank(FbankConfig(), sample_rate)
    stats = CmvnStats(fbank.dim)
    for _, value, _ in read_table(Path(data_dir) / "wav.scp"):
        stats.add(fbank(read_entry(value)[0]))
    stats.write_json(out, {})
    return Path(out)
