"""Checkpoint averaging: the library function and `python -m asrllm.bin.average_checkpoints`."""

import pytest
import torch

from asrllm.bin.average_checkpoints import main
from asrllm.training import CheckpointManager, read_model_state
from asrllm.training.average import average_state_dicts


def test_mean_of_floats_last_of_integers():
    a = {"w": torch.tensor([1.0, 2.0]), "h": torch.tensor([1.0], dtype=torch.bfloat16), "n": torch.tensor(5)}
    b = {"w": torch.tensor([3.0, 6.0]), "h": torch.tensor([2.0], dtype=torch.bfloat16), "n": torch.tensor(7)}
    out = average_state_dicts([a, b])
    assert torch.equal(out["w"], torch.tensor([2.0, 4.0]))
    assert out["h"].dtype == torch.bfloat16 and out["h"].item() == 1.5
    assert out["n"].item() == 7 and out["n"].dtype == torch.int64


def test_mismatch_names_the_file():
    with pytest.raises(ValueError, match="b.pt: keys differ"):
        average_state_dicts([{"w": torch.zeros(1)}, {"v": torch.zeros(1)}], ["a.pt", "b.pt"])
    with pytest.raises(ValueError, match="b.pt: w has shape"):
        average_state_dicts([{"w": torch.zeros(1)}, {"w": torch.zeros(2)}], ["a.pt", "b.pt"])


@pytest.fixture
def ckpt_dir(tmp_path):
    mgr = CheckpointManager(tmp_path / "ckpts", keep_last=5, keep_best=2)
    for step, loss in ((1, 3.0), (2, 1.0), (3, 2.0), (4, 5.0)):
        mgr.save({"epoch": 0, "model": {"w": torch.full((3,), float(step)), "n": torch.tensor(step)}}, step,
                 {"valid_loss": loss})
    return tmp_path / "ckpts"


@pytest.mark.parametrize("args, mean, last_int", [
    (["--num", "2"], 3.5, 4),  # steps 3, 4
    (["--best", "--num", "2"], 2.5, 3),  # best valid_loss: steps 2, 3
    (["--best"], 2.5, 3),  # all of best.json (keep_best = 2)
    (["--steps", "1", "4"], 2.5, 4),
])
def test_cli_selects_and_averages(ckpt_dir, tmp_path, args, mean, last_int):
    out = tmp_path / "avg.pt"
    assert main(["--dir", str(ckpt_dir), *args, "--out", str(out)]) == 0
    model = read_model_state(out)
    assert torch.equal(model["w"], torch.full((3,), mean)) and model["n"].item() == last_int


def test_cli_errors(ckpt_dir, tmp_path, capsys):
    assert main(["--dir", str(ckpt_dir), "--steps", "9", "--out", str(tmp_path / "x.pt")]) == 1
    assert main(["--dir", str(ckpt_dir), "--steps", "1", "--best", "--out", str(tmp_path / "x.pt")]) == 2
    assert not (tmp_path / "x.pt").exists()
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0 and "--num" in capsys.readouterr().out
