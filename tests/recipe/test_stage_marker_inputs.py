"""An upstream stage's marker as the input of a downstream stage: digested by what it recorded."""

from asrllm.recipe import stage_marker
from asrllm.recipe.stage_marker import StageState, file_digest


def _done(path, setting):
    stage_marker.write(path, StageState.collect([f"units={setting}"], [], []), "6 labels")


def test_a_rerun_with_equal_inputs_keeps_the_digest_and_a_change_alters_it(tmp_path):
    m = tmp_path / "stage6.labels.done"
    _done(m, "158")
    first = file_digest(m)
    text = m.read_text()
    m.write_text(text.replace('"finished": "', '"finished": "1999'))  # another time and host
    assert file_digest(m) == first
    _done(m, "171")
    assert file_digest(m) != first


def test_downstream_marker_goes_stale_when_its_upstream_marker_changes(tmp_path):
    up, down = tmp_path / "stage6.labels.done", tmp_path / "stage7.pretrain.done"
    _done(up, "158")
    state = StageState.collect([], [], [str(up)])
    stage_marker.write(down, state, "7 pretrain")
    assert stage_marker.check(down, StageState.collect([], [], [str(up)])) is None
    _done(up, "171")
    assert stage_marker.check(down, StageState.collect([], [], [str(up)])) == [f"input {up} changed"]
