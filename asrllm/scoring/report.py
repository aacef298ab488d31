"""Write a scoring run to its folder: result.json, result.txt, ref.trn, hyp.trn, per_utt.jsonl.

Everything is written while the references stream past (bounded memory); result.json is written
last and removed first, so its presence means the folder is complete and consistent.
"""

import contextlib
import json
import logging
import os
import shutil
import unicodedata
from functools import lru_cache
from pathlib import Path

from asrllm.scoring.align import CORRECT, alignment_pairs
from asrllm.scoring.scorer import CorpusStats, UttResult, iter_scores, iter_text, read_text
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)

RESULT_JSON = "result.json"
RESULT_TXT = "result.txt"
REF_TRN = "ref.trn"
HYP_TRN = "hyp.trn"
PER_UTT = "per_utt.jsonl"

# sclite reads "(...)" at the end of a trn line as the id and splits ids on whitespace.
_TRN_UNSAFE_ID_CHARS = "() \t"


def sclite_command(out_dir: str | os.PathLike) -> str:
    """The sclite call that recomputes the counts from ref.trn / hyp.trn (same tokens, same ids)."""
    d = Path(out_dir)
    return (f"sctk sclite -r {d / REF_TRN} trn -h {d / HYP_TRN} trn -i wsj -e utf-8 -s -l 100000 "
            f"-o sum pralign stdout")


