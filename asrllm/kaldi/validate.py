"""Check a Kaldi data dir and report every problem found (up to a cap) by file and line.

Each table is read twice, streaming: once on its own (UTF-8, format, C-locale order, unique ids,
values), then joined with the table it must agree with. Only recording-level data (wav.scp ids,
reco2dur) is held in memory.
"""

import argparse
import logging
import os
import sys
from dataclasses import dataclass, field
from typing import Iterator

from asrllm.kaldi.datadir import DataDir, Segment, count_lines, parse_segment
from asrllm.kaldi.sorted_join import join_sorted
from asrllm.kaldi.speakers import group_by_speaker
from asrllm.kaldi.table import DataError, parse_line, strip_bom
from asrllm.utils.log import setup_logging

# A segment may end this far (s) past its recording's reco2dur, and utt2dur may differ this much
# from the segment / reco2dur duration: rounding of durations written with 2-3 decimals.
DURATION_TOLERANCE = 0.01
MAX_PROBLEMS = 50


@dataclass
class Report:
    """Outcome of a validation: problems (the first `cap` of them kept), warnings, a summary."""
    cap: int = MAX_PROBLEMS
    count: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""

    def add(self, where: str, msg: str) -> None:
        self.count += 1
        if len(self.problems) < self.cap:
            self.problems.append(f"{where}: {msg}")

    @property
    def ok(self) -> bool:
        return self.count == 0


@dataclass
class Options:
    require_feats: bool = True
    require_text: bool = True
    require_wav: bool = True
    allow_empty_text: bool = False


