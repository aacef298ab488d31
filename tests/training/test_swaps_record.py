"""swaps.json's one reader and writer (asrllm/training/swaps.py) and the driver's question to it."""

from asrllm.bin import swaps as cli
from asrllm.training.swaps import first_snapshot, is_ready, write_swaps


def test_ready_once_a_trigger_or_the_final_encoder_is_recorded(tmp_path):
    path = tmp_path / "swaps.json"
    assert not is_ready(path) and cli.main(["ready", str(path)]) == cli.NOT_YET  # not written yet
    write_swaps(path, 0.975, [], None)
    assert cli.main(["ready", str(path)]) == cli.NOT_YET
    write_swaps(path, 0.975, [{"index": 1, "step": 10, "cka": 0.9, "reference_step": 5, "snapshot": "/s10.pt"}], None)
    assert cli.main(["ready", str(path)]) == 0 and first_snapshot(path) == "/s10.pt"
    write_swaps(path, 0.975, [], {"step": 20, "snapshot": "/s20.pt"})
    assert cli.main(["ready", str(path)]) == 0 and first_snapshot(path) == "/s20.pt"


def test_an_unreadable_record_is_an_error_not_a_wait(tmp_path, capsys):
    path = tmp_path / "swaps.json"
    path.write_text("{not json")
    assert cli.main(["ready", str(path)]) == 1
    assert "cannot read the hot-swap record" in capsys.readouterr().err
