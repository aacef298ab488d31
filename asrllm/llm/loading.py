"""Loading the configured LLM's tokenizer, config and weights from a local folder or a hub id.

A name that exists on disk is a local folder; anything else is a Hugging Face hub id, read from the
local cache only (local_files_only) unless downloads are allowed. Every failure says what was
tried and how to supply the model, instead of a hub error about connections or repo ids.
"""

import os
from pathlib import Path

from asrllm.errors import UserError

TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json")
WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin")


class LLMNotFoundError(UserError, FileNotFoundError):
    """The configured LLM (or part of it) is not available locally."""


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", ".", "~")) or name.count("/") > 1 or os.sep != "/" and os.sep in name


def how_to_supply(name: str) -> str:
    """The instructions every not-found error ends with."""
    hub = name if not _looks_like_path(name) else "Qwen/Qwen3-1.7B"
    cache = os.environ.get("HF_HOME", "~/.cache/huggingface")
    return (f"Supply it either way:\n"
            f"  - download it once where there is network, e.g. `hf download {hub} --local-dir <dir>` "
            f"(older hubs: `huggingface-cli download`), and pass that folder as the LLM "
            f"(--llm <dir>, or the recipe's LLM option);\n"
            f"  - or let this run download it into the Hugging Face cache ({cache}) with --allow-download.")


def _local_dir(name: str, need: str) -> Path | None:
    """The folder for `name` if it is a local one; checks the files `need` (tokenizer|config|weights)."""
    path = Path(name).expanduser()
    if not path.exists():
        if _looks_like_path(name):
            raise LLMNotFoundError(f"LLM folder {path} does not exist.\n{how_to_supply(name)}")
        return None
    if not path.is_dir():
        raise LLMNotFoundError(f"LLM path {path} is a file; expected a model folder.\n{how_to_supply(name)}")
    missing = None
    if need == "tokenizer" and not any((path / f).is_file() for f in TOKENIZER_FILES):
        missing = f"no tokenizer files ({' / '.join(TOKENIZER_FILES)})"
    elif need == "config" and not (path / "config.json").is_file():
        missing = "no config.json"
    elif need == "weights" and not any(next(path.glob(p), None) for p in WEIGHT_PATTERNS):
        missing = f"no weights ({' / '.join(WEIGHT_PATTERNS)})"
    if missing:
        raise LLMNotFoundError(f"LLM folder {path} has {missing}: it is not a complete Hugging Face model "
                               f"folder.\n{how_to_supply(name)}")
    return path


def _from_pretrained(loader, name: str, need: str, allow_download: bool, **kwargs):
    local = _local_dir(name, need)
    try:
        return loader(str(local) if local else name, local_files_only=not allow_download or bool(local),
                      trust_remote_code=False, **kwargs)
    except (OSError, ValueError) as e:
        where = f"folder {local}" if local else f"hub id {name!r}"
        state = "" if local or allow_download else " (not in the local Hugging Face cache; downloads are off)"
        raise LLMNotFoundError(f"could not load the LLM {need} from {where}{state}: "
                               f"{str(e).splitlines()[0] if str(e) else type(e).__name__}\n"
                               f"{how_to_supply(name)}") from None


def require_local_weights(name: str) -> None:
    """For a local folder, fail now (not stages later) when it has no weight files; hub ids pass."""
    if Path(name).expanduser().is_dir():
        _local_dir(name, "weights")


def load_tokenizer(name: str, allow_download: bool = False):
    """The LLM's tokenizer (AutoTokenizer), checked to be non-empty."""
    from transformers import AutoTokenizer

    tok = _from_pretrained(AutoTokenizer.from_pretrained, name, "tokenizer", allow_download)
    if len(tok) < 2 or not tok("a", add_special_tokens=False)["input_ids"]:
        raise LLMNotFoundError(f"the tokenizer loaded from {name!r} is empty ({len(tok)} tokens): its files "
                               f"are missing or broken.\n{how_to_supply(name)}")
    return tok


def load_llm_config(name: str, allow_download: bool = False):
    """The LLM's model config (AutoConfig)."""
    from transformers import AutoConfig

    return _from_pretrained(AutoConfig.from_pretrained, name, "config", allow_download)


def load_llm(name: str, allow_download: bool = False, **kwargs):
    """The LLM itself (AutoModelForCausalLM); kwargs go to from_pretrained (dtype, ...)."""
    from transformers import AutoModelForCausalLM

    return _from_pretrained(AutoModelForCausalLM.from_pretrained, name, "weights", allow_download, **kwargs)
