"""WenetSpeech / GigaSpeech: streamed JSON manifests -> data dirs with segments per subset label."""

import json
import tracemalloc

import pytest

from asrllm.bench.manifest_prep import write_synthetic_manifest
from asrllm.corpora.gigaspeech import GIGASPEECH, gigaspeech_text
from asrllm.corpora.manifest import prepare_manifest, subset_labels
from asrllm.corpora.wenetspeech import WENETSPEECH
from asrllm.kaldi.table import DataError, read_table_dict

R0, R1 = "Y0000000000_--5llN02F84", "Y0000000001_0-1jUQ3RHR4"


def table(d, name):
    return read_table_dict(d / name)


@pytest.fixture
def wenet(corpus):
    return corpus("wenetspeech")[0]


def test_wenetspeech_subsets(wenet, tmp_path):
    data = tmp_path / "data"
    prepare_manifest(WENETSPEECH, wenet, data, ["L", "M", "S", "W", "DEV", "TEST_NET", "TEST_MEETING"])
    ids = {name: sorted(table(data / name, "text")) for name in
           ("train_l", "train_m", "train_s", "train_w", "dev", "test_net", "test_meeting")}
    assert ids == {
        "train_l": [f"{R0}_S00000", f"{R0}_S00001", f"{R0}_S00002", f"{R1}_S00000", f"{R1}_S00001"],  # S00004: empty
        "train_m": [f"{R0}_S00000", f"{R0}_S00001", f"{R1}_S00000"],
        "train_s": [f"{R0}_S00000"],
        "train_w": [f"{R0}_S00003"],
        "dev": ["X0000000002_dev_S00000", "X0000000002_dev_S00001"],
        "test_net": ["TEST_NET_Y0000000003_S00000", "TEST_NET_Y0000000003_S00001"],
        "test_meeting": ["TEST_MEETING_T0000000004_S00000", "TEST_MEETING_T0000000004_S00001"],
    }
    # one segment, several subsets: the same line in each; text as given (whitespace normalised)
    assert table(data / "train_m", "text")[f"{R0}_S00001"] == "挺好的 谢谢"
    assert table(data / "train_l", "text")[f"{R0}_S00002"] == "我用iPhone打电话"
    assert table(data / "train_s", "segments") == {f"{R0}_S00000": f"{R0} 0.000 1.200"}
    # wav.scp per recording, only the recordings a set uses; paths relative to the JSON's folder
    assert table(data / "train_s", "wav.scp") == {R0: str(wenet.resolve() / f"audio/train/youtube/B00000/{R0}.opus")}
    assert sorted(table(data / "train_l", "wav.scp")) == [R0, R1]
    assert table(data / "dev", "utt2spk") == {u: u for u in ids["dev"]}   # no speaker labels
    report = json.loads((data / "local/wenetspeech/prep.json").read_text())
    assert report["sets"]["train_l"] == {"label": "L", "utterances": 5, "dropped_empty_text": 1, "recordings": 2}


def test_labels_are_whole_tokens(tmp_path):
    assert subset_labels(["{XL}", "{L}"]) == {"XL", "L"}
    assert subset_labels("L M") == {"L", "M"} and subset_labels("{S},{XS}") == {"S", "XS"}
    assert "M" not in subset_labels(["TEST_MEETING"]) and subset_labels(None) == set()
    assert WENETSPEECH.label("train_m") == "M" and GIGASPEECH.label("{xl}") == "XL"
    with pytest.raises(DataError, match="unknown wenetspeech subset 'XL'"):
        WENETSPEECH.label("XL")


def test_missing_audio_and_bad_segments_are_dropped(wenet, tmp_path):
    (wenet / f"audio/train/youtube/B00000/{R1}.opus").unlink()
    manifest = json.loads((wenet / "WenetSpeech.json").read_text())
    manifest["audios"][0]["segments"][1]["end_time"] = 1.0       # before its start
    (wenet / "WenetSpeech.json").write_text(json.dumps(manifest, ensure_ascii=False))
    prepare_manifest(WENETSPEECH, wenet, tmp_path / "data", ["L"])
    assert sorted(table(tmp_path / "data/train_l", "text")) == [f"{R0}_S00000", f"{R0}_S00002"]
    dropped = (tmp_path / "data/local/wenetspeech/dropped.txt").read_text()
    assert f"{R1} missing_audio" in dropped and f"{R0}_S00001 bad_times train_l 1.2 1.0" in dropped


