"""Batch items of SpeechDataset: zero-padded features, lengths, and lists for everything else."""

import torch

_FIXED = ("uttid", "feats", "pos")


def collate_speech(items: list[dict | None]) -> dict:
    """{"uttids", "feats" [B, T, F], "feats_lengths" [B] int64, "pos", "<table>": [values]}.

    Items that failed to load (None) are dropped; a batch where all failed is an error.
    """
    items = [x for x in items if x is not None]
    if not items:
        raise RuntimeError("every utterance of this batch failed to load (see the warnings above)")
    lengths = torch.tensor([x["feats"].shape[0] for x in items], dtype=torch.int64)
    dim = items[0]["feats"].shape[1]
    feats = torch.zeros(len(items), int(lengths.max()), dim, dtype=torch.float32)
    for b, x in enumerate(items):
        feats[b, : x["feats"].shape[0]] = x["feats"]
    batch = {"uttids": [x["uttid"] for x in items], "feats": feats, "feats_lengths": lengths,
             "pos": max(x["pos"] for x in items)}
    for name in items[0]:
        if name not in _FIXED:
            batch[name] = [x[name] for x in items]
    return batch
