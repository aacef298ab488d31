"""Scoring tricky test sets end to end and checking the counts against sclite on the same tokens.

Each case gives REF and HYP Kaldi text (None = no hyp line), the unit and normaliser, and the
hand-derived (C, S, D, I) per utterance. The sclite tests run the real sclite on the ref.trn /
hyp.trn that scoring wrote and compare every utterance, the totals and the sentence errors.
"""

import json

import pytest

from asrllm.scoring.report import score_to_dir

MANDARIN = {  # uttid: (ref, hyp or None, (C, S, D, I))
    "e1_empty_ref": ("", "多余的话", (0, 0, 0, 4)),
    "e2_both_empty": ("", "", (0, 0, 0, 0)),
    "e3_empty_hyp": ("你好世界", "", (0, 0, 4, 0)),
    "e4_punct_only_hyp": ("好", "。！", (0, 0, 1, 0)),
    "m1_missing_hyp": ("今天天气很好", None, (0, 0, 6, 0)),
    "cs1_code_switch": ("我爱 I love you", "我爱I LIKE YOU。", (8, 2, 0, 0)),
    "fw1_fullwidth": ("ＡＩ技术，２０２１年", "AI技术2021年。", (9, 0, 0, 0)),
    "t1_tie": ("ABZC", "ZDEF", (0, 4, 0, 0)),
    "w1_word_segmented": ("而 对 楼市 成交", "而对楼市成交", (6, 0, 0, 0)),
}
MANDARIN_MIXED = {
    "cs1_code_switch": (4, 1, 0, 0),  # 我 爱 I LOVE/LIKE YOU
    "fw1_fullwidth": (5, 0, 0, 0),  # AI 技 术 2021 年
    "t1_tie": (0, 1, 0, 0),  # ABZC / ZDEF are one word each
}
ENGLISH = {
    "w1": ("THE CAT SAT ON THE MAT", "The cat sat on a mat.", (5, 1, 0, 0)),
    "w2": ("DON'T STOP", "don’t stop!", (2, 0, 0, 0)),
    "w3_empty_ref": ("", "Hello.", (0, 0, 0, 1)),
    "w4_tie": ("A B Z C", "z d e f", (0, 4, 0, 0)),
    "w5_missing": ("GOOD MORNING", None, (0, 0, 2, 0)),
    "w6_fullwidth": ("HELLO WORLD", "ｈｅｌｌｏ，ｗｏｒｌｄ！", (2, 0, 0, 0)),
}
GIGASPEECH = {
    "g1": ("UH I THINK <COMMA> IT'S E-COMMERCE <PERIOD>", "Um, I think it's e-commerce.", (5, 0, 0, 0)),
    "g2_garbage": ("<SIL>", "Thank you.", (0, 0, 0, 2)),
    "g3_garbage_silent": ("<MUSIC>", "", (0, 0, 0, 0)),
    "g4": ("STATE OF THE ART <PERIOD>", "State-of-the-art!", (4, 0, 0, 0)),
}
WENETSPEECH = {
    "n1": ("我们用 CPU 训练模型", "我们用GPU训练模型。", (7, 1, 0, 0)),
    "n2": ("<SIL>好的", "好的，好的", (2, 0, 0, 2)),
}
EXTRA_HYP = {"zz_extra": "不在参考里"}


def write_case(tmp_path, case: dict, extra_hyps: dict | None = None):
    ref = tmp_path / "ref.txt"
    hyp = tmp_path / "hyp.txt"
    ref.write_text("".join(f"{u} {r}\n" if r else f"{u}\n" for u, (r, _, _) in case.items()), encoding="utf-8")
    hyp_lines = [f"{u} {h}\n" if h else f"{u}\n" for u, (_, h, _) in reversed(case.items()) if h is not None]
    hyp_lines += [f"{u} {h}\n" for u, h in (extra_hyps or {}).items()]
    hyp.write_text("".join(hyp_lines), encoding="utf-8")
    return ref, hyp


