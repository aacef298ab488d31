"""Stage 4 (filter_data): drop by duration / transcript, report why, validate; test sets are only copied."""

import json

from asrllm.bin import filter_data
from asrllm.features.filtering import count_text_tokens
from asrllm.kaldi.table import read_table_dict


def _formatted_dir(d, rows: dict[str, tuple[float, str]], segments: bool = False) -> None:
    """A dir as format_audio leaves it: rows are utt -> (duration, transcript)."""
    d.mkdir(parents=True)
    utts = sorted(rows)
    spk = {u: u.split("-")[0] for u in utts}

    def write(name, lines):
        (d / name).write_text("".join(lines))

    write("text", [f"{u} {rows[u][1]}\n" if rows[u][1] else f"{u}\n" for u in utts])
    write("utt2spk", [f"{u} {spk[u]}\n" for u in utts])
    write("utt2dur", [f"{u} {rows[u][0]:.4f}\n" for u in utts])
    write("utt2num_samples", [f"{u} {int(rows[u][0] * 16000)}\n" for u in utts])
    write("text.phn", [f"{u} p h\n" for u in utts])
    spk2utt: dict = {}
    for u in utts:
        spk2utt.setdefault(spk[u], []).append(u)
    write("spk2utt", [f"{s} {' '.join(v)}\n" for s, v in sorted(spk2utt.items())])
    if segments:
        write("segments", [f"{u} rec-{u.split('-')[0]} 0 {rows[u][0]:.4f}\n" for u in utts])
        write("wav.scp", [f"rec-{s} /audio/{s}.flac\n" for s in sorted(spk2utt)])
    else:
        write("wav.scp", [f"{u} /audio/{u}.flac\n" for u in utts])


ROWS = {"a-1": (2.0, "hello world"), "a-2": (0.1, "too short"), "a-3": (45.0, "too long"),
        "b-1": (3.0, ""), "b-2": (3.0, "我 用 iPhone12 手机 " * 100), "b-3": (4.0, "你好世界 hello"),
        "c-1": (0.2, "short speaker")}


def test_token_count_counts_cjk_characters_and_other_words():
    assert count_text_tokens("我用iPhone12手机") == 5
    assert count_text_tokens("HELLO   world") == 2
    assert count_text_tokens("") == 0


def test_training_set_is_filtered_and_the_reasons_reported(tmp_path):
    src, out = tmp_path / "raw", tmp_path / "filtered"
    _formatted_dir(src, ROWS, segments=True)
    assert filter_data.main(["--in-dir", str(src), "--out-dir", str(out)]) == 0
    kept = read_table_dict(out / "text")
    assert sorted(kept) == ["a-1", "b-3"]
    dropped = {u: v.split()[0] for u, v in read_table_dict(out / "filter.dropped").items()}
    assert dropped == {"a-2": "too-short", "a-3": "too-long", "b-1": "empty-text", "b-2": "text-too-long",
                       "c-1": "too-short"}
    report = json.loads((out / "filter.report.json").read_text())
    assert report["kept"] == 2 and report["dropped_by_reason"] == {"empty-text": 1, "text-too-long": 1,
                                                                   "too-long": 1, "too-short": 2}
    assert read_table_dict(out / "spk2utt") == {"a": "a-1", "b": "b-3"}  # speaker c is gone
    assert sorted(read_table_dict(out / "wav.scp")) == ["rec-a", "rec-b"]  # recordings follow the segments
    assert sorted(read_table_dict(out / "text.phn")) == ["a-1", "b-3"]  # extra per-utterance tables too


def test_test_sets_are_copied_and_validated_only(tmp_path):
    src, out = tmp_path / "raw", tmp_path / "filtered"
    _formatted_dir(src, ROWS)
    assert filter_data.main(["--in-dir", str(src), "--out-dir", str(out), "--no-filter"]) == 0
    texts = [read_table_dict(d / "text", allow_empty_value=True) for d in (out, src)]
    assert texts[0] == texts[1]
    assert json.loads((out / "filter.report.json").read_text())["dropped"] == 0


def test_configurable_limits_and_an_invalid_result(tmp_path):
    src = tmp_path / "raw"
    _formatted_dir(src, ROWS)
    conf = tmp_path / "data.yaml"
    conf.write_text("filter:\n  min_duration: 0.0\n  max_duration: 100\n  max_text_tokens: 1000\n")
    out = tmp_path / "filtered"
    assert filter_data.main(["--in-dir", str(src), "--out-dir", str(out), "--config", str(conf)]) == 0
    assert len(read_table_dict(out / "text")) == 6  # only the empty transcript goes
    (src / "utt2spk").write_text((src / "utt2spk").read_text().replace("a-3 a\n", ""))
    assert filter_data.main(["--in-dir", str(src), "--out-dir", str(tmp_path / "bad"), "--config", str(conf)]) == 1
    assert not (tmp_path / "bad" / "text").exists()


SHORT = {"a-1": (2.0, "hello world"), "a-2": (0.05, "blip"), "b-1": (0.08, "click"), "b-2": (0.085, "just one"),
         "b-3": (1.0, "你好")}


def test_clips_without_an_encoder_frame(tmp_path, caplog):
    """Under 0.085 s (7 fbank frames at 25 / 10 ms) the encoder has no frame: training drops them even with
    min_duration 0; an eval set (--no-filter) keeps them and a warning names them."""
    src = tmp_path / "raw"
    _formatted_dir(src, SHORT)
    conf = tmp_path / "data.yaml"
    conf.write_text("filter:\n  min_duration: 0.0\n")
    out = tmp_path / "train"
    assert filter_data.main(["--in-dir", str(src), "--out-dir", str(out), "--config", str(conf)]) == 0
    assert sorted(read_table_dict(out / "text")) == ["a-1", "b-2", "b-3"]
    dropped = read_table_dict(out / "filter.dropped")
    assert sorted(dropped) == ["a-2", "b-1"] and "no encoder frame" in dropped["a-2"]
    test = tmp_path / "test"
    assert filter_data.main(["--in-dir", str(src), "--out-dir", str(test), "--no-filter"]) == 0
    assert len(read_table_dict(test / "text")) == 5
    assert json.loads((test / "filter.report.json").read_text())["kept_without_encoder_frame"] == 2
    warning = next(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "2 utterance(s) shorter than 0.085 s give no encoder frame" in warning and warning.endswith("a-2 b-1")
