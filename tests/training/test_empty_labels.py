"""A batch with an empty label sequence (a non-speech clip): zero-length CTC targets in LabelCollate."""

import torch

from asrllm.lang.units import write_units
from asrllm.training.labels import LabelCollate


def item(utt, n, phones):
    return {"uttid": utt, "feats": torch.zeros(n, 4), "pos": 0, "text": "", "text.phone": phones}


def test_empty_label_lines_give_zero_length_targets(tmp_path):
    units = tmp_path / "units.txt"
    write_units(units, ["a", "b", "c"])
    collate = LabelCollate({"phone": ("text.phone", str(units))})
    batch = collate([item("u1", 5, "a b"), item("u2", 7, ""), item("u3", 6, "c")])
    assert batch["phone_lens"].tolist() == [2, 0, 1]
    assert batch["phone_ids"].shape == (3, 2) and batch["phone_ids"][1].tolist() == [0, 0]
    alone = collate([item("u2", 7, "")])  # every target empty: a valid (all-blank) batch
    assert alone["phone_lens"].tolist() == [0] and alone["phone_ids"].shape == (1, 1)
