"""SpeechLLM: speech encoder + CTC heads + frame-stacking adapter + a Hugging Face causal LM.

One module for every training stage; the objective given to the constructor (asrllm/models/objective.py,
from the stage config) decides the loss: "ctc" (CR-)CTC of a CTC head (stage 7, pre-training); "aed"
ESPnet's hybrid CTC/attention loss with the attention decoder (stage 7 of the conventional paradigm,
asrllm.models.aed_decoder); "llm" next-token cross-entropy on the transcript tokens (stages 8-10),
plus an optional auxiliary CTC term.
Batch contract (from asrllm.data's collate): feats [B, T, F] float, feat_lens [B], text list[str],
and for CTC `<head>_ids` [B, L] / `<head>_lens` [B] (e.g. phone_ids, phone_lens).
"""

from __future__ import annotations

import torch
from torch import nn

from asrllm.llm.forward_args import logits_to_keep_arg
from asrllm.models.adapter import FrameStackAdapter
from asrllm.models.aed_decoder import AttentionDecoder
from asrllm.models.config import ModelConfig
from asrllm.models.ctc_head import MLPCTCHead
from asrllm.models.encoder import SpeechEncoder
from asrllm.models.objective import Objective


def consistency_loss(log_probs_a: torch.Tensor, log_probs_b: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """CR-CTC's consistency term: symmetric KL between two views' frame posteriors, each view
    pulled towards the other's detached distribution; summed over valid frames."""
    kl_ab = torch.nn.functional.kl_div(log_probs_a, log_probs_b.detach(), log_target=True, reduction="none")
    kl_ba = torch.nn.functional.kl_div(log_probs_b, log_probs_a.detach(), log_target=True, reduction="none")
    return ((kl_ab + kl_ba).sum(-1) * mask).sum() / 2


def prompt_embeddings(llm: nn.Module, prompt, speech: torch.Tensor, speech_lens: torch.Tensor,
                      texts: list[str] | None):
    """(PromptBatch, input embeddings): the prompt's token embeddings with `speech` [B, S, H]
    written into the speech slots (prompt: asrllm.llm.prompt.PromptBuilder)."""
    batch = prompt.build(speech_lens.tolist(), texts)
    device = speech.device
    embeds = llm.get_input_embeddings()(batch.input_ids.to(device))
    valid = torch.arange(speech.shape[1], device=device)[None] < speech_lens[:, None]
    embeds = embeds.masked_scatter(batch.speech_mask.to(device)[..., None], speech[valid].to(embeds.dtype))
    return batch, embeds


def transcript_loss(llm: nn.Module, prompt, speech: torch.Tensor, speech_lens: torch.Tensor,
                    texts: list[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Summed next-token cross-entropy over the transcripts (+ end tokens) given the speech
    embeddings, the number of those tokens, and how many of them the argmax predicts."""
    batch, embeds = prompt_embeddings(llm, prompt, speech, speech_lens, texts)
    device = embeds.device
    # Logits only from the position before the earliest transcript token on: the prompt and speech
    # positions predict nothing, and at Qwen3's 151k-token vocabulary their logits would dominate memory.
    width = batch.labels.shape[1]
    first = int((batch.labels != -100).to(torch.int64).argmax(1).min())
    keep_kw = logits_to_keep_arg(llm)
    keep = min(width, width - first + 1) if keep_kw else width
    out = llm(inputs_embeds=embeds, attention_mask=batch.attention_mask.to(device),
              position_ids=batch.position_ids.to(device), **({keep_kw: keep} if keep_kw else {}))
    logits = out.logits[:, -keep:][:, :-1].float()
    target = batch.labels.to(device)[:, width - keep + 1:]
    ce_sum = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                                               ignore_index=-100, reduction="sum")
    with torch.no_grad():
        correct = ((logits.argmax(-1) == target) & (target != -100)).sum()
    return ce_sum, (target != -100).sum(), correct


class SpeechLLM(nn.Module):
    def __init__(self, encoder: SpeechEncoder, ctc_heads: dict[str, MLPCTCHead],
                 adapter: FrameStackAdapter | None = None, llm: nn.Module | None = None,
                 prompt=None, specaug=None, aed_decoder: AttentionDecoder | None = None,
                 objective: Objective | None = None):
        super().__init__()
        self.encoder = encoder
        self.ctc_heads = nn.ModuleDict(ctc_heads)
        self.adapter = adapter
        self.llm = llm
        self.prompt = prompt  # asrllm.llm.prompt.PromptBuilder (not a module)
        self.specaug = specaug  # callable(feats [T, F], seed) -> feats, e.g. asrllm.augment.specaug.SpecAugment
        self.aed_decoder = aed_decoder  # AED pre-training only; predicts the labels of ctc_heads[aed_decoder.labels]
        # what forward() optimises (asrllm/models/objective.py); a stage config gives it, else the default
        self.objective = objective or Objective.default(llm is not None, aed_decoder.labels if aed_decoder else None,
                                                        list(ctc_heads))

    @classmethod
    def from_config(cls, cfg: ModelConfig, with_llm: bool = True, llm: tuple | None = None,
                    objective: Objective | None = None, specaug=None) -> "SpeechLLM":
        """Build the parts the config names (in this order: encoder, CTC heads, attention decoder, LLM,
        adapter, prompt) and give them to the constructor. with_llm=False: the encoder side only.
        llm: an (llm, tokenizer) pair made elsewhere instead of loading cfg.llm.path (it still needs
        an `llm:` section, for LoRA and gradient checkpointing; asrllm.models.llm_build)."""
        from asrllm.lang.units import read_units
        from asrllm.llm.prompt import PromptBuilder, PromptTemplate
        from asrllm.models.llm_build import build_llm

        encoder = SpeechEncoder.from_config(cfg.encoder)
        heads = {name: MLPCTCHead(encoder.output_size, len(read_units(h.units)), h.hidden, h.layers, h.dropout)
                 for name, h in cfg.ctc_heads.items()}
        aed_decoder = None
        if cfg.aed_decoder is not None:
            vocab = len(read_units(cfg.ctc_heads[cfg.aed_decoder.labels].units))
            aed_decoder = AttentionDecoder(encoder.output_size, vocab, cfg.aed_decoder.labels, cfg.aed_decoder.conf)
        adapter = llm_module = prompt = None
        if with_llm and cfg.llm is not None:
            llm_module, tokenizer = build_llm(cfg.llm, llm)
            adapter = FrameStackAdapter(encoder.output_size, llm_module.get_input_embeddings().embedding_dim,
                                        cfg.adapter.stack, cfg.adapter.hidden)
            prompt = PromptBuilder(tokenizer, PromptTemplate.from_config(cfg.prompt))
        return cls(encoder, heads, adapter, llm_module, prompt, specaug=specaug, aed_decoder=aed_decoder,
                   objective=objective)

    # ---- encoder side ------------------------------------------------------------------
    def encode(self, feats: torch.Tensor, feat_lens: torch.Tensor, augment: bool = True):
        if augment and self.training and self.specaug is not None:
            # one seed per utterance from the torch RNG (checkpointed), so resumed runs repeat it
            seeds = torch.randint(0, 2**31 - 1, (feats.shape[0],)).tolist()
            feats = feats.clone()
            for b, (n, seed) in enumerate(zip(feat_lens.tolist(), seeds)):
                feats[b, :n] = self.specaug(feats[b, :n], seed)
        return self.encoder(feats, feat_lens)

    def _encoder_trains(self) -> bool:
        return any(p.requires_grad for p in self.encoder.parameters())

    def ctc_loss(self, frames, frame_lens, batch, head: str) -> tuple[torch.Tensor, torch.Tensor]:
        ids, lens = batch[f"{head}_ids"], batch[f"{head}_lens"]
        # at least 1: a batch of empty transcripts only (non-speech examples) has an all-blank target
        return self.ctc_heads[head].loss(frames, frame_lens, ids, lens), lens.sum().clamp(min=1)

    def forward_ctc(self, batch: dict) -> dict:
        feats, feat_lens = batch["feats"], batch["feat_lens"]
        head = self.objective.ctc_head
        if self.objective.cr_ctc_weight > 0 and self.training:
            # two independently augmented views of the same batch, one forward pass
            frames, frame_lens = self.encode(torch.cat([feats, feats]), torch.cat([feat_lens, feat_lens]))
            b = feats.shape[0]
            two = {f"{head}_ids": torch.cat([batch[f"{head}_ids"]] * 2),
                   f"{head}_lens": torch.cat([batch[f"{head}_lens"]] * 2)}
            ctc_sum, _ = self.ctc_loss(frames, frame_lens, two, head)
            log_probs = self.ctc_heads[head].log_probs(frames)
            mask = (torch.arange(frames.shape[1], device=frames.device)[None] < frame_lens[:b, None]).float()
            cr = consistency_loss(log_probs[:b], log_probs[b:], mask)
            n = batch[f"{head}_lens"].sum().clamp(min=1)
            loss_sum = ctc_sum / 2 + self.objective.cr_ctc_weight * cr
            return {"loss": loss_sum / n, "num_tokens": n, "ctc": (ctc_sum / 2 / n).detach(),
                    "cr": (cr / n).detach()}
        frames, frame_lens = self.encode(feats, feat_lens)
        loss_sum, n = self.ctc_loss(frames, frame_lens, batch, head)
        return {"loss": loss_sum / n, "num_tokens": n, "ctc": (loss_sum / n).detach()}

    def forward_aed(self, batch: dict) -> dict:
        """ESPnet's hybrid loss. Both terms are sums over the batch (ESPnet: each divided by the batch
        size, length_normalized_loss false), here divided by the label-token count as the trainer
        expects; both are always computed, so that every parameter gets a gradient (DDP) and a
        weight of 1.0 gives the plain CTC loss."""
        frames, frame_lens = self.encode(batch["feats"], batch["feat_lens"])
        head = self.objective.ctc_head
        ctc_sum, n = self.ctc_loss(frames, frame_lens, batch, head)
        labels = self.aed_decoder.labels  # the stage config checks that it is the CTC head's label set
        att_sum, m, correct = self.aed_decoder.loss(frames, frame_lens, batch[f"{labels}_ids"],
                                                    batch[f"{labels}_lens"], self.objective.aed_lsm_weight)
        w = self.objective.aed_ctc_weight
        loss_sum = w * ctc_sum + (1 - w) * att_sum
        # att and acc per decoder target (the labels and each utterance's <eos>); acc teacher-forced, as ESPnet's
        return {"loss": loss_sum / n, "num_tokens": n, "ctc": (ctc_sum / n).detach(),
                "att": (att_sum / m).detach(), "acc": (correct.float() / m).detach()}

    # ---- LLM side ----------------------------------------------------------------------
    def speech_embeddings(self, feats, feat_lens):
        """The method's path: encoder frames -> adapter (stack, MLP); no graph through a frozen encoder."""
        with torch.set_grad_enabled(torch.is_grad_enabled() and self._encoder_trains()):
            frames, frame_lens = self.encode(feats, feat_lens)
        speech, speech_lens = self.adapter(frames, frame_lens)
        return frames, frame_lens, speech, speech_lens

    def llm_inputs(self, speech: torch.Tensor, speech_lens: torch.Tensor, texts: list[str] | None):
        """Prompt ids -> embeddings with the adapter output written into the speech slots."""
        return prompt_embeddings(self.llm, self.prompt, speech, speech_lens, texts)

    def forward_llm(self, batch: dict) -> dict:
        frames, frame_lens, speech, speech_lens = self.speech_embeddings(batch["feats"], batch["feat_lens"])
        ce_sum, n, correct = transcript_loss(self.llm, self.prompt, speech, speech_lens, batch["text"])
        stats = {"num_tokens": n, "ce": (ce_sum / n).detach(), "acc": (correct.float() / n).detach()}
        loss_sum = ce_sum
        ob = self.objective
        if ob.ctc_weight > 0 and ob.ctc_head is not None:
            ctc_sum, m = self.ctc_loss(frames, frame_lens, batch, ob.ctc_head)
            # the CTC term is scaled to the CE token count so the weight means what it says
            loss_sum = loss_sum + ob.ctc_weight * ctc_sum / m * n
            stats["ctc"] = (ctc_sum / m).detach()
        stats["loss"] = loss_sum / n
        return stats

    def gradient_checkpointing_enable(self) -> None:
        """Activation checkpointing in the LLM (non-reentrant, so it works under DDP)."""
        if self.llm is None:
            raise ValueError("gradient checkpointing applies to the LLM; this model has none")
        self.llm.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})

    def forward(self, batch: dict) -> dict:
        if self.objective.kind == "aed":
            return self.forward_aed(batch)
        return self.forward_ctc(batch) if self.objective.kind == "ctc" else self.forward_llm(batch)
