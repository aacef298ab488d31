"""Phone -> text unit mapping, probe rows from spans, mean pooling over (rescaled) spans."""

import numpy as np
import pytest
import yaml

from asrllm.analysis.segments import EDGE, SegmentPooler, build_segments
from asrllm.analysis.units import PhoneUnitMapper
from asrllm.lang.config import LangConfig
from asrllm.lang.phone import PhoneLabeler


@pytest.fixture
def lang_dir(tmp_path):
    cfg = LangConfig.from_dict({"phone": {"word_boundary": "|"}})
    (tmp_path / "lang.yaml").write_text(yaml.safe_dump({"unit": "phone", "phone": cfg.to_dict()["phone"]}))
    return tmp_path, PhoneLabeler(cfg.phone)


def test_units_follow_the_g2p_and_mismatches_give_none(lang_dir):
    path, labeler = lang_dir
    mapper = PhoneUnitMapper(path)
    text = "GOOD 你好 <unk>"
    phones, _ = labeler.phones(text)
    mapper.prepare([text])
    units = mapper.units(text, phones)
    assert phones[:3] == ["G", "UH1", "D"] and phones[3] == "|"
    assert units == ["GOOD"] * 3 + [None, "你", "你", "好", "好", None, "<unk>"]
    assert mapper.units(text, phones[:-1]) is None  # text.phone from another G2P: no guessing
    (path / "lang.yaml").write_text(yaml.safe_dump({"unit": "char"}))
    with pytest.raises(ValueError, match="not a phone lang dir"):
        PhoneUnitMapper(path)


def _rec(utt, phones, units, spans, frames=20):
    return {"utt": utt, "frames": frames, "phones": phones, "units": units, "spans": spans, "error": None}


def test_segments_skip_boundaries_and_excluded_targets_and_keep_neighbours():
    recs = [_rec("a", ["x", "|", "<unk>", "y"], ["X", None, "U", "Y"], [[1, 2], [4, 5], [8, 9], [12, 14]]),
            {**_rec("b", ["z"], None, None), "error": "too short"},
            _rec("c", ["y", "x"], None, [[0, 3], [5, 6]])]
    seg, stats = build_segments([recs], "|", ["<unk>"], "midpoint", 100)
    names = seg.phone_names
    ctx = [[names[i] for i in row] for row in seg.context]
    assert ctx == [[EDGE, "x", "<unk>"], ["<unk>", "y", EDGE], [EDGE, "y", "x"], ["y", "x", EDGE]]
    assert [seg.unit_names[u] if u >= 0 else None for u in seg.unit] == ["X", "Y", None, None]
    assert stats["utterances_without_spans"] == 1 and stats["excluded_tokens"] == 1 and stats["segments"] == 4
    rows, spans, ref = seg.by_utt[(0, "a")]
    assert rows.tolist() == [0, 1] and spans.tolist() == [[1, 3], [11, 14]] and ref == 20  # midpoint widening
    assert seg.group.tolist() == [0, 0, 1, 1]
    few, _ = build_segments([recs], "|", ["<unk>"], "label", 2)
    assert len(few) == 2 and few.by_utt[(0, "a")][1].tolist() == [[1, 2]]


def test_pooler_means_over_spans_and_rescales_another_frame_rate():
    recs = [_rec("a", ["x", "y"], ["X", "Y"], [[0, 2], [2, 4]], frames=4)]
    seg, _ = build_segments([recs], None, [], "label", 10)
    frames = np.arange(8, dtype=np.float32).reshape(4, 2)
    pooler = SegmentPooler(seg)
    pooler.add(0, "a", frames)
    assert pooler.features.tolist() == [[1, 2], [5, 6]] and pooler.filled.all()
    half = SegmentPooler(seg)
    half.add(0, "a", frames[::2])  # a model at half the frame rate: each span becomes one frame
    assert half.features.tolist() == [[0, 1], [4, 5]]
    half.add(0, "unknown", frames)  # utterances without rows are ignored
