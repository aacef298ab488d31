"""Stage 14: hallucination measures of decoded test sets and non-speech sets -> hallucination.json.

A test set needs its decode dir (text, finish_reason) and its stage-12 score dir (result.json with
the reference path, unit, normaliser and totals; per_utt.jsonl with per-utterance counts). A
non-speech set needs only its decode dir; its utterance ids start with the kind (`babble-00003`).
"""

import json
import logging
from pathlib import Path

from asrllm.hallucination import measures as m
from asrllm.kaldi.table import DataError, read_table
from asrllm.scoring.scorer import iter_text
from asrllm.text import get_normalizer, tokenize
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)

HALLUCINATION_JSON = "hallucination.json"
MAX_IDS = 100  # utterance ids listed per measure (the counts cover all)
# hallucination rates on Mandarin public sets as the NIM4-ASR paper (arXiv 2604.18105) reports them,
# for comparison in RESULTS.md
REFERENCE_RATES = {"NIM4": 0.003, "Qwen3-ASR-1.7B": 0.018, "Fun-ASR-Nano": 0.018}


def _table(path: Path, allow_empty: bool = False) -> dict[str, str]:
    if not path.is_file():
        raise DataError(f"{path}: missing (decode the set first: stage 11)")
    return {k: v for k, v, _ in read_table(path, allow_empty_value=allow_empty)}


def _pct(count: int, total: int) -> float | None:
    return round(100.0 * count / total, 4) if total else None


def settings(length_factor: float, overlap_threshold: float, min_repeats: int) -> dict:
    return {"nim4": {"length_factor": length_factor, "overlap_measure": m.NIM4_OVERLAP_MEASURE,
                     "overlap_threshold": overlap_threshold,
                     "rule": f"hyp tokens > {length_factor} x ref tokens and overlap < {overlap_threshold}"},
            "looping": {"min_repeats": min_repeats,
                        "rule": f"an n-gram (any n >= 1) of the scored hypothesis tokens repeated >= {min_repeats} "
                                f"times in a row, or finish_reason max_tokens"},
            "insertion_rate": "insertions / reference tokens (stage 12 counts), percent",
            "length_ratio": "scored hypothesis tokens / reference tokens, utterances with a non-empty reference",
            "nonspeech": "share of inputs whose hypothesis has any non-whitespace character, percent"}


