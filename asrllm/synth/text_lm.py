"""Train a tiny Qwen3-architecture causal LM on text only, in the ASR prompt's chat format.

Each training sentence becomes the assistant turn of the ASR prompt (asrllm.llm.prompt) with an
empty speech slot, and the loss covers the transcript and the closing <|im_end|>, exactly what
the ASR stages train. So the LM arrives at alignment (LLM frozen) already knowing the domain and
how a turn ends; what it cannot know (the slot fillers) it has to get from the speech.
With a reading task (asrllm.synth.slot_reading), part of each batch is trained with simulated
phone posteriors in the speech slot instead, so the LM also learns to read it.
"""

import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import Qwen3Config, Qwen3ForCausalLM

from asrllm.config_section import build_section
from asrllm.llm.forward_args import cache_arg
from asrllm.llm.prompt import IGNORE_INDEX, PromptBuilder

log = logging.getLogger(__name__)



@dataclass
class TrainOptions:
    steps: int = 3000
    batch_size: int = 32
    lr: float = 2e-3
    min_lr_ratio: float = 0.1  # cosine decays to lr * min_lr_ratio
    warmup_steps: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    eval_every: int = 500
    eval_batch_size: int = 64
    seed: int = 1
    threads: int = 2

    @classmethod
    def from_config(cls, cfg: dict, where: str) -> "TrainOptions":
        return build_section(cls, cfg, where)


@dataclass
class TrainResult:
    history: list[dict] = field(default_factory=list)  # step, lr, train loss, dev loss
    seconds: float = 0.0
    tokens_per_second: float = 0.0


def build_model(model_cfg: dict, tokenizer) -> Qwen3ForCausalLM:
    """A freshly initialised Qwen3 causal LM sized by `model_cfg` (Qwen3Config fields)."""
    cfg = Qwen3Config(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                      bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, **model_cfg)
    return Qwen3ForCausalLM(cfg)


def lr_at(step: int, opts: TrainOptions) -> float:
    """Linear warm-up, then cosine decay to lr * min_lr_ratio."""
    if step < opts.warmup_steps:
        return opts.lr * (step + 1) / opts.warmup_steps
    progress = (step - opts.warmup_steps) / max(1, opts.steps - opts.warmup_steps)
    floor = opts.lr * opts.min_lr_ratio
    return floor + (opts.lr - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def _forward_loss(model, builder: PromptBuilder, sentences: list[str]) -> tuple[torch.Tensor, int]:
    """Summed token cross-entropy over the transcript + end tokens, and the number of those tokens.

    The prompt (with its empty speech slot) is the same for every sentence and is about three
    quarters of each sequence, so it runs once per batch: its key/value cache is repeated over
    the batch and gradients flow back through it. Same loss as running every full sequence.
    """
    prompt = builder.prefix_ids + builder.suffix_ids
    targets = builder.target_ids(sentences)
    n_batch, n_prompt = len(targets), len(prompt)
    prompt_positions = torch.arange(n_prompt)
    out = model(input_ids=torch.tensor([prompt]), position_ids=prompt_positions[None], use_cache=True)
    # The prompt's last position predicts every transcript's first token.
    loss = torch.nn.functional.cross_entropy(out.logits[0, -1].expand(n_batch, -1),
                                             torch.tensor([t[0] for t in targets]), reduction="sum")
    width = max(len(t) for t in targets) - 1
    if width > 0:
        inputs = torch.full((n_batch, width), builder.pad_id, dtype=torch.long)
        labels = torch.full((n_batch, width), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((n_batch, n_prompt + width), dtype=torch.long)
        attention[:, :n_prompt] = 1
        for b, t in enumerate(targets):
            inputs[b, :len(t) - 1] = torch.tensor(t[:-1])
            labels[b, :len(t) - 1] = torch.tensor(t[1:])
            attention[b, n_prompt:n_prompt + len(t) - 1] = 1
        cache = out.get("cache") or out.get("past_key_values")
        cache.batch_repeat_interleave(n_batch)
        positions = (int(prompt_positions[-1]) + 1 + torch.arange(width)).expand(n_batch, -1)
        logits = model(input_ids=inputs, attention_mask=attention, position_ids=positions,
                       use_cache=True, **{cache_arg(model): cache}).logits
        loss = loss + torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1),
                                                        ignore_index=IGNORE_INDEX, reduction="sum")
    return loss, sum(map(len, targets))


def full_sequence_loss(model, builder: PromptBuilder, sentences: list[str]) -> tuple[torch.Tensor, int]:
    """The same loss computed the plain way (every sequence in full): the reference for tests."""
    batch = builder.build([0] * len(sentences), sentences)
    logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask,
                   position_ids=batch.position_ids).logits
    labels = batch.labels[:, 1:]
    loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), labels.reshape(-1),
                                             ignore_index=IGNORE_INDEX, reduction="sum")
    return loss, int((labels != IGNORE_INDEX).sum())


