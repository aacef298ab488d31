"""LibriSpeech preparation on a tree in the release layout (parts/readers/chapters, flac, .trans.txt)."""

import shutil

import pytest

from asrllm.corpora.librispeech import prepare_librispeech, read_speakers
from asrllm.kaldi.table import DataError, read_table_dict
from tests.corpora.fixtures import speakers_txt


@pytest.fixture
def release(corpus):
    return corpus("librispeech")


ALL_SETS = ("train_960", "dev", "dev_clean", "dev_other", "test_clean", "test_other", "train_clean_100",
            "train_clean_460")


def test_data_dirs_follow_the_rules(release, tmp_path):
    root, expect = release
    prepare_librispeech(root, tmp_path / "data", sets=ALL_SETS)
    for name in ALL_SETS:
        d = tmp_path / "data" / name
        text = read_table_dict(d / "text")
        want = expect["text"].get(name) or {**expect["text"]["train_clean_100"], **expect["text"]["train_clean_360"]}
        assert text == want, name                                   # the given upper-case text
        utt2spk = read_table_dict(d / "utt2spk")
        assert utt2spk == {u: u.rsplit("-", 1)[0] for u in text}   # speaker = reader-chapter
        assert read_table_dict(d / "spk2gender") == {s: expect["spk2gender"][s] for s in set(utt2spk.values())}
        assert all(w.endswith(f"/{u}.flac") for u, w in read_table_dict(d / "wav.scp").items())
    assert len(read_table_dict(tmp_path / "data/train_960/text")) == 5
    dropped = (tmp_path / "data/local/librispeech/dropped.txt").read_text().split("\n")
    assert [line.split()[:2] for line in dropped if line] == [["103-1240-0007", "transcript_without_audio"],
                                                               ["103-1240-0002", "audio_without_transcript"]]


def test_root_may_be_the_librispeech_folder(release, tmp_path):
    root, expect = release
    prepare_librispeech(root / "LibriSpeech", tmp_path / "data", sets=("test_other",))
    assert read_table_dict(tmp_path / "data/test_other/text") == expect["text"]["test_other"]


def test_speakers_txt(tmp_path):
    p = tmp_path / "SPEAKERS.TXT"
    p.write_text(speakers_txt())
    assert read_speakers(p)["1272"] == "m" and read_speakers(p)["103"] == "f"
    p.write_text(speakers_txt() + "12 | X | dev-clean | 1.0 | Someone\n")
    with pytest.raises(DataError, match=r"SPEAKERS\.TXT:10: expected 'ID \| SEX"):
        read_speakers(p)


def test_reader_missing_from_speakers_txt_means_no_spk2gender_for_that_set(release, tmp_path):
    root, _ = release
    (root / "LibriSpeech/SPEAKERS.TXT").write_text(speakers_txt(include_all=False))  # no test-other reader
    prepare_librispeech(root, tmp_path / "data", sets=("test_clean", "test_other"))
    assert (tmp_path / "data/test_clean/spk2gender").is_file()
    assert not (tmp_path / "data/test_other/spk2gender").exists()


def test_transcript_of_another_chapter_names_file_and_line(release, tmp_path):
    root, _ = release
    trans = root / "LibriSpeech/dev-other/116/288045/116-288045.trans.txt"
    trans.write_text(trans.read_text() + "116-999-0001 WRONG CHAPTER\n")
    with pytest.raises(DataError, match=r"116-288045\.trans\.txt:2: utterance '116-999-0001' does not belong"):
        prepare_librispeech(root, tmp_path / "data", sets=("dev_other",))


def test_missing_part_and_unknown_set(release, tmp_path):
    root, _ = release
    shutil.rmtree(root / "LibriSpeech/train-other-500")
    with pytest.raises(DataError, match="missing part.*train-other-500 needed by the sets train_960"):
        prepare_librispeech(root, tmp_path / "data")
    prepare_librispeech(root, tmp_path / "data", sets=("train_clean_460",))  # does not need it
    with pytest.raises(DataError, match="unknown LibriSpeech set 'train_100'"):
        prepare_librispeech(root, tmp_path / "data", sets=("train_100",))
