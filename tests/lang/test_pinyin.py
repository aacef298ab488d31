import pytest

from asrllm.lang.pinyin import MandarinG2P


@pytest.mark.parametrize("syllable, phones", [
    ("zhong1", ["zh", "ong1"]), ("lv4", ["l", "v4"]), ("ju4", ["j", "v4"]), ("xuan3", ["x", "van3"]),
    ("qun2", ["q", "vn2"]), ("yi1", ["ii", "i1"]), ("you3", ["ii", "iu3"]), ("yan2", ["ii", "ian2"]),
    ("ying1", ["ii", "ing1"]), ("yu2", ["vv", "v2"]), ("yuan3", ["vv", "van3"]), ("yue4", ["vv", "ve4"]),
    ("wu3", ["uu", "u3"]), ("wei4", ["uu", "ui4"]), ("wen2", ["uu", "un2"]), ("wo3", ["uu", "uo3"]),
    ("ai4", ["aa", "ai4"]), ("er2", ["ee", "er2"]), ("ou1", ["oo", "ou1"]), ("de", ["d", "e5"]),
    ("n2", ["ee", "en2"]), ("shi4", ["sh", "i4"]),
])
def test_split_marked_numbered(syllable, phones):
    assert MandarinG2P().split(syllable) == phones


def test_options_change_the_style():
    g = MandarinG2P(tone="none", zero_initial="none", apical_i=True)
    assert g.split("zhi1") == ["zh", "ix"]
    assert g.split("si4") == ["s", "iy"]
    assert g.split("ji1") == ["j", "i"]
    assert g.split("yu2") == ["v"]


def test_polyphones_follow_context():
    g = MandarinG2P()
    bank = dict(g.convert("银行"))["行"]
    walk = dict(g.convert("行走"))["行"]
    assert bank == ["h", "ang2"]
    assert walk == ["x", "ing2"]


def test_one_result_per_character_and_none_without_reading():
    g = MandarinG2P()
    out = g.convert("你好ぁ")
    assert [c for c, _ in out] == ["你", "好", "ぁ"]
    assert out[0][1] == ["n", "i3"] and out[2][1] is None