class Validator:
    """Runs the checks of one data dir into a Report."""

    def __init__(self, d: DataDir, opts: Options, report: Report):
        self.d, self.opts, self.report = d, opts, report
        self.unsorted: set[str] = set()
        self.faulty: set[str] = set()
        self.speakers_unordered_at: int | None = None

    def at(self, name: str, lineno: int | None = None) -> str:
        return f"{self.d.file(name)}" + (f":{lineno}" if lineno is not None else "")

    def lines(self, name: str, report: bool = False) -> Iterator[tuple[str, str, int]]:
        """Parsed lines of `name`, skipping bad and duplicate ones (reported if `report`)."""
        prev: str | None = None
        with open(self.d.file(name), "rb") as f:
            for lineno, raw in enumerate(f, 1):
                try:
                    key, value = parse_line(strip_bom(raw, lineno, self.at(name)), allow_empty_value=name == "text")
                except ValueError as e:
                    if report:
                        self.report.add(self.at(name, lineno), str(e))
                    continue
                if prev is not None and key < prev:
                    if report and name not in self.unsorted:
                        self.report.add(self.at(name, lineno), f"'{key}' is not sorted (C locale) after '{prev}'; "
                                                               f"run utils/fix_data_dir.sh")
                    self.unsorted.add(name)
                elif key == prev:
                    if report:
                        self.report.add(self.at(name, lineno), f"duplicate id '{key}'")
                    continue
                prev = key
                yield key, value, lineno

    def run(self) -> None:
        d, opts = self.d, self.opts
        if not d.root.is_dir():
            self.report.add(str(d.root), "no such data directory")
            return
        if not d.has("utt2spk"):
            self.report.add(self.at("utt2spk"), "missing (every data dir needs utt2spk)")
            return
        required = [("spk2utt", "make it with utils/fix_data_dir.sh")]
        if opts.require_text:
            required.append(("text", "use --no-text if the data dir has none by design"))
        if opts.require_feats:
            required.append(("feats.scp", "use --no-feats if the data dir has none by design"))
        if opts.require_wav or d.has_segments:
            required.append(("wav.scp", "segments need it" if d.has_segments else "use --no-wav if intended"))
        for name, hint in required:
            if not d.has(name):
                self.report.add(self.at(name), f"missing ({hint})")
        for name in d.tables():
            self.check_table(name)
        self.check_cross()
        if self.speakers_unordered_at is not None:
            self.report.warnings.append(
                f"{self.at('utt2spk', self.speakers_unordered_at)}: speakers are not in sorted runs (speaker ids "
                f"are not prefixes of utterance ids); Kaldi binaries need that, the asrllm tools do not")
        if self.report.ok:
            self.report.summary = self.summarize()

    def check_table(self, name: str) -> None:
        """Line-by-line checks of one table."""
        before = self.report.count
        prev_spk: str | None = None
        for key, value, lineno in self.lines(name, report=True):
            problem = self.value_problem(name, key, value)
            if problem:
                self.report.add(self.at(name, lineno), problem)
            if name == "utt2spk":
                if prev_spk is not None and value < prev_spk and self.speakers_unordered_at is None:
                    self.speakers_unordered_at = lineno
                prev_spk = value
        if self.d.file(name).stat().st_size == 0:
            self.report.add(self.at(name), "empty file")
        if self.report.count > before:
            self.faulty.add(name)

    def value_problem(self, name: str, key: str, value: str) -> str | None:
        if name == "text":
            if not value and not self.opts.allow_empty_text:
                return f"empty transcript for '{key}' (use --allow-empty-text if that is intended)"
        elif name == "utt2spk":
            if " " in value:
                return f"speaker id of '{key}' has a space: '{value}'"
        elif name in ("utt2dur", "reco2dur"):
            if not _positive(value, float):
                return f"duration of '{key}' must be a positive number, got '{value}'"
        elif name in ("utt2num_frames", "utt2num_samples"):
            if not _positive(value, int):
                return f"'{key}' needs a positive integer, got '{value}'"
        elif name == "segments":
            try:
                parse_segment(key, value)
            except ValueError as e:
                return str(e)
        elif name == "spk2gender":
            if value not in ("m", "f"):
                return f"gender of '{key}' must be m or f, got '{value}'"
        elif name == "spk2utt":
            utts = value.split()
            if len(set(utts)) != len(utts):
                return f"speaker '{key}' lists an utterance twice"
        return None

    def joinable(self, *names: str) -> bool:
        return all(self.d.has(n) and n not in self.unsorted for n in names)

    def check_cross(self) -> None:
        """Checks between tables, by streaming joins on sorted keys."""
        d = self.d
        for name in d.utt_tables():
            if name != "utt2spk":
                self.check_same_keys("utt2spk", name, "utterance")
        self.check_spk2utt()
        for name in d.spk_tables():
            self.check_same_keys("spk2utt", name, "speaker")
        if d.has_segments:
            for name in d.reco_tables():
                if name != "wav.scp":
                    self.check_same_keys("wav.scp", name, "recording")
            self.check_segments()
        elif self.joinable("utt2dur", "reco2dur"):
            self.check_durations("reco2dur", ((k, (float(v), ln)) for k, v, ln in self.lines("reco2dur")
                                              if _positive(v, float)))
        for name in sorted(self.unsorted):
            self.report.warnings.append(f"{self.at(name)}: not checked against the other files (not sorted)")

    def check_same_keys(self, ref: str, name: str, what: str) -> None:
        if not self.joinable(ref, name):
            return
        ref_lines = ((k, ln) for k, _, ln in self.lines(ref))
        for key, ref_ln, ln in join_sorted(ref_lines, ((k, ln) for k, _, ln in self.lines(name))):
            if ln is None:
                self.report.add(self.at(ref, ref_ln), f"{what} '{key}' is missing from {name}")
            elif ref_ln is None:
                self.report.add(self.at(name, ln), f"{what} '{key}' is not in {ref}")

    def check_spk2utt(self) -> None:
        """spk2utt must be utt2spk inverted: the same speakers, each with its utterances in order."""
        if not self.joinable("utt2spk", "spk2utt") or "utt2spk" in self.faulty:
            return  # a broken utt2spk would make every speaker look wrong
        in_order = self.speakers_unordered_at is None
        pairs = (((utt, ln), spk) for utt, spk, ln in self.lines("utt2spk"))
        expected = group_by_speaker(pairs, in_order)
        actual = ((spk, (utts.split(), ln)) for spk, utts, ln in self.lines("spk2utt"))
        for spk, utt_lines, got in join_sorted(expected, actual):
            if got is None:
                utt, ln = utt_lines[0]
                self.report.add(self.at("utt2spk", ln), f"speaker '{spk}' (of '{utt}') is missing from spk2utt")
                continue
            if utt_lines is None:
                self.report.add(self.at("spk2utt", got[1]), f"speaker '{spk}' has no utterance in utt2spk")
                continue
            want = [utt for utt, _ in utt_lines]
            if got[0] != want:
                missing = sorted(set(want) - set(got[0]))
                extra = sorted(set(got[0]) - set(want))
                detail = "; ".join(filter(None, [f"lacks {_few(missing)}" if missing else "",
                                                 f"has {_few(extra)} not of this speaker in utt2spk" if extra else ""]))
                self.report.add(self.at("spk2utt", got[1]), f"speaker '{spk}' does not match utt2spk: "
                                f"{detail or 'utterances not in utt2spk order'}")

    def check_segments(self) -> None:
        """Recordings of segments exist in wav.scp; segments end inside reco2dur; utt2dur agrees."""
        if not self.d.has("wav.scp"):
            return
        recos = {k for k, _, _ in self.lines("wav.scp")}
        durs = {k: float(v) for k, v, _ in self.lines("reco2dur") if _positive(v, float)} \
            if self.d.has("reco2dur") else {}
        for seg, lineno in self.segments():
            if seg.reco not in recos:
                self.report.add(self.at("segments", lineno), f"recording '{seg.reco}' of '{seg.utt}' is not in wav.scp")
            elif seg.reco in durs and seg.end > durs[seg.reco] + DURATION_TOLERANCE:
                self.report.add(self.at("segments", lineno),
                                f"segment '{seg.utt}' ends at {seg.end:g} s, after the end of recording "
                                f"'{seg.reco}' ({durs[seg.reco]:g} s in reco2dur)")
        if self.joinable("segments", "utt2dur"):
            self.check_durations("segments", ((s.utt, (s.end - s.start, ln)) for s, ln in self.segments()))

    def segments(self) -> Iterator[tuple[Segment, int]]:
        for utt, value, lineno in self.lines("segments"):
            try:
                yield parse_segment(utt, value), lineno
            except ValueError:
                continue

    def check_durations(self, source: str, durations: Iterator[tuple[str, tuple[float, int]]]) -> None:
        """utt2dur must agree with the duration `source` (segments or reco2dur) gives."""
        utt2dur = ((k, (float(v), ln)) for k, v, ln in self.lines("utt2dur") if _positive(v, float))
        for utt, want, got in join_sorted(durations, utt2dur):
            if want is not None and got is not None and abs(want[0] - got[0]) > DURATION_TOLERANCE:
                self.report.add(self.at("utt2dur", got[1]),
                                f"'{utt}' lasts {got[0]:g} s but {source} line {want[1]} gives {want[0]:g} s")

    def summarize(self) -> str:
        d = self.d
        parts = [f"{d.num_utts()} utterances",
                 f"{count_lines(d.file('spk2utt'))} speakers"]
        if d.has_segments:
            parts.append(f"{count_lines(d.file('wav.scp'))} recordings")
        return f"{d.root}: valid data dir; {', '.join(parts)}; files: {' '.join(d.tables())}"


