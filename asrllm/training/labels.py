"""Batches for SpeechLLM: the data collate plus CTC label ids from `text.<suffix>` tables."""

import torch

from asrllm.data.collate import collate_speech
from asrllm.lang.units import read_units, tokens_to_ids


class LabelCollate:
    """Pads features (asrllm.data.collate) and turns each head's label strings into id tensors.

    heads: {head name: (label table name, units.txt path)}, e.g. {"phone": ("text.phone", ".../units.txt")}.
    """

    def __init__(self, heads: dict[str, tuple[str, str]]):
        self.heads = {name: (table, read_units(units)) for name, (table, units) in heads.items()}

    def __call__(self, items: list) -> dict:
        batch = collate_speech(items)
        batch["feat_lens"] = batch["feats_lengths"]
        for name, (table, units) in self.heads.items():
            seqs = [tokens_to_ids(s.split(), units) for s in batch[table]]
            lens = torch.tensor([len(s) for s in seqs], dtype=torch.long)
            ids = torch.zeros(len(seqs), max(1, int(lens.max()) if len(seqs) else 1), dtype=torch.long)
            for i, s in enumerate(seqs):
                ids[i, :len(s)] = torch.tensor(s, dtype=torch.long)
            batch[f"{name}_ids"], batch[f"{name}_lens"] = ids, lens
        return batch
