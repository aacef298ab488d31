"""perturb_data_dir_speed.sh: a speed-perturbed copy of a data dir, audio changed through sox pipes.

Kaldi's conventions: utterance, speaker and recording ids get the prefix `sp<factor>-`, segment
times and durations are divided by the factor, utt2uniq maps each new utterance to the original
one, text is copied, and what depends on the audio (feats, frame counts, CMVN) is not copied.
"""

import argparse
import logging
import math
import shlex
import sys
from pathlib import Path
from typing import Callable, Iterator

from asrllm.kaldi.cli import run_tool
from asrllm.kaldi.datadir import DataDir, format_seconds, parse_segment
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError, write_table
from asrllm.kaldi.validate import Options, ensure_valid

PROG = "perturb_data_dir_speed.sh"
# Derived from the audio, so wrong after perturbation: recompute them on the new dir.
NOT_COPIED = ("feats.scp", "vad.scp", "utt2num_frames", "utt2num_samples", "cmvn.scp")
# Audio that Debian's sox reads (it may lack opus/mp3): anything else must be converted first.
SOX_TYPES = ("wav", "flac")


def sox_speed_pipe(reco: str, value: str, factor: str, where: str) -> str:
    """The wav.scp entry that plays recording `reco` (entry `value`) at `factor` times the speed.
    sox -R: its dither is seeded the same every time, so each read gives the same samples (plain sox
    dithers differently on every run, and two runs of a recipe would train on different audio)."""
    effect = f"-t wav - speed {factor} |"
    if value.endswith("|"):
        return f"{value} sox -R -t wav - {effect}"
    kind = Path(value).suffix.lower().lstrip(".")
    if kind not in SOX_TYPES:
        raise DataError(f"{where}: recording '{reco}' is '{value}'; speed perturbation takes .wav or .flac "
                        f"files or pipes that give wav; convert this recording first")
    return f"sox -R -t {kind} {shlex.quote(value)} {effect}"


def perturb_data_dir_speed(factor: str, src: str | Path, dest: str | Path) -> int:
    """Write the `factor`-speed copy of data dir `src` to `dest`; return the number of utterances."""
    try:
        f = float(factor)
    except ValueError:
        f = math.nan
    if not (f > 0 and math.isfinite(f)):
        raise DataError(f"speed factor must be a positive number, got '{factor}'")
    d = DataDir(src)
    d.require("utt2spk", "wav.scp")
    if Path(dest).resolve() == d.root.resolve():
        raise DataError(f"{dest}: the destination must differ from the source")
    p = f"sp{factor}-"

    def seconds(value: str) -> str:
        return format_seconds(float(value) / f)

    def segment(utt: str, value: str) -> str:
        seg = parse_segment(utt, value)
        return f"{p}{seg.reco} {format_seconds(seg.start / f)} {format_seconds(seg.end / f)}"

    def audio(name: str) -> Callable[[str, str, int], str]:
        return lambda key, value, ln: sox_speed_pipe(key, value, factor, f"{d.file(name)}:{ln}")

    same: Callable[[str, str, int], str] = lambda key, value, ln: value
    by_name: dict[str, Callable[[str, str, int], str]] = {
        "utt2spk": lambda key, value, ln: p + value,
        "segments": lambda key, value, ln: segment(key, value),
        "utt2dur": lambda key, value, ln: seconds(value),
        "reco2dur": lambda key, value, ln: seconds(value),
        "wav.scp": audio("wav.scp"),
    }
    names = [n for n in d.utt_tables() + d.reco_tables() + d.spk_tables() if n not in NOT_COPIED]
    skipped = [n for n in d.tables() if n in NOT_COPIED]
    with staged_dir(dest, d.known_names()) as tmp:
        for name in names:
            write_table(tmp / name, _mapped(d, name, p, by_name.get(name, same)), sort=False)
        if not d.has("utt2uniq"):
            write_table(tmp / "utt2uniq", ((p + utt, utt) for utt in d.keys("utt2spk")), sort=False)
        write_spk2utt(tmp / "utt2spk", tmp / "spk2utt")
        ensure_valid(tmp, dest, Options(require_feats=False, require_text=d.has("text"), allow_empty_text=True))
    if skipped:
        logging.info("%s: not copied (recompute them on %s): %s", PROG, dest, " ".join(skipped))
    return d.num_utts()


def _mapped(d: DataDir, name: str, prefix: str, value_of: Callable[[str, str, int], str]) -> Iterator[tuple[str, str]]:
    """Lines of table `name` with prefixed keys and mapped values; same order (a common prefix keeps it)."""
    for key, value, ln in d.read(name):
        try:
            yield prefix + key, value_of(key, value, ln)
        except ValueError as e:
            raise DataError(f"{d.file(name)}:{ln}: {e}") from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Make a speed-perturbed copy of a data dir: wav.scp entries become sox pipes "
                    "(`sox -R -t wav in.wav -t wav - speed F |`; pipes get `sox -R -t wav - -t wav - speed F |` "
                    "appended), ids get the prefix sp<F>-, times and durations are divided by F. "
                    "Only .wav/.flac files and pipes are accepted. The result is validated.")
    p.add_argument("factor", help="speed factor, e.g. 0.9 or 1.1 (also used as written in the prefix)")
    p.add_argument("src")
    p.add_argument("dest")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        n = perturb_data_dir_speed(args.factor, args.src, args.dest)
        logging.info("%s: wrote %d utterances at speed %s to %s", PROG, n, args.factor, args.dest)

    return run_tool(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
