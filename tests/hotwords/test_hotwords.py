"""Hotword lists (asrllm/hotwords/lists.py) and their retrieval (asrllm/hotwords/retrieval.py)."""

import pytest

from asrllm.hotwords.lists import HotwordError, read_hotwords
from asrllm.hotwords.retrieval import HotwordIndex
from asrllm.lang.config import LangConfig
from asrllm.lang.phone import PhoneLabeler

UNITS = ["<blank>", "<unk>", "N", "IY1", "OW1", "HH", "AW1", "S", "AH0", "D", "EH1", "K", "a1", "b"]


def write(tmp_path, text: str | bytes, name="hot.txt"):
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def test_longest_match_dedup_and_cap(tmp_path):
    hot = read_hotwords(write(tmp_path, "NIO\tN IY1 OW1\nNIO House\tN IY1 OW1 HH AW1 S\nDESK\tD EH1 S K\n"
                                        "ab\ta1 b\n"), UNITS)
    index = HotwordIndex(hot.entries)
    ids = lambda s: [UNITS.index(p) for p in s.split()]  # noqa: E731
    hyp = ids("S N IY1 OW1 HH AW1 S AH0 D EH1 S K N IY1 OW1 HH AW1 S")
    assert index.find(hyp) == ["NIO House", "DESK"]  # "NIO" inside "NIO House" is dropped, repeats once
    assert index.find(ids("N IY1 OW1 AH0")) == ["NIO"]  # alone it is a hit
    assert index.find(hyp, max_hints=1) == ["NIO House"]
    assert index.find(ids("AH0 a1")) == [] and index.find([]) == []


def test_phones_from_the_recipes_labeler_and_homophones(tmp_path):
    labeler = PhoneLabeler(LangConfig().phone)
    seq = labeler.phones("苹果")[0] + labeler.phones("HELLO")[0]
    units = ["<blank>", "<unk>", *sorted(set(seq))]
    hot = read_hotwords(write(tmp_path, "苹果\n平果\nHELLO\n"), units, labeler)
    assert [h.text for h in hot.entries] == ["苹果", "平果", "HELLO"] and not hot.rejected
    assert hot.entries[0].phone_ids == hot.entries[1].phone_ids  # homophones: one key, both hinted
    hits = HotwordIndex(hot.entries).find([units.index(p) for p in seq])
    assert hits == ["苹果", "平果", "HELLO"]


def test_bad_lists_get_clear_messages(tmp_path, caplog):
    with pytest.raises(HotwordError, match=r"hot.txt:2: not UTF-8"):
        read_hotwords(write(tmp_path, b"NIO\tN IY1 OW1\n\xff\xfe\n"), UNITS)
    with pytest.raises(HotwordError, match="the list is empty"):
        read_hotwords(write(tmp_path, "\n  \n"), UNITS)
    with pytest.raises(HotwordError, match=r"no usable hotword \(1 rejected, e.g. line 1: phones ZZ"):
        read_hotwords(write(tmp_path, "X\tZZ\n"), UNITS)
    with pytest.raises(HotwordError, match="more than 1 hotwords"):
        read_hotwords(write(tmp_path, "A\tN\nB\tS\n"), UNITS, max_entries=1)
    with pytest.raises(HotwordError, match="no labeler"):
        read_hotwords(write(tmp_path, "NIO\n"), UNITS)
    hot = read_hotwords(write(tmp_path, "NIO\tN IY1 OW1\nBAD\tN QQ\nNIO\tN IY1\n"), UNITS)
    assert hot.rejected == [(2, "BAD", "phones QQ are not units of the CTC head")]
    assert hot.duplicates == [(3, "NIO", 1)]
    assert "hot.txt:2: hotword 'BAD' left out" in caplog.text and "duplicate" in caplog.text
