"""Speech-slot reading: the mini recipe's text LM learns to transcribe phone posteriors before any speech.

Qwen3-1.7B arrives at alignment able to read and copy whatever sits in its context; a 1M-parameter
LM trained on sentences alone cannot, and with the LLM frozen the adapter has nothing to align to
(the mini recipe's first attempts: the LM ignored the speech and wrote its favourite sentence).
So, in the text LM's pre-training, part of each batch puts simulated 25 Hz phone-CTC posteriors
(asrllm.synth.posterior_sim) of the sentence into the speech slot, through an adapter of the
method's shape (stack 4 frames, 2-layer MLP) that reads their centred log values. The LM learns to
read phone spikes; the adapter's weights are saved with the LM (<llm>/speech_adapter/), and the
mini recipe's alignment starts its frame adapter from them composed with the encoder's linear
phone-CTC head (model.adapter.init: reader; asrllm.synth.reader_init). The run-time path stays the
paper's: encoder frames -> stack -> MLP -> LLM. This is the method's argument made concrete: a
phone-level encoder output leaves little modality gap.
"""

import json
import os
import random
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch

from asrllm.config import ConfigError, load_json
from asrllm.config_section import build_section
from asrllm.lang.config import LangConfig
from asrllm.lang.phone import PhoneLabeler
from asrllm.lang.units import SPECIALS, read_units, tokens_to_ids, write_units
from asrllm.models.adapter import FrameStackAdapter
from asrllm.models.speech_llm import transcript_loss
from asrllm.synth.posterior_sim import PosteriorSimOptions, reader_input, simulate_posteriors
from asrllm.utils.atomic import atomic_write

ADAPTER_DIR = "speech_adapter"  # inside the LM folder: adapter.pt, units.txt, config.json


@dataclass(frozen=True)
class ReadingOptions:
    fraction: float = 0.5  # share of each training batch trained as reading (the rest: text only)
    stack: int = 4  # the recipe adapter's frame stacking
    hidden: int = 512  # and its hidden size
    simulation: PosteriorSimOptions = field(default_factory=PosteriorSimOptions)

    @classmethod
    def from_config(cls, cfg: dict, where: str) -> "ReadingOptions":
        sim = PosteriorSimOptions.from_config((cfg or {}).get("simulation") or {}, f"{where}: simulation")
        opts = replace(build_section(cls, {k: v for k, v in (cfg or {}).items() if k != "simulation"}, where),
                       simulation=sim)
        if not 0 < opts.fraction <= 1:
            raise ConfigError(f"{where}: fraction must lie in (0, 1], got {opts.fraction}")
        if opts.stack < 1 or opts.hidden < 1:
            raise ConfigError(f"{where}: stack and hidden must be positive")
        return opts


class ReadingTask:
    """Phone labels of the training sentences, the adapter, and the reading loss."""

    def __init__(self, opts: ReadingOptions, lang: LangConfig, sentences: list[str], llm_size: int):
        self.opts = opts
        self.lang = lang
        self.labeler = PhoneLabeler(lang.phone)
        self.labeler.prepare(sorted({w for s in sentences for w in self.labeler.english_words(s)
                                     if self.labeler.needs_resolving(w)}))
        phones = [self.labeler.phones(s)[0] for s in sentences]
        inventory = sorted({p for seq in phones for p in seq} - set(SPECIALS))
        self.units = list(dict.fromkeys([*SPECIALS, *inventory]))
        self.unit_ids = {u: i for i, u in enumerate(self.units)}
        self.train_ids = [tokens_to_ids(seq, self.unit_ids) for seq in phones]
        self._ids: dict[str, list[int]] = {}
        self.adapter = FrameStackAdapter(len(self.units), llm_size, opts.stack, opts.hidden)

    def phone_ids(self, sentence: str) -> list[int]:
        """Unit ids of a sentence's phones (kept: dev sentences are read at every evaluation)."""
        if sentence not in self._ids:
            self._ids[sentence] = tokens_to_ids(self.labeler.phones(sentence)[0], self.unit_ids)
        return self._ids[sentence]

    def loss(self, llm, builder, sentences: list[str], ids: list[list[int]],
             rng: random.Random) -> tuple[torch.Tensor, int, int]:
        """(summed cross-entropy, target tokens, correct argmax tokens) of transcribing each
        sentence from simulated posteriors of its phone ids; sentences without phones are skipped."""
        keep = [i for i, seq in enumerate(ids) if seq]
        if not keep:
            return torch.zeros(()), 0, 0
        frames = [reader_input(simulate_posteriors(ids[i], len(self.units), self.opts.simulation, rng))
                  for i in keep]
        lens = torch.tensor([f.shape[0] for f in frames])
        frames = torch.nn.utils.rnn.pad_sequence(frames, batch_first=True)
        speech, speech_lens = self.adapter(frames, lens)
        ce_sum, n, correct = transcript_loss(llm, builder, speech, speech_lens, [sentences[i] for i in keep])
        return ce_sum, int(n), int(correct)

    def save(self, llm_dir: Path) -> Path:
        """<llm_dir>/speech_adapter: adapter.pt, units.txt (what its input columns are), config.json."""
        out = llm_dir / ADAPTER_DIR
        out.mkdir(parents=True, exist_ok=True)
        write_units(out / "units.txt", self.units[len(SPECIALS):])
        torch.save(self.adapter.state_dict(), out / "adapter.pt")
        with atomic_write(out / "config.json") as f:
            json.dump({"unit": "phone", "input": "centred_log_posteriors", "stack": self.opts.stack,
                       "hidden": self.opts.hidden, "simulation": asdict(self.opts.simulation), "lang": self.lang.to_dict()["phone"]},
                      f, indent=1, ensure_ascii=False)
        return out


def load_saved_adapter(llm_dir: str | os.PathLike) -> tuple[dict, dict[str, int], dict]:
    """(config, units, adapter state) saved by ReadingTask.save in an LM folder."""
    root = Path(llm_dir) / ADAPTER_DIR
    if not (root / "adapter.pt").is_file():
        raise ConfigError(f"{llm_dir} has no {ADAPTER_DIR}/adapter.pt: its text LM was trained without "
                          f"speech-slot reading (text LM config 'reading:')")
    cfg = load_json(root / "config.json")
    state = torch.load(root / "adapter.pt", map_location="cpu", weights_only=True)
    return cfg, read_units(root / "units.txt"), state