@torch.no_grad()
def evaluate(model, builder: PromptBuilder, sentences: list[str], batch_size: int) -> dict:
    """Mean cross-entropy per target token (nats), its perplexity, and the token count."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(sentences), batch_size):
        loss, n = _forward_loss(model, builder, sentences[i:i + batch_size])
        total, count = total + float(loss), count + n
    model.train()
    mean = total / max(1, count)
    return {"loss": mean, "perplexity": math.exp(mean), "tokens": count, "sentences": len(sentences)}


@torch.no_grad()
def evaluate_reading(model, builder: PromptBuilder, reading, sentences: list[str], batch_size: int,
                     seed: int = 0) -> dict:
    """Reading loss (nats per target token) and teacher-forced token accuracy on `sentences`, with
    posteriors drawn from a fixed seed (comparable across evaluations)."""
    model.eval()
    rng = random.Random(seed)
    ids = [reading.phone_ids(s) for s in sentences]
    total, count, correct = 0.0, 0, 0
    for i in range(0, len(sentences), batch_size):
        loss, n, c = reading.loss(model, builder, sentences[i:i + batch_size], ids[i:i + batch_size], rng)
        total, count, correct = total + float(loss), count + n, correct + c
    model.train()
    return {"loss": total / max(1, count), "accuracy": correct / max(1, count), "tokens": count}


def train(model, builder: PromptBuilder, sentences: list[str], dev: list[str], opts: TrainOptions,
          reading=None) -> TrainResult:
    """AdamW over random batches of sentences; logs train and dev loss every `eval_every` steps.
    `reading` (asrllm.synth.slot_reading.ReadingTask): trains that share of each batch as reading,
    its adapter along with the model."""
    torch.manual_seed(opts.seed)
    torch.set_num_threads(opts.threads)
    rng = random.Random(opts.seed)
    params = list(model.named_parameters()) + (list(reading.adapter.named_parameters()) if reading else [])
    decay = [p for n, p in params if p.ndim >= 2]
    no_decay = [p for n, p in params if p.ndim < 2]
    optim = torch.optim.AdamW([{"params": decay, "weight_decay": opts.weight_decay},
                               {"params": no_decay, "weight_decay": 0.0}], lr=opts.lr, betas=(0.9, 0.98))
    result = TrainResult()
    order: list[int] = []
    run_loss, run_tokens, seen_tokens, run_read_tokens, run_read_correct = 0.0, 0, 0, 0, 0
    start = time.time()
    model.train()
    for step in range(opts.steps):
        if len(order) < opts.batch_size:  # epochs of shuffled sentences
            more = list(range(len(sentences)))
            rng.shuffle(more)
            order += more
        idx, order = order[:opts.batch_size], order[opts.batch_size:]
        for group in optim.param_groups:
            group["lr"] = lr_at(step, opts)
        n_read = round(len(idx) * reading.opts.fraction) if reading else 0
        loss_sum, n = torch.zeros(()), 0
        if n_read < len(idx):
            loss_sum, n = _forward_loss(model, builder, [sentences[i] for i in idx[n_read:]])
        if n_read:
            read_sum, m, c = reading.loss(model, builder, [sentences[i] for i in idx[:n_read]],
                                          [reading.train_ids[i] for i in idx[:n_read]], rng)
            loss_sum, n = loss_sum + read_sum, n + m
            run_read_tokens, run_read_correct = run_read_tokens + m, run_read_correct + c
        optim.zero_grad(set_to_none=True)
        (loss_sum / max(1, n)).backward()
        torch.nn.utils.clip_grad_norm_([p for _, p in params], opts.grad_clip)
        optim.step()
        run_loss, run_tokens, seen_tokens = run_loss + loss_sum.item(), run_tokens + n, seen_tokens + n
        last = step + 1 == opts.steps
        if (step + 1) % opts.eval_every == 0 or last or step == 0:
            entry = {"step": step + 1, "lr": lr_at(step, opts), "train_loss": run_loss / max(1, run_tokens)}
            if reading:
                entry["train_reading_accuracy"] = run_read_correct / max(1, run_read_tokens)
            if dev and ((step + 1) % opts.eval_every == 0 or last):
                entry["dev_loss"] = evaluate(model, builder, dev, opts.eval_batch_size)["loss"]
                if reading:
                    r = evaluate_reading(model, builder, reading, dev, opts.eval_batch_size)
                    entry["dev_reading_loss"], entry["dev_reading_accuracy"] = r["loss"], r["accuracy"]
            result.history.append(entry)
            log.info("step %d/%d lr %.2e train loss %.3f%s (%.0f s)", step + 1, opts.steps, entry["lr"],
                     entry["train_loss"], "".join(f" {k} {v:.3f}" for k, v in entry.items() if k.startswith(
                         ("dev_", "train_reading"))), time.time() - start)
            run_loss, run_tokens, run_read_tokens, run_read_correct = 0.0, 0, 0, 0
    result.seconds = time.time() - start
    result.tokens_per_second = seen_tokens / max(result.seconds, 1e-9)
    return result


def read_sentences(paths: list[Path]) -> list[str]:
    """Non-empty lines of plain-text files, whitespace-normalised, in order."""
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            out += [" ".join(line.split()) for line in f if line.strip()]
    return out
