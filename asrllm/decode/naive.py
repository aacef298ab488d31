"""The reference decoder: one utterance at a time through Hugging Face `generate()`.

Used to check the batched search (same greedy hypotheses) and as the benchmark's baseline.
"""

import warnings

import torch

from asrllm.decode.config import DecodeConfig
from asrllm.decode.search import EOS, MAX_TOKENS, Hypothesis


@torch.no_grad()
def generate_one(model, feats: torch.Tensor, cfg: DecodeConfig) -> Hypothesis:
    """Greedy-decode one utterance ([T, F] features) with llm.generate(); score is left at 0."""
    device = next(model.parameters()).device
    feats = feats[None].to(device)
    lens = torch.tensor([feats.shape[1]], device=device)
    _, _, speech, speech_lens = model.speech_embeddings(feats, lens)
    prompt, embeds = model.llm_inputs(speech, speech_lens, None)
    end = model.prompt.end_id
    max_new = cfg.max_new_tokens(int(speech_lens[0]))
    with warnings.catch_warnings():  # "penalties apply to generated tokens only": exactly what we want
        warnings.filterwarnings("ignore", message=".*only to newly generated tokens.*")
        out = model.llm.generate(inputs_embeds=embeds, attention_mask=prompt.attention_mask.to(device),
                                 max_new_tokens=max_new, do_sample=False, num_beams=1, eos_token_id=end,
                                 pad_token_id=model.prompt.pad_id, no_repeat_ngram_size=cfg.no_repeat_ngram_size,
                                 repetition_penalty=cfg.repetition_penalty, temperature=None, top_p=None, top_k=None)
    ids = out[0].tolist()
    if end in ids:
        return Hypothesis(ids[:ids.index(end)], 0.0, EOS)
    return Hypothesis(ids, 0.0, MAX_TOKENS)


@torch.no_grad()
def top2_gap(model, feats: torch.Tensor, prefix: list[int]) -> float:
    """Log-prob gap between the two best next tokens after `prefix`, the utterance run alone: how
    close to a tie the first token where two hypotheses differ was."""
    device = next(model.parameters()).device
    feats = feats[None].to(device)
    _, _, speech, speech_lens = model.speech_embeddings(feats, torch.tensor([feats.shape[1]], device=device))
    _, embeds = model.llm_inputs(speech, speech_lens, None)
    if prefix:
        ids = torch.tensor([prefix], device=device)
        embeds = torch.cat([embeds, model.llm.get_input_embeddings()(ids).to(embeds.dtype)], dim=1)
    logp = torch.log_softmax(model.llm(inputs_embeds=embeds).logits[0, -1].float(), -1)
    top = logp.topk(2).values
    return float(top[0] - top[1])