@lru_cache(maxsize=65536)
def display_width(token: str) -> int:
    """Columns a token takes in a terminal: wide and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in token)


def trn_line(tokens: list[str], uttid: str) -> str:
    """One sclite `trn` line: "tok tok ...<TAB>(uttid)"."""
    return f"{' '.join(tokens)}\t({uttid})\n"


def _pad(token: str, width: int) -> str:
    return token + " " * (width - display_width(token))


def format_alignment(u: UttResult) -> list[str]:
    """sclite pralign-style lines: id, scores, REF / HYP / Eval with aligned columns."""
    c = u.counts
    lines = [f"id: ({u.uttid})", f"Scores: (#C #S #D #I) {c.correct} {c.substitutions} {c.deletions} {c.insertions}"]
    if u.hyp_missing:
        lines.append("Note: no hypothesis (scored as all deletions)")
    if u.ops:
        ref_cols, hyp_cols, eval_cols = [], [], []
        for r, h, op in alignment_pairs(u.ref, u.hyp, u.ops):
            r = r if r is not None else "*" * max(3, display_width(h))
            h = h if h is not None else "*" * max(3, display_width(r))
            w = max(display_width(r), display_width(h))
            ref_cols.append(_pad(r, w))
            hyp_cols.append(_pad(h, w))
            eval_cols.append(_pad("" if op == CORRECT else op, w))
        lines += [("REF:  " + " ".join(ref_cols)).rstrip(), ("HYP:  " + " ".join(hyp_cols)).rstrip(),
                  ("Eval: " + " ".join(eval_cols)).rstrip()]
    return lines


def _pct(x: int, n: int) -> str:
    return f"{100.0 * x / n:6.1f}" if n else f"{x:5d}*"


def format_summary(stats: CorpusStats, ref_path: str, hyp_path: str) -> list[str]:
    """An sclite-like summary box plus the raw counts and the ids that were missing or extra."""
    c = stats.counts
    n = c.num_ref
    err = stats.error_rate
    err_s = "   n/a" if err is None else f"{err:6.1f}"
    head = "| # Snt    # Wrd |   Corr    Sub    Del    Ins    Err  S.Err |"
    row = (f"| {stats.num_utts:5d} {n:8d} | {_pct(c.correct, n)} {_pct(c.substitutions, n)} "
           f"{_pct(c.deletions, n)} {_pct(c.insertions, n)} {err_s} {stats.sentence_error_rate:6.1f} |")
    rule = "-" * len(head)
    lines = [
        "SYSTEM SUMMARY PERCENTAGES (asrllm.bin.score; sclite weights sub 4 / ins 3 / del 3)",
        f"ref:        {ref_path}",
        f"hyp:        {hyp_path}",
        f"unit:       {stats.unit} ({stats.metric})",
        f"normalizer: {stats.normalizer}",
        "",
        rule, head, rule, row, rule,
        "",
        f"{stats.metric} {'n/a' if err is None else format(err, '.2f')} %  "
        f"[ {c.errors} / {n}, {c.substitutions} sub, {c.deletions} del, {c.insertions} ins ]   "
        f"correct {c.correct}   hyp tokens {c.num_hyp}",
        f"sentence errors {stats.num_sentence_errors} / {stats.num_utts} = {stats.sentence_error_rate:.2f} %",
    ]
    if n == 0:
        lines.append("* no reference tokens: counts shown instead of percentages")
    lines.append(f"missing hypotheses (scored as all deletions): {len(stats.missing_hyp_ids)}"
                 + (": " + " ".join(stats.missing_hyp_ids) if stats.missing_hyp_ids else ""))
    lines.append(f"extra hypotheses (not in the reference, ignored): {len(stats.extra_hyp_ids)}"
                 + (": " + " ".join(stats.extra_hyp_ids) if stats.extra_hyp_ids else ""))
    return lines


def per_utt_record(u: UttResult) -> dict:
    """The per_utt.jsonl object of one utterance."""
    c = u.counts
    return {"uttid": u.uttid, "ref_tokens": len(u.ref), "hyp_tokens": len(u.hyp), "correct": c.correct,
            "substitutions": c.substitutions, "deletions": c.deletions, "insertions": c.insertions,
            "hyp_missing": u.hyp_missing}


def write_json(path: str | os.PathLike, data: dict) -> None:
    with atomic_write(path) as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.write("\n")


def score_to_dir(ref_path: str | os.PathLike, hyp_path: str | os.PathLike, unit: str, normalizer: str,
                 out_dir: str | os.PathLike, extra: dict | None = None) -> dict:
    """Score REF against HYP (Kaldi `text` files) and write every output into out_dir.

    hyp.trn gets a line for every reference id (empty where the hypothesis was missing) and none
    for extra ids, so sclite on ref.trn / hyp.trn scores exactly what was scored here.
    Returns the result.json content.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        (out / RESULT_JSON).unlink()
    hyps = read_text(hyp_path)
    stats = CorpusStats(unit, normalizer)
    unsafe_ids: list[str] = []
    align_tmp = out / f".alignments.tmp.{os.getpid()}"
    try:
        with atomic_write(out / REF_TRN) as ref_f, atomic_write(out / HYP_TRN) as hyp_f, \
                atomic_write(out / PER_UTT) as utt_f, open(align_tmp, "w", encoding="utf-8") as ali_f:
            for u in iter_scores(iter_text(ref_path), hyps, stats):
                if any(ch in u.uttid for ch in _TRN_UNSAFE_ID_CHARS):
                    unsafe_ids.append(u.uttid)
                ref_f.write(trn_line(u.ref, u.uttid))
                hyp_f.write(trn_line(u.hyp, u.uttid))
                utt_f.write(json.dumps(per_utt_record(u), ensure_ascii=False) + "\n")
                ali_f.write("\n".join(format_alignment(u)) + "\n\n")
        if unsafe_ids:
            log.warning("%d uttid(s) contain '(' ')' or whitespace; sclite cannot read their trn lines: %s",
                        len(unsafe_ids), ", ".join(unsafe_ids[:10]))
        with atomic_write(out / RESULT_TXT) as f, open(align_tmp, encoding="utf-8") as ali_f:
            f.write("\n".join(format_summary(stats, str(ref_path), str(hyp_path))) + "\n")
            f.write("\n\nDUMP OF ALIGNMENTS (REF / HYP / Eval: C blank, S, D, I)\n\n")
            shutil.copyfileobj(ali_f, f)
    finally:
        with contextlib.suppress(FileNotFoundError):
            align_tmp.unlink()
    data = stats.summary()
    data.update({"ref": str(ref_path), "hyp": str(hyp_path), "sclite_command": sclite_command(out)})
    data.update(extra or {})
    write_json(out / RESULT_JSON, data)
    return data
