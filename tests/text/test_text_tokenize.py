"""Scoring units: char, word, mixed (asrllm/text/tokenize.py), alone and after a normaliser."""

import pytest

from asrllm.text import get_normalizer, tokenize
from asrllm.text.chars import is_cjk

CASES = [
    ("word", "THE CAT  SAT\tDOWN", ["THE", "CAT", "SAT", "DOWN"]),
    ("word", "", []),
    ("char", "我爱I LOVE", ["我", "爱", "I", "L", "O", "V", "E"]),  # English counted letter by letter
    ("char", " 你 好 ", ["你", "好"]),  # spaces are not tokens
    ("char", "", []),
    ("mixed", "我用IPHONE12手机", ["我", "用", "IPHONE12", "手", "机"]),
    ("mixed", "I LOVE YOU中国", ["I", "LOVE", "YOU", "中", "国"]),
    ("mixed", "二〇二一年", ["二", "〇", "二", "一", "年"]),
    ("mixed", "DON'T走", ["DON'T", "走"]),
    ("mixed", "", []),
]


@pytest.mark.parametrize("unit,text,expected", CASES)
def test_tokenize(unit, text, expected):
    assert tokenize(text, unit) == expected


@pytest.mark.parametrize("raw,normalizer,unit,expected", [
    ("我爱 I love you！", "zh", "mixed", ["我", "爱", "I", "LOVE", "YOU"]),
    ("我爱 I love you！", "zh", "char", list("我爱ILOVEYOU")),
    ("我爱 I love you！", "aishell", "mixed", ["我", "爱", "ILOVEYOU"]),  # aishell drops every space
    ("ＡＩ技术，２０２１年", "zh", "char", ["A", "I", "技", "术", "2", "0", "2", "1", "年"]),
    ("ＡＩ技术，２０２１年", "wenetspeech", "mixed", ["AI", "技", "术", "2021", "年"]),
    ("Um, it's state-of-the-art.", "gigaspeech", "word", ["IT'S", "STATE", "OF", "THE", "ART"]),
])
def test_normalize_then_tokenize(raw, normalizer, unit, expected):
    assert tokenize(get_normalizer(normalizer)(raw), unit) == expected


def test_is_cjk():
    assert all(is_cjk(c) for c in "中文〇々かなカナ한")
    assert not any(is_cjk(c) for c in "Aé1,。，　")


def test_unknown_unit():
    with pytest.raises(ValueError, match="mixed"):
        tokenize("x", "syllable")
