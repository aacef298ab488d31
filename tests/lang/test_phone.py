import pytest

from asrllm.lang.config import LangConfig
from asrllm.lang.phone import PhoneLabeler


def labeler(**phone):
    return PhoneLabeler(LangConfig.from_dict({"phone": phone}).phone)


def test_mandarin_english_and_mixed():
    lab = labeler(english={"oov_fallback": []})
    assert lab.phones("你好")[0] == ["n", "i3", "h", "ao3"]
    assert lab.phones("HELLO WORLD")[0] == ["HH", "AH0", "L", "OW1", "W", "ER1", "L", "D"]
    seq, units = lab.phones("我爱NEW YORK")
    assert seq == ["uu", "uo3", "aa", "ai4", "N", "UW1", "Y", "AO1", "R", "K"]
    assert [u.word for u in units] == ["我", "爱", "NEW", "YORK"]
    assert [u.method for u in units] == ["pinyin", "pinyin", "cmudict", "cmudict"]


def test_word_boundary_between_runs_not_inside_chinese():
    lab = labeler(word_boundary="|", english={"stress": "strip", "oov_fallback": []}, mandarin={"tone": "none"})
    assert lab.phones("我爱 NEW YORK 北京")[0] == [
        "uu", "uo", "aa", "ai", "|", "N", "UW", "|", "Y", "AO", "R", "K", "|", "b", "ei", "j", "ing"]


@pytest.mark.parametrize("other, expected", [("unk", ["<unk>", "T", "AY1", "M", "Z", "<unk>"]),
                                             ("drop", ["T", "AY1", "M", "Z"])])
def test_digits_tags_and_symbols(other, expected):
    assert labeler(other=other).phones("3 TIMES [noise]")[0] == expected


def test_oov_word_without_fallback_is_unk():
    seq, units = labeler(english={"oov_fallback": []}).phones("ZQXJV")
    assert seq == ["<unk>"] and units[0].method == "unk"
