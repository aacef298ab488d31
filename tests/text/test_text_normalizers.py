"""Table-driven tests of every normaliser (asrllm/text/normalize.py)."""

import pytest

from asrllm.text import NORMALIZERS, get_normalizer
from asrllm.text.normalize import normalize_en

CASES = {
    "zh": [
        ("我爱北京天安门。", "我爱北京天安门"),
        ("我 爱 I love you ！", "我爱I LOVE YOU"),  # code-switched: only Latin-Latin spaces survive
        ("今天，天气很好！“真的”？", "今天天气很好真的"),
        ("ＨＥＬＬＯ，ｗｏｒｌｄ　１２３", "HELLO WORLD 123"),  # full-width letters, comma, space, digits
        ("２０２１年", "2021年"),
        ("你好\u3000世界", "你好世界"),
        ("我用iPhone 12手机", "我用IPHONE 12手机"),
        ("Don’t 走", "DON'T走"),  # typographic apostrophe inside an English word is kept
        ("‘你好’", "你好"),  # ... but as Chinese quotes it is punctuation
        ("《红楼梦》——曹雪芹…", "红楼梦曹雪芹"),
        ("E-mail地址", "E MAIL地址"),
        ("你\u200b好", "你好"),  # zero-width space
        ("café 咖啡 naïve", "CAFÉ咖啡NAÏVE"),
        ("後來", "後來"),  # no traditional -> simplified unless asked
        ("", ""),
        ("   ", ""),
    ],
    "zh_t2s": [
        ("後來我們乾淨", "后来我们干净"),
        ("計程車，", "计程车"),  # script only: no regional vocabulary (出租车)
        ("我爱 I love you", "我爱I LOVE YOU"),
    ],
    "en": [
        ("Hello, world!", "HELLO WORLD"),
        ("don't stop", "DON'T STOP"),
        ("don’t", "DON'T"),
        ("'tis the season", "TIS THE SEASON"),
        ("the dogs' bones", "THE DOGS BONES"),
        ("rock-and-roll", "ROCK AND ROLL"),
        ("ＡＢＣ　ｄｅｆ！", "ABC DEF"),
        ("  multiple   spaces\tand tabs ", "MULTIPLE SPACES AND TABS"),
        ("Café naïve", "CAFÉ NAÏVE"),
        ("U.S.A. 3.5%", "U S A 3 5"),
        ("", ""),
    ],
    "gigaspeech": [
        ("AS THEY'RE LEAVING <COMMA> CAN KASH PULL ZAHRA ASIDE REALLY QUICKLY <QUESTIONMARK>",
         "AS THEY'RE LEAVING CAN KASH PULL ZAHRA ASIDE REALLY QUICKLY"),
        ("I <PERIOD> YOU <EXCLAMATIONPOINT>", "I YOU"),
        ("<SIL>", ""),
        ("<MUSIC> <NOISE> <OTHER>", ""),
        ("UH I THINK UM IT'S E-COMMERCE", "I THINK IT'S E COMMERCE"),
        ("STATE-OF-THE-ART", "STATE OF THE ART"),
        ("Um, it's state-of-the-art, uh... right?", "IT'S STATE OF THE ART RIGHT"),  # LLM-style hypothesis
        ("UHH EH MM HM AH HUH HA ER OOF HEE ACH EEE EW OK", "OK"),  # every filler
        ("THE <UNK> WAS <unk> THERE", "THE WAS THERE"),
        ("UMBRELLA HUMMUS ERASE AHA", "UMBRELLA HUMMUS ERASE AHA"),  # fillers only as whole words
        ("MM-HMM", "HMM"),  # hyphen split first, then the filler MM goes
        ("HELLO<COMMA>WORLD", "HELLO WORLD"),  # a tag never becomes the word COMMA
        ("", ""),
    ],
    "aishell": [
        ("而 对 楼市 成交 抑制 作用 最 大 的 限 购", "而对楼市成交抑制作用最大的限购"),
        ("而对楼市成交抑制作用最大的限购。", "而对楼市成交抑制作用最大的限购"),
        ("我爱 I love you！", "我爱ILOVEYOU"),
        ("<unk>你好", "你好"),
        ("１２３个", "123个"),
        ("", ""),
    ],
    "wenetspeech": [
        ("我爱 I love you！", "我爱I LOVE YOU"),
        ("<SIL>好的<unk>", "好的"),
        ("用ＣＰＵ跑，", "用CPU跑"),
        ("", ""),
    ],
    "none": [
        ("Hello, 世界!", "Hello, 世界!"),
        ("", ""),
    ],
}


@pytest.mark.parametrize("name,text,expected",
                         [(name, t, e) for name, rows in CASES.items() for t, e in rows],
                         ids=lambda x: x if isinstance(x, str) and len(x) < 25 else None)
def test_normalizer_table(name, text, expected):
    assert get_normalizer(name)(text) == expected


def test_every_registered_normalizer_is_tested():
    assert set(NORMALIZERS) == set(CASES)


@pytest.mark.parametrize("name", sorted(NORMALIZERS))
def test_idempotent(name):
    """Normalising twice changes nothing (hyp and ref may arrive already normalised)."""
    norm = get_normalizer(name)
    for text, _ in CASES[name]:
        once = norm(text)
        assert norm(once) == once


def test_en_lower_case():
    assert normalize_en("Hello, World's END", case="lower") == "hello world's end"
    with pytest.raises(ValueError, match="upper"):
        normalize_en("x", case="title")


def test_unknown_normalizer_lists_valid_names():
    with pytest.raises(ValueError, match="gigaspeech"):
        get_normalizer("chinese")
