from asrllm.lang.script import split_runs


def runs(text):
    return [(r.text, r.kind) for r in split_runs(text)]


def test_mixed_text_splits_by_script():
    assert runs("我想买iPhone12手机,好吗?OK") == [
        ("我想买", "cjk"), ("iPhone", "latin"), ("12", "digit"), ("手机", "cjk"), ("好吗", "cjk"),
        ("OK", "latin")]


def test_apostrophes_hyphens_and_punctuation():
    assert runs("FATHERS' 'EM ROCK'N'ROLL WELL-KNOWN -X HELLO,WORLD") == [
        ("FATHERS'", "latin"), ("'EM", "latin"), ("ROCK'N'ROLL", "latin"), ("WELL-KNOWN", "latin"),
        ("X", "latin"), ("HELLO", "latin"), ("WORLD", "latin")]


def test_tags_and_other_symbols():
    assert runs("<unk> [noise] ☃ —— 。") == [("<unk>", "tag"), ("[noise]", "tag"), ("☃", "other")]
