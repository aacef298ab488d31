"""Empty transcripts (the utt id alone on a `text` line, as the non-speech training clips have):
read by the tables, the index (fast path included), the dataset and the collate; the filter drops
them from a corpus (the clips join the training set after it)."""

import numpy as np
import soundfile as sf

import asrllm.data.index as index_mod
from asrllm.data.collate import collate_speech
from asrllm.data.config import data_config_from_dict
from asrllm.loading.dataset import SpeechDataset
from asrllm.features.filtering import Rule, count_text_tokens
from asrllm.kaldi.table import read_table, table_line
from asrllm.kaldi.validate import Options, validate_data_dir

SR = 16000


def make_dir(root):
    root.mkdir()
    rows = [("a-1", "hello world", "HH AH L"), ("a-2", "", ""), ("a-3", "你好", "n i h ao")]
    for utt, _, _ in rows:
        sf.write(root / f"{utt}.wav", 0.1 * np.random.default_rng(0).standard_normal(8000), SR, subtype="PCM_16")
    tables = {"wav.scp": [f"{root}/{u}.wav" for u, _, _ in rows], "utt2num_samples": ["8000"] * 3,
              "text": [t for _, t, _ in rows], "text.phone": [p for _, _, p in rows],
              "utt2spk": ["a"] * 3, "utt2dur": ["0.5"] * 3}
    for name, values in tables.items():
        (root / name).write_text("".join(table_line(u, v) for (u, _, _), v in zip(rows, values)))
    (root / "spk2utt").write_text("a a-1 a-2 a-3\n")
    return root


def test_an_empty_transcript_line_is_the_id_alone(tmp_path):
    d = make_dir(tmp_path / "d")
    assert (d / "text").read_text().splitlines()[1] == "a-2"
    assert [v for _, v, _ in read_table(d / "text", allow_empty_value=True)] == ["hello world", "", "你好"]
    assert not validate_data_dir(str(d), Options(require_feats=False)).ok
    assert validate_data_dir(str(d), Options(require_feats=False, allow_empty_text=True)).ok


def test_dataset_and_collate_keep_empty_transcripts_on_the_fast_path(tmp_path, monkeypatch):
    d = make_dir(tmp_path / "d")

    def no_slow_path(*a, **k):
        raise AssertionError("the index left its fast path")

    monkeypatch.setattr(index_mod, "_join_tables", lambda data, names, numeric, on_row=None, reset=None:
                        (*index_mod._aligned_tables(data, names, numeric, on_row), 0))
    monkeypatch.setattr(index_mod, "read_table", no_slow_path)
    ds = SpeechDataset(str(d), data_config_from_dict({}), "eval", tables=("text", "text.phone"))
    items = [ds[i] for i in range(len(ds))]
    assert [x["text"] for x in items] == ["hello world", "", "你好"]
    assert [x["text.phone"] for x in items] == ["HH AH L", "", "n i h ao"]
    batch = collate_speech(items)
    assert batch["text"] == ["hello world", "", "你好"] and batch["uttids"] == ["a-1", "a-2", "a-3"]


def test_the_filter_counts_no_token_and_drops_a_corpus_empty_transcript():
    assert count_text_tokens("") == 0 and count_text_tokens("   ") == 0
    rule = Rule(0.3, 30.0, 448)
    assert rule.reason(2.0, "") == "empty-text" and rule.reason(2.0, "ok") is None