def per_utt(out_dir) -> dict[str, tuple[int, int, int, int]]:
    rows = [json.loads(line) for line in (out_dir / "per_utt.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["uttid"]: (r["correct"], r["substitutions"], r["deletions"], r["insertions"]) for r in rows}


SETS = [
    ("mandarin_char", MANDARIN, "char", "zh", None),
    ("mandarin_aishell", MANDARIN, "char", "aishell", None),
    ("mandarin_mixed", MANDARIN, "mixed", "wenetspeech", MANDARIN_MIXED),
    ("english", ENGLISH, "word", "en", None),
    ("gigaspeech", GIGASPEECH, "word", "gigaspeech", None),
    ("wenetspeech", WENETSPEECH, "mixed", "wenetspeech", None),
]


@pytest.mark.parametrize("name,case,unit,normalizer,overrides", SETS, ids=[s[0] for s in SETS])
def test_counts_by_hand(tmp_path, name, case, unit, normalizer, overrides):
    ref, hyp = write_case(tmp_path, case, EXTRA_HYP)
    data = score_to_dir(ref, hyp, unit, normalizer, tmp_path / "score")
    expected = {u: (overrides or {}).get(u, c) for u, (_, _, c) in case.items()}
    assert per_utt(tmp_path / "score") == expected
    totals = [sum(c[k] for c in expected.values()) for k in range(4)]
    assert [data["correct"], data["substitutions"], data["deletions"], data["insertions"]] == totals
    n = totals[0] + totals[1] + totals[2]
    assert data["num_ref_tokens"] == n
    assert data["num_utts"] == len(case)
    assert data["error_rate"] == pytest.approx(100.0 * sum(totals[1:]) / n)
    sent_err = sum(any(c[1:]) for c in expected.values())
    assert data["sentence_error_rate"] == pytest.approx(100.0 * sent_err / len(case))
    assert data["unit"] == unit and data["normalizer"] == normalizer
    assert data["missing_hyp_ids"] == [u for u, (_, h, _) in case.items() if h is None]
    assert data["extra_hyp_ids"] == ["zz_extra"]


@pytest.mark.parametrize("name,case,unit,normalizer,overrides", SETS, ids=[s[0] for s in SETS])
def test_counts_agree_with_sclite(sclite, tmp_path, name, case, unit, normalizer, overrides):
    ref, hyp = write_case(tmp_path, case, EXTRA_HYP)
    data = score_to_dir(ref, hyp, unit, normalizer, tmp_path / "score")
    theirs = sclite(tmp_path / "score" / "ref.trn", tmp_path / "score" / "hyp.trn")
    ours = per_utt(tmp_path / "score")
    for u in case:
        assert theirs.counts.get(u, (0, 0, 0, 0)) == ours[u], u
    assert theirs.num_snt == data["num_utts"]
    assert theirs.num_wrd == data["num_ref_tokens"]
    assert theirs.err_pct == pytest.approx(round(data["error_rate"], 1), abs=0.051)
    assert theirs.serr_pct == pytest.approx(round(data["sentence_error_rate"], 1), abs=0.051)


def test_trn_files_hold_the_scored_tokens(tmp_path):
    ref, hyp = write_case(tmp_path, MANDARIN, EXTRA_HYP)
    score_to_dir(ref, hyp, "mixed", "zh", tmp_path / "score")
    ref_trn = (tmp_path / "score" / "ref.trn").read_text(encoding="utf-8").splitlines()
    hyp_trn = (tmp_path / "score" / "hyp.trn").read_text(encoding="utf-8").splitlines()
    assert len(ref_trn) == len(hyp_trn) == len(MANDARIN)  # extra id left out, missing one present
    assert "我 爱 I LOVE YOU\t(cs1_code_switch)" in ref_trn
    assert "\t(m1_missing_hyp)" in hyp_trn
    assert not any("zz_extra" in line for line in hyp_trn)


def test_all_empty_reference_tokens(tmp_path):
    """No reference tokens: 0.0 without insertions, null (not a fake 0.0) with them."""
    (tmp_path / "ref.txt").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "hyp.txt").write_text("a\nb\n", encoding="utf-8")
    data = score_to_dir(tmp_path / "ref.txt", tmp_path / "hyp.txt", "word", "en", tmp_path / "s1")
    assert data["error_rate"] == 0.0 and data["sentence_error_rate"] == 0.0
    (tmp_path / "hyp.txt").write_text("a HELLO\nb\n", encoding="utf-8")
    data = score_to_dir(tmp_path / "ref.txt", tmp_path / "hyp.txt", "word", "en", tmp_path / "s2")
    assert data["error_rate"] is None and data["insertions"] == 1 and data["sentence_error_rate"] == 50.0
    assert json.loads((tmp_path / "s2" / "result.json").read_text())["error_rate"] is None