def test_manifest_errors(wenet, tmp_path):
    text = (wenet / "WenetSpeech.json").read_text()
    manifest = json.loads(text)
    for a in manifest["audios"]:
        a["segments"] = [s for s in a["segments"] if s["subsets"] != ["W"]]
    (wenet / "WenetSpeech.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=r"no usable segment has subset label 'W' \(labels seen: L 6, M 4, S 2, DEV 2"):
        prepare_manifest(WENETSPEECH, wenet, tmp_path / "data", ["W"])
    (wenet / "WenetSpeech.json").write_text(text[:len(text) // 2])
    with pytest.raises(DataError, match=r"WenetSpeech\.json: invalid JSON near byte"):
        prepare_manifest(WENETSPEECH, wenet, tmp_path / "data", ["L"])
    manifest = json.loads(text)
    del manifest["audios"][1]["segments"][0]["sid"]
    (wenet / "WenetSpeech.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=rf"audios\[1\] \('{R1}'\): a segment has no string 'sid'"):
        prepare_manifest(WENETSPEECH, wenet, tmp_path / "data", ["L"])
    assert not (tmp_path / "data/train_l").exists() and not (tmp_path / "data/local/wenetspeech/prep.json").exists()
    with pytest.raises(DataError, match="WenetSpeech.json: not found"):
        prepare_manifest(WENETSPEECH, tmp_path, tmp_path / "data", ["L"])


@pytest.mark.parametrize("text_tn, train, want", [
    ("AS THEY'RE LEAVING <COMMA> CAN KASH PULL ZAHRA ASIDE <QUESTIONMARK>", True,
     "AS THEY'RE LEAVING, CAN KASH PULL ZAHRA ASIDE?"),
    ("WOW <EXCLAMATIONPOINT> OK <PERIOD>", True, "WOW! OK."),
    ("<COMMA> LEADING TAG IS DROPPED", True, "LEADING TAG IS DROPPED"),
    ("<MUSIC>", True, None),
    ("<NOISE> SOME WORDS <PERIOD>", True, None),                  # any garbage tag: out of training
    ("<NOISE> SOME WORDS <PERIOD>", False, "SOME WORDS."),        # dev/test: only the tag goes
    ("<SIL>", False, None),
    ("", False, None),
])
def test_gigaspeech_text(text_tn, train, want):
    assert gigaspeech_text(text_tn, train)[0] == want


def test_gigaspeech_subsets(corpus, tmp_path):
    root, _ = corpus("gigaspeech")
    data = tmp_path / "data"
    prepare_manifest(GIGASPEECH, root, data, ["XL", "L", "XS", "DEV", "TEST"])
    assert table(data / "train_xl", "text") == {
        "POD0000000001_S0000000": "AS THEY'RE LEAVING, CAN KASH PULL ZAHRA ASIDE REALLY QUICKLY?",
        "POD0000000001_S0000002": "THAT'S WHAT I SAID!",
        "POD0000000001_S0000004": "ONLY IN THE EXTRA LARGE SUBSET.",
        "YOU0000000002_S0000001": "SO LET'S GET STARTED.",
    }
    assert sorted(table(data / "train_l", "text")) == ["POD0000000001_S0000000", "POD0000000001_S0000002"]
    assert sorted(table(data / "train_xs", "text")) == ["POD0000000001_S0000000"]
    assert table(data / "dev", "text") == {"POD1000000003_S0000000": "HELLO THERE.",
                                           "POD1000000003_S0000001": "HOW ARE YOU DOING TODAY?"}
    assert table(data / "test", "text") == {"YOU1000000004_S0000000": "WELCOME BACK TO THE SHOW.",
                                            "YOU1000000004_S0000002": "THANKS FOR WATCHING, BYE"}
    assert sorted(table(data / "train_xl", "wav.scp")) == ["POD0000000001", "YOU0000000002"]
    dropped = sorted(line.split()[0] for line in (data / "local/gigaspeech/dropped.txt").read_text().splitlines())
    assert dropped == ["POD0000000001_S0000001"] * 3 + [   # garbage, in XL, L and XS
        "POD0000000001_S0000003", "YOU0000000002_S0000000", "YOU1000000004_S0000001"]


def peak_python_memory(tmp_path, n):
    root = tmp_path / f"m{n}"
    write_synthetic_manifest(root, n)
    tracemalloc.start()
    prepare_manifest(WENETSPEECH, root, tmp_path / f"d{n}", ["L", "W"], validate=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_is_flat_in_the_number_of_segments(tmp_path):
    small, large = peak_python_memory(tmp_path, 1000), peak_python_memory(tmp_path, 6000)
    assert large < 1.5 * small + 256 * 1024, (small, large)