def _positive(value: str, kind: type) -> bool:
    try:
        return kind(value) > 0
    except ValueError:
        return False


def _few(ids: list[str], n: int = 3) -> str:
    shown = ", ".join(f"'{i}'" for i in ids[:n])
    return shown + (f" and {len(ids) - n} more" if len(ids) > n else "")


def validate_data_dir(path: str, opts: Options | None = None, cap: int = MAX_PROBLEMS) -> Report:
    """Check the data dir at `path`; the Report lists problems, or a summary when there are none."""
    report = Report(cap=cap)
    Validator(DataDir(path), opts or Options(), report).run()
    return report


def ensure_valid(staged: str | os.PathLike, dest: str | os.PathLike, opts: Options) -> None:
    """Raise DataError, listing the first problems, when a dir built for `dest` is not valid."""
    report = validate_data_dir(str(staged), opts, cap=10)
    if not report.ok:
        raise DataError(f"the result would not be a valid data dir, so {dest} was not written (are the inputs "
                        f"valid?): " + " | ".join(report.problems))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="validate_data_dir.sh",
        description="Check a Kaldi data dir: sorted unique ids, consistent tables, UTF-8, sane values. "
                    "Prints each problem as <file>:<line>: <message> and exits 1, or prints a one-line "
                    "summary and exits 0.")
    p.add_argument("--no-feats", action="store_true", help="do not require feats.scp (default: required)")
    p.add_argument("--no-text", action="store_true", help="do not require text (default: required)")
    p.add_argument("--no-wav", action="store_true", help="do not require wav.scp (default: required)")
    p.add_argument("--allow-empty-text", action="store_true",
                   help="accept utterances with an empty transcript (default: a problem)")
    p.add_argument("--max-problems", type=int, default=MAX_PROBLEMS,
                   help=f"print at most this many problems (default: {MAX_PROBLEMS}); all are counted")
    p.add_argument("data_dir")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging()
    opts = Options(require_feats=not args.no_feats, require_text=not args.no_text, require_wav=not args.no_wav,
                   allow_empty_text=args.allow_empty_text)
    report = validate_data_dir(args.data_dir, opts, cap=args.max_problems)
    for w in report.warnings:
        logging.warning("%s", w)
    if not report.ok:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        hidden = report.count - len(report.problems)
        print(f"validate_data_dir.sh: {args.data_dir}: {report.count} problem(s)"
              + (f", {hidden} not shown" if hidden else ""), file=sys.stderr)
        return 1
    print(f"validate_data_dir.sh: {report.summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
