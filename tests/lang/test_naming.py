"""The label-set naming rule (asrllm/lang/naming.py) and the driver's view of it (asrllm.bin.label_sets)."""

import pytest

from asrllm.bin import label_sets
from asrllm.lang.naming import label_table_name, label_table_of, lang_dir_name


def test_each_unit_names_its_lang_dir_and_label_table():
    assert (lang_dir_name("phone"), label_table_name("phone")) == ("lang_phone", "text.phone")
    assert (lang_dir_name("bpe", 500), label_table_name("bpe", 500)) == ("lang_bpe_500", "text.bpe_500")
    assert label_table_of("data/lang_bpe_500") == "text.bpe_500"
    assert label_table_of("data/my_units", "char") == "text.char"
    with pytest.raises(ValueError, match="vocabulary size"):
        lang_dir_name("bpe")
    with pytest.raises(ValueError, match="unknown label set 'word'"):
        label_table_name("word")


def test_the_cli_prints_one_line_per_unit_and_fails_on_an_unknown_one(capsys, caplog):
    assert label_sets.main(["--units", "phone bpe", "--bpe-size", "300"]) == 0
    assert capsys.readouterr().out.splitlines() == ["phone lang_phone text.phone", "bpe lang_bpe_300 text.bpe_300"]
    assert label_sets.main(["--units", "phone word"]) == 1
    assert "unknown label set 'word'" in caplog.text
