"""prepare_lang end to end on tiny data dirs (Mandarin, English, mixed)."""

from pathlib import Path

import pytest
import sentencepiece

from asrllm.bin.prepare_lang import main
from asrllm.lang.espeak import espeak_available
from asrllm.lang.units import read_units

TRAIN = {
    "u1": "我们一起去旅游",
    "u2": "HELLO WORLD",
    "u3": "我想买IPHONE手机 OK",
    "u4": "THE BLORPITY SAID 3 TIMES",
    "u5": "，",
}
DEV = {"d1": "行长去银行 FRANGULATE", "d2": "HELLO 世界"}


def make_dir(path: Path, rows: dict) -> Path:
    path.mkdir(parents=True)
    (path / "text").write_text("".join(f"{k} {v}\n" for k, v in sorted(rows.items())), encoding="utf-8")
    return path


def table(path: Path) -> dict:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(" ")
        out[key] = value.split()
    return out


@pytest.fixture
def dirs(tmp_path):
    return make_dir(tmp_path / "train", TRAIN), make_dir(tmp_path / "dev", DEV)


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed")
def test_phone_lang(tmp_path, dirs, repo):
    train, dev = dirs
    lang = tmp_path / "lang_phone"
    assert main(["--unit", "phone", "--config", str(repo / "conf/lang.yaml"), "--train-dir", str(train),
                 "--lang-dir", str(lang), str(dev)]) == 0
    tr, dv = table(train / "text.phone"), table(dev / "text.phone")
    assert tr["u1"] == \
        "uu uo3 m en5 ii i4 q i3 q v4 l v3 ii iu2".split()
    assert tr["u2"] == "HH AH0 L OW1 W ER1 L D".split()
    assert tr["u3"][:6] == "uu uo3 x iang3 m ai3".split() and tr["u3"][-3:] == ["OW1", "K", "EY1"]
    assert "<unk>" in tr["u4"] and tr["u4"][:2] == ["DH", "AH0"]
    assert tr["u5"] == []
    assert dv["d1"][:10] == "h ang2 zh ang3 q v4 ii in2 h ang2".split() and dv["d1"][10] == "F"
    # unit list: <blank> 0, <unk> 1, then exactly the phones used, and units.txt is the same list
    units = read_units(lang / "phones.txt")
    used = {p for rows in (tr, dv) for seq in rows.values() for p in seq} - {"<unk>"}
    assert set(units) - {"<blank>", "<unk>"} == used
    assert read_units(lang / "units.txt") == units
    lexicon = [line.split() for line in (lang / "lexicon.txt").read_text(encoding="utf-8").splitlines()]
    assert ["HELLO", "HH", "AH0", "L", "OW1"] in lexicon and ["行", "h", "ang2"] in lexicon
    assert ["世", "sh", "i4"] in lexicon  # dev words get pronunciations too
    report = (lang / "oov_report.txt").read_text(encoding="utf-8")
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in report.splitlines() if not line.startswith("#")}
    assert rows["BLORPITY"][:2] == ["1", "espeak"] and rows["FRANGULATE"][:2] == ["1", "espeak"]
    assert rows["3"][:2] == ["1", "unk"]
    assert "HELLO" not in rows and "# espeak: 2 types, 2 tokens" in report


def test_phone_lang_parallel_matches_serial(tmp_path, dirs):
    train, dev = dirs
    extra = make_dir(tmp_path / "big", {f"x{i:05d}": TRAIN[f"u{1 + i % 4}"] for i in range(4500)})
    cfg = tmp_path / "lang.yaml"
    cfg.write_text("phone:\n  word_boundary: '|'\n  english:\n    oov_fallback: [spell]\n")
    assert main(["--unit", "phone", "--config", str(cfg), "--train-dir", str(extra), "--lang-dir",
                 str(tmp_path / "l1"), "--label-name", "serial"]) == 0
    assert main(["--unit", "phone", "--config", str(cfg), "--train-dir", str(extra), "--lang-dir",
                 str(tmp_path / "l2"), "--label-name", "parallel", "--nj", "2"]) == 0
    serial = (extra / "serial").read_text()
    assert serial == (extra / "parallel").read_text()
    assert serial.count("\n") == 4500 and "B L AO1 R P IH0 T IY0" not in serial
    assert (tmp_path / "l1" / "lexicon.txt").read_text() == (tmp_path / "l2" / "lexicon.txt").read_text()
    assert "| " in serial and "|" in read_units(tmp_path / "l1" / "phones.txt")


def test_char_lang(tmp_path, dirs):
    train, dev = dirs
    lang = tmp_path / "lang_char"
    assert main(["--unit", "char", "--train-dir", str(train), "--lang-dir", str(lang), str(dev)]) == 0
    tr, dv = table(train / "text.char"), table(dev / "text.char")
    assert tr["u2"] == list("HELLO") + ["<space>"] + list("WORLD")
    assert tr["u3"] == list("我想买IPHONE手机OK")  # no <space> next to a CJK character
    assert dv["d2"] == list("HELLO") + ["<unk>", "<unk>"]
    units = read_units(lang / "units.txt")
    assert list(units)[:3] == ["<blank>", "<unk>", "<space>"]  # most frequent first (5 times)
    assert "世\t1" in (lang / "oov_report.txt").read_text(encoding="utf-8")


def test_bpe_lang(tmp_path, dirs):
    train, dev = dirs
    lang = tmp_path / "lang_bpe_40"
    assert main(["--unit", "bpe", "--bpe-size", "40", "--train-dir", str(train), "--lang-dir", str(lang),
                 str(dev)]) == 0
    units = read_units(lang / "units.txt")
    assert len(units) == 41 and list(units)[:2] == ["<blank>", "<unk>"]
    labels = table(train / "text.bpe_40")
    sp = sentencepiece.SentencePieceProcessor(model_file=str(lang / "bpe.model"))
    for key, text in TRAIN.items():
        assert all(p in units for p in labels[key])
        assert sp.decode([sp.piece_to_id(p) for p in labels[key]]) == text
    assert "<unk>" in table(dev / "text.bpe_40")["d1"]  # 行 never seen in training
    assert main(["--unit", "bpe", "--bpe-size", "5000", "--train-dir", str(train), "--lang-dir",
                 str(tmp_path / "lang_bpe_5000")]) == 1
    assert not list((tmp_path / "lang_bpe_5000").glob("*.model"))


def test_errors(tmp_path, dirs, caplog):
    train, _ = dirs
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("phone:\n  english:\n    stres: keep\n")
    assert main(["--unit", "phone", "--config", str(cfg), "--train-dir", str(train), "--lang-dir",
                 str(tmp_path / "lang")]) == 1
    assert "did you mean 'stress'" in caplog.text
    assert main(["--unit", "char", "--train-dir", str(tmp_path / "nope"), "--lang-dir", str(tmp_path / "l")]) == 1
    assert "nope/text: no such file" in caplog.text
    (train / "text").write_text("u1 A\nu1 B\n")
    assert main(["--unit", "char", "--train-dir", str(train), "--lang-dir", str(tmp_path / "l")]) == 1
    assert "text:2: duplicate id 'u1'" in caplog.text
    (train / "text").write_text("u2 A\nu1 B\n")
    assert main(["--unit", "char", "--train-dir", str(train), "--lang-dir", str(tmp_path / "l")]) == 1
    assert "text:2: 'u1' is not sorted" in caplog.text
