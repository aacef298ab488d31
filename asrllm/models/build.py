"""Build a SpeechLLM from the `model:` config section, and save/load it as a self-describing folder.

model:
  encoder: {type, input_size, subsampling, conf}        see asrllm/models/encoder.py
  ctc_heads: {phone: {units: <units.txt>, hidden, layers, dropout}, char: {...}}
  adapter: {stack: 4, hidden: 2048, init: random}   omitted: an encoder-only model (stage 7); the
                                                        adapter reads the encoder frames (the paper's
                                                        path, in every recipe); init: random, or a warm
                                                        start named by the recipe (asrllm.bin.train,
                                                        e.g. the mini recipe's `reader`)
  aed_decoder: {labels: char, conf: {...}}             the attention decoder of AED pre-training
                                                        (asrllm/models/aed_decoder.py); built whenever
                                                        the section is there: asrllm.bin.train keeps
                                                        it for the aed objective only
  llm: {path: <HF folder or hub id>, lora: {r, alpha, dropout, target_modules} | null,
        gradient_checkpointing: false, dtype: float32 (the weights' dtype; autocast sets the compute's)}
  prompt: <prompt.yaml> or the mapping itself

A saved folder holds config.yaml (with every path it needs replaced by a file inside the folder),
speech.pt (encoder, CTC heads, attention decoder, adapter), units/<head>.txt, prompt.yaml and llm/
(the HF model and tokenizer; LoRA weights as a peft adapter in llm/ on top of llm_base/, or merged
on request).
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import torch
import yaml
from asrllm.config import ConfigError, check_keys, load_config
from asrllm.lang.units import read_units
from asrllm.models.adapter import FrameStackAdapter
from asrllm.models.aed_decoder import AttentionDecoder
from asrllm.models.ctc_head import MLPCTCHead
from asrllm.models.encoder import SpeechEncoder
from asrllm.models.objective import Objective
from asrllm.models.speech_llm import SpeechLLM
from asrllm.utils.atomic import atomic_write

MODEL_KEYS = {"encoder", "ctc_heads", "aed_decoder", "adapter", "llm", "prompt"}
# how alignment starts the adapter: random, or `reader` (the mini recipe's warm start from the adapter
# its text LM learned to read simulated phone posteriors with, asrllm.synth.reader_init); neither
# changes the run-time path
ADAPTER_INITS = ("random", "reader")
LLM_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def build_llm(cfg: dict, loaded: tuple | None = None):
    """(llm, tokenizer) from a local folder or hub id, with LoRA when configured.

    `loaded`: an (llm, tokenizer) pair made elsewhere (e.g. random weights from a config folder,
    asrllm.bin.bench_train_step) used instead of loading model.llm.path; gradient checkpointing
    and LoRA are applied to it as to a loaded one.
    """
    from asrllm.llm.loading import load_llm, load_tokenizer

    check_keys(cfg, {"path", "lora", "gradient_checkpointing", "allow_download", "base_path", "dtype"}, "model.llm")
    # weights in float32 unless configured: Hugging Face would otherwise load the dtype of the folder's
    # config.json (bfloat16 for Qwen3), and Adam on bf16 weights loses small updates; autocast still
    # computes in bf16 on GPUs
    dtype = cfg.get("dtype", "float32")
    if dtype not in LLM_DTYPES:
        raise ConfigError(f"model.llm.dtype: must be one of {', '.join(LLM_DTYPES)}, got {dtype!r}")
    if loaded is not None:
        llm, tokenizer = loaded
        path = base = None
    else:
        path = cfg.get("path") or os.environ.get("ASRLLM_LLM")
        if not path:
            raise ConfigError("model.llm.path is not set: give a local Hugging Face folder (or set ASRLLM_LLM)")
        base = cfg.get("base_path", path)  # a saved LoRA model: base weights + adapter folder
        tokenizer = load_tokenizer(str(path), cfg.get("allow_download", False))
        llm = load_llm(str(base), cfg.get("allow_download", False), dtype=LLM_DTYPES[dtype])
    if cfg.get("gradient_checkpointing"):
        llm.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if base != path:
        from peft import PeftModel

        llm = PeftModel.from_pretrained(llm, str(path), is_trainable=True)
    elif cfg.get("lora"):
        from peft import LoraConfig, get_peft_model

        lora = dict(cfg["lora"])
        check_keys(lora, {"r", "alpha", "dropout", "target_modules"}, "model.llm.lora")
        llm = get_peft_model(llm, LoraConfig(
            r=lora.get("r", 8), lora_alpha=lora.get("alpha", 16), lora_dropout=lora.get("dropout", 0.05),
            target_modules=lora.get("target_modules", ["q_proj", "k_proj", "v_proj", "o_proj"]),
            task_type="CAUSAL_LM"))
    return llm, tokenizer


def build_model(cfg: dict, with_llm: bool = True, llm: tuple | None = None, objective: Objective | None = None,
                specaug=None) -> SpeechLLM:
    """A SpeechLLM from the `model:` section; with_llm=False builds the encoder side only.

    `llm`: an already made (llm, tokenizer) pair to use instead of loading model.llm.path (see
    build_llm); it needs a `model.llm` section all the same (for LoRA / gradient checkpointing).
    `objective` (None: the model's default, asrllm/models/objective.py) and `specaug` (CR-CTC's
    in-model views) go to the constructor.
    """
    check_keys(cfg, MODEL_KEYS, "model")
    encoder = SpeechEncoder.from_config(cfg["encoder"])
    heads = {}
    for name, head in (cfg.get("ctc_heads") or {}).items():
        check_keys(head, {"units", "hidden", "layers", "dropout"}, f"model.ctc_heads.{name}")
        if "units" not in head:
            raise ConfigError(f"model.ctc_heads.{name}.units: give the label set's units.txt")
        vocab = len(read_units(head["units"]))
        heads[name] = MLPCTCHead(encoder.output_size, vocab, head.get("hidden", 256), head.get("layers", 3),
                                 head.get("dropout", 0.1))
    aed_decoder = build_aed_decoder(cfg["aed_decoder"], cfg, encoder.output_size) if cfg.get("aed_decoder") else None
    given, adapter, llm, prompt = llm, None, None, None
    if with_llm and cfg.get("llm"):
        from asrllm.llm.prompt import PromptBuilder, PromptTemplate

        llm, tokenizer = build_llm(cfg["llm"], given)
        acfg = cfg.get("adapter") or {}
        check_keys(acfg, {"stack", "hidden", "init"}, "model.adapter")
        if acfg.get("init", "random") not in ADAPTER_INITS:
            raise ConfigError(f"model.adapter.init: must be one of {', '.join(ADAPTER_INITS)}, got {acfg['init']!r}")
        adapter = FrameStackAdapter(encoder.output_size, llm.get_input_embeddings().embedding_dim,
                                    acfg.get("stack", 4), acfg.get("hidden", 2048))
        prompt = PromptBuilder(tokenizer, PromptTemplate.from_config(cfg.get("prompt")))
    return SpeechLLM(encoder, heads, adapter, llm, prompt, specaug=specaug, aed_decoder=aed_decoder,
                     objective=objective)


def build_aed_decoder(dcfg: dict, cfg: dict, encoder_size: int) -> AttentionDecoder:
    """The attention decoder; its vocabulary is the units.txt of the CTC head it shares labels with."""
    check_keys(dcfg, {"labels", "conf"}, "model.aed_decoder")
    heads = cfg.get("ctc_heads") or {}
    labels = dcfg.get("labels")
    if labels not in heads:
        raise ConfigError(f"model.aed_decoder.labels: name the CTC head whose label set the decoder predicts "
                          f"(one of {sorted(heads)}), got {labels!r}")
    return AttentionDecoder(encoder_size, len(read_units(heads[labels]["units"])), labels, dcfg.get("conf"))


def speech_state(model: SpeechLLM) -> dict[str, torch.Tensor]:
    """Weights of everything but the LLM."""
    return {k: v for k, v in model.state_dict().items() if not k.startswith("llm.")}


def save_pretrained(model: SpeechLLM, cfg: dict, out_dir: str | os.PathLike, merge_lora: bool = False) -> Path:
    """Write the whole model as a folder that from_pretrained() rebuilds without the original paths."""
    out = Path(out_dir)
    tmp = out.with_name(f".{out.name}.tmp.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cfg = copy.deepcopy(cfg)
    (tmp / "units").mkdir()
    for name, head in (cfg.get("ctc_heads") or {}).items():
        shutil.copy(head["units"], tmp / "units" / f"{name}.txt")
        head["units"] = f"units/{name}.txt"
    if isinstance(cfg.get("prompt"), (str, os.PathLike)):
        cfg["prompt"] = load_config(cfg["prompt"])
    torch.save(speech_state(model), tmp / "speech.pt")
    if model.llm is not None:
        llm = model.llm
        is_peft = hasattr(llm, "peft_config")
        if is_peft and merge_lora:
            llm = llm.merge_and_unload()
            is_peft = False
        if is_peft:
            base = llm.get_base_model()  # its modules are LoRA-wrapped: save the plain base weights
            plain = {k.replace(".base_layer.", "."): v for k, v in base.state_dict().items() if "lora_" not in k}
            base.save_pretrained(tmp / "llm_base", state_dict=plain)
            llm.save_pretrained(tmp / "llm")
            cfg["llm"] = {"path": "llm", "base_path": "llm_base"}
        else:
            llm.save_pretrained(tmp / "llm")
            cfg["llm"] = {"path": "llm"}
        model.prompt.tokenizer.save_pretrained(tmp / "llm")
    with atomic_write(tmp / "config.yaml") as f:
        yaml.safe_dump({"model": cfg}, f, allow_unicode=True, sort_keys=False)
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return out


def _resolve_paths(cfg: dict, root: Path) -> dict:
    cfg = copy.deepcopy(cfg)
    for head in (cfg.get("ctc_heads") or {}).values():
        head["units"] = str(root / head["units"])
    if cfg.get("llm"):
        for key in ("path", "base_path"):
            if key in cfg["llm"]:
                cfg["llm"][key] = str(root / cfg["llm"][key])
    return cfg


def load_model_config(model_dir: str | os.PathLike) -> dict:
    root = Path(model_dir)
    if not (root / "config.yaml").is_file():
        raise ConfigError(f"{root} is not a saved asrllm model (no config.yaml)")
    return _resolve_paths(load_config(root / "config.yaml")["model"], root)


def from_pretrained(model_dir: str | os.PathLike, with_llm: bool = True) -> tuple[SpeechLLM, dict]:
    """Rebuild a model saved by save_pretrained; returns (model, resolved model config)."""
    cfg = load_model_config(model_dir)
    model = build_model(cfg, with_llm=with_llm)
    state = torch.load(Path(model_dir) / "speech.pt", map_location="cpu", weights_only=True)
    missing, unexpected = model.load_state_dict(state, strict=False)
    unexpected = [k for k in unexpected if with_llm or not k.startswith("adapter.")]
    missing = [k for k in missing if not k.startswith("llm.")]
    if missing or unexpected:
        raise ConfigError(f"{model_dir}/speech.pt does not fit its config: missing {missing[:5]}, "
                          f"unexpected {unexpected[:5]}")
    return model, cfg