def evaluate_test_set(set_dir: str | Path, score_dir: str | Path | None = None,
                      length_factor: float = m.NIM4_LENGTH_FACTOR,
                      overlap_threshold: float = m.NIM4_OVERLAP_THRESHOLD,
                      min_repeats: int = m.LOOP_MIN_REPEATS) -> dict:
    """NIM4 rate, insertion rate, looping rate and length ratios of one decoded, scored test set."""
    set_dir = Path(set_dir)
    score = Path(score_dir) if score_dir else set_dir / "score"
    result_path, per_utt_path = score / "result.json", score / "per_utt.jsonl"
    if not result_path.is_file() or not per_utt_path.is_file():
        raise DataError(f"{score}: no result.json / per_utt.jsonl (score the set first: stage 12)")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    unit, norm = result["unit"], get_normalizer(result["normalizer"])
    hyps = _table(set_dir / "text", allow_empty=True)
    reasons = _table(set_dir / "finish_reason")
    ref_path = Path(result["ref"])
    if not ref_path.is_absolute() and result.get("cwd"):
        ref_path = Path(result["cwd"]) / ref_path
    refs = dict(iter_text(ref_path))
    nim4, loops, loops_ngram, loops_max, ref_loops, ratios = [], [], 0, 0, 0, []
    empty_ref = n = 0
    with open(per_utt_path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            try:
                u = json.loads(line)
                utt, ref_len, hyp_len, correct = u["uttid"], u["ref_tokens"], u["hyp_tokens"], u["correct"]
            except (json.JSONDecodeError, KeyError) as e:
                raise DataError(f"{per_utt_path}:{lineno}: not a per-utterance score record ({e})") from None
            n += 1
            if m.is_nim4_hallucination(ref_len, hyp_len, correct, length_factor, overlap_threshold):
                nim4.append(utt)
            hyp_tokens = tokenize(norm(hyps.get(utt, "")), unit)
            by_ngram = m.has_loop(hyp_tokens, min_repeats)
            by_max = reasons.get(utt) == "max_tokens"
            if by_ngram or by_max:
                loops.append(utt)
            loops_ngram += by_ngram
            loops_max += by_max
            ref_loops += m.has_loop(tokenize(norm(refs.get(utt, "")), unit), min_repeats)
            if ref_len:
                ratios.append(hyp_len / ref_len)
            else:
                empty_ref += 1
    if n == 0:
        raise DataError(f"{per_utt_path}: no utterances")
    return {
        "num_utts": n, "unit": unit, "normalizer": result["normalizer"], "score_dir": str(score),
        "nim4": {"count": len(nim4), "rate": _pct(len(nim4), n), "uttids": nim4[:MAX_IDS]},
        "insertion_rate": _pct(result["insertions"], result["num_ref_tokens"]),
        "insertions": result["insertions"], "num_ref_tokens": result["num_ref_tokens"],
        "looping": {"count": len(loops), "rate": _pct(len(loops), n), "by_ngram": loops_ngram,
                    "by_max_tokens": loops_max, "reference_rate": _pct(ref_loops, n), "uttids": loops[:MAX_IDS]},
        "length_ratio": {**m.ratio_summary(ratios), "num_empty_ref": empty_ref},
    }


def evaluate_nonspeech_set(set_dir: str | Path) -> dict:
    """Share of non-speech inputs with any output, overall and per kind (the id prefix)."""
    set_dir = Path(set_dir)
    hyps = _table(set_dir / "text", allow_empty=True)
    reasons = _table(set_dir / "finish_reason")
    if not hyps:
        raise DataError(f"{set_dir / 'text'}: no utterances")
    kinds: dict[str, dict] = {}
    examples = []
    for utt, text in hyps.items():
        k = kinds.setdefault(utt.split("-", 1)[0], {"num_utts": 0, "count": 0, "max_tokens": 0})
        k["num_utts"] += 1
        k["max_tokens"] += reasons.get(utt) == "max_tokens"
        if text.strip():
            k["count"] += 1
            if len(examples) < 20:
                examples.append({"uttid": utt, "text": text[:200]})
    for k in kinds.values():
        k["rate"] = _pct(k["count"], k["num_utts"])
    count = sum(k["count"] for k in kinds.values())
    return {"num_utts": len(hyps), "false_output": {"count": count, "rate": _pct(count, len(hyps))},
            "max_tokens": sum(k["max_tokens"] for k in kinds.values()), "by_kind": dict(sorted(kinds.items())),
            "examples": examples}


def evaluate(decode_dir: str | Path, test_sets: list[str], nonspeech_sets: list[str], out: str | Path,
             length_factor: float = m.NIM4_LENGTH_FACTOR, overlap_threshold: float = m.NIM4_OVERLAP_THRESHOLD,
             min_repeats: int = m.LOOP_MIN_REPEATS, extra: dict | None = None) -> dict:
    """Evaluate <decode_dir>/<set> for every set and write `out` (hallucination.json) atomically."""
    decode_dir = Path(decode_dir)
    data = {"decode_dir": str(decode_dir), "settings": settings(length_factor, overlap_threshold, min_repeats),
            "test_sets": {}, "nonspeech_sets": {}, "reference_rates_percent": REFERENCE_RATES}
    for name in test_sets:
        data["test_sets"][name] = r = evaluate_test_set(decode_dir / name, None, length_factor, overlap_threshold,
                                                        min_repeats)
        log.info("%s: NIM4 %s%%, insertions %s%%, looping %s%% (%d utts)", name, r["nim4"]["rate"],
                 r["insertion_rate"], r["looping"]["rate"], r["num_utts"])
    for name in nonspeech_sets:
        data["nonspeech_sets"][name] = r = evaluate_nonspeech_set(decode_dir / name)
        log.info("%s: output on %s%% of %d non-speech inputs", name, r["false_output"]["rate"], r["num_utts"])
    data.update(extra or {})
    with atomic_write(out) as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return data
