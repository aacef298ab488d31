"""hallucination.json from decoded + scored sets, and its RESULTS.md section."""

import json

import pytest

from asrllm.bin import hallucination as cli
from asrllm.kaldi.table import write_table
from asrllm.scoring.report import score_to_dir
from asrllm.scoring.results import render_results

REFS = {
    "u1": "PLEASE PUT THE RED BALL ON THE TABLE",            # 8 words
    "u2": "SET AN ALARM",                                    # 3
    "u3": "GOOD MORNING",                                    # 2
    "u4": "TURN ON THE LIGHT",                               # 4
    "u5": "WHAT TIME IS IT",                                 # 4
}
HYPS = {
    "u1": "please put the red ball on the table",            # correct (normaliser: upper case)
    "u2": "I LIKE TO EAT PIZZA WITH MY FRIENDS ON SUNDAY",   # 10 > 4.5 words, nothing aligned: NIM4
    "u3": "GOOD MORNING MORNING MORNING MORNING",            # loop (MORNING x4), 3 insertions
    "u4": "TURN ON THE",                                     # a deletion
    "u5": "WHAT TIME IS IT",                                 # correct but hit max_tokens
}
REASONS = {"u1": "eos", "u2": "eos", "u3": "eos", "u4": "eos", "u5": "max_tokens"}


@pytest.fixture
def decoded(tmp_path):
    ref = tmp_path / "data" / "text"
    write_table(ref, REFS.items())
    d = tmp_path / "decode_joint"
    write_table(d / "test" / "text", HYPS.items())
    write_table(d / "test" / "finish_reason", REASONS.items())
    score_to_dir(ref, d / "test" / "text", "word", "en", d / "test" / "score", {"command": ["score"]})
    ns = {"silence-00000": "", "silence-00001": "", "white-00000": "THANK YOU", "babble-00000": "",
          "babble-00001": "。", "babble-00002": "HELLO HELLO"}
    write_table(d / "nonspeech" / "text", ns.items())
    write_table(d / "nonspeech" / "finish_reason", [(u, "max_tokens" if u == "babble-00002" else "eos") for u in ns])
    return tmp_path, d


def test_measures_of_a_test_set_and_a_nonspeech_set(decoded):
    root, d = decoded
    assert cli.main(["--decode-dir", str(d), "--test-sets", "test", "--nonspeech-sets", "nonspeech"]) == 0
    data = json.loads((d / "hallucination.json").read_text())
    t = data["test_sets"]["test"]
    assert t["num_utts"] == 5
    assert t["nim4"] == {"count": 1, "rate": 20.0, "uttids": ["u2"]}
    assert t["insertions"] == 7 + 3 and t["num_ref_tokens"] == 21  # u2: 3 subs + 7 ins; u3: 3 ins
    assert t["insertion_rate"] == pytest.approx(100 * 10 / 21, abs=1e-3)
    assert t["looping"]["uttids"] == ["u3", "u5"]
    assert (t["looping"]["by_ngram"], t["looping"]["by_max_tokens"], t["looping"]["reference_rate"]) == (1, 1, 0.0)
    assert t["length_ratio"]["max"] == pytest.approx(10 / 3, abs=1e-4) and t["length_ratio"]["num"] == 5
    ns = data["nonspeech_sets"]["nonspeech"]
    assert ns["false_output"] == {"count": 3, "rate": 50.0}
    assert ns["by_kind"]["babble"] == {"num_utts": 3, "count": 2, "max_tokens": 1, "rate": pytest.approx(66.6667)}
    assert ns["by_kind"]["silence"]["count"] == 0 and ns["by_kind"]["white"]["rate"] == 100.0
    nim4 = data["settings"]["nim4"]
    assert nim4["overlap_threshold"] == 0.1 and "aligned" in nim4["overlap_measure"]
    assert data["command"][:3] == ["python", "-m", "asrllm.bin.hallucination"]


def test_thresholds_are_options_and_recorded(decoded):
    _, d = decoded
    out = d / "strict.json"
    assert cli.main(["--decode-dir", str(d), "--test-sets", "test", "--out", str(out), "--length-factor", "1.2",
                     "--min-repeats", "5"]) == 0
    data = json.loads(out.read_text())
    t = data["test_sets"]["test"]
    assert t["looping"]["by_ngram"] == 0  # MORNING x4 < 5
    assert data["settings"]["nim4"]["length_factor"] == 1.2 and data["settings"]["looping"]["min_repeats"] == 5


def test_missing_score_dir_is_a_clear_error(decoded, caplog):
    _, d = decoded
    assert cli.main(["--decode-dir", str(d), "--test-sets", "nonspeech"]) == 1
    assert "score the set first" in caplog.text


def test_results_section(decoded):
    root, d = decoded
    assert cli.main(["--decode-dir", str(d), "--test-sets", "test", "--nonspeech-sets", "nonspeech"]) == 0
    md = render_results(root)
    section = md[md.index("## Hallucination"):]
    assert "### decode_joint" in section
    assert "|test|5|20.000|47.62|40.00|1|" in section
    assert "|nonspeech|6|50.00|66.67|0.00|100.00|" in section
    assert "NIM4 0.003" in section and "asrllm.bin.hallucination" in section
