"""LibriSpeech (OpenSLR 12): `<part>/<reader>/<chapter>/` flac files + one `.trans.txt` per chapter.

Rules (CORPORA.md): data dirs use underscores (dev_clean ...); train_960 = the three training
parts; speaker = `<reader>-<chapter>` (as ESPnet and Kaldi); the LLM learns to emit the given
upper-case text. spk2gender comes from SPEAKERS.TXT (`;` lines are comments).
"""

import contextlib
import logging
import os
from pathlib import Path
from typing import Iterator

from asrllm.corpora.builder import DEFAULT_SORT_BUFFER, TableSink, build_data_dir
from asrllm.corpora.report import PrepReport
from asrllm.kaldi.table import DataError

log = logging.getLogger(__name__)

PARTS = ("train-clean-100", "train-clean-360", "train-other-500", "dev-clean", "dev-other", "test-clean",
         "test-other")
COMBINED = {
    "train_960": ("train-clean-100", "train-clean-360", "train-other-500"),
    "train_clean_460": ("train-clean-100", "train-clean-360"),
    "dev": ("dev-clean", "dev-other"),
}
DEFAULT_SETS = ("train_960", "dev", "dev_clean", "dev_other", "test_clean", "test_other")


def parts_of(name: str) -> tuple[str, ...]:
    """The release parts a data dir is made of: a part's own name with underscores, or a combination."""
    if name in COMBINED:
        return COMBINED[name]
    part = name.replace("_", "-")
    if part in PARTS:
        return (part,)
    choices = sorted(COMBINED) + [p.replace("-", "_") for p in PARTS]
    raise DataError(f"unknown LibriSpeech set '{name}' (choose from {', '.join(choices)})")


def find_release(root: str | os.PathLike) -> Path:
    """The `LibriSpeech` folder: ROOT/LibriSpeech, or ROOT itself when it holds the parts."""
    root = Path(root)
    for cand in (root / "LibriSpeech", root):
        if (cand / "SPEAKERS.TXT").is_file() or any((cand / p).is_dir() for p in PARTS):
            return cand
    raise DataError(f"{root}: no LibriSpeech release here (expected {root}/LibriSpeech/<part>/ such as "
                    f"dev-clean); set LIBRISPEECH in db.sh, or download it with local/download.sh")


def read_speakers(path: Path) -> dict[str, str]:
    """reader id -> gender (m/f) from SPEAKERS.TXT: `ID | SEX | SUBSET | MINUTES | NAME`, `;` comments."""
    genders: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith(";"):
                continue
            fields = [x.strip() for x in line.split("|")]
            if len(fields) < 3 or not fields[0].isdigit() or fields[1].upper() not in ("M", "F"):
                raise DataError(f"{path}:{lineno}: expected 'ID | SEX | SUBSET | MINUTES | NAME', got {line.strip()!r}")
            genders[fields[0]] = fields[1].lower()
    return genders


def read_chapter_transcript(path: Path, prefix: str) -> Iterator[tuple[str, str, int]]:
    """(uttid, text, line) of one `<reader>-<chapter>.trans.txt`; ids must start with `prefix`."""
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError as e:
                raise DataError(f"{path}:{lineno}: not valid UTF-8 ({e.reason})") from None
            if not line:
                continue
            utt, _, words = line.partition(" ")
            if not utt.startswith(prefix):
                raise DataError(f"{path}:{lineno}: utterance '{utt}' does not belong to chapter {prefix[:-1]}")
            yield utt, " ".join(words.split()), lineno


def subdirs(path: Path) -> list[os.DirEntry]:
    return sorted((e for e in os.scandir(path) if e.is_dir()), key=lambda e: e.name)


def iter_part(part_dir: Path, report: PrepReport) -> Iterator[tuple[str, str, Path, str]]:
    """(utterance, speaker, flac path, text) of one part; unmatched audio/transcripts go to the report."""
    for reader in subdirs(part_dir):
        for chapter in subdirs(Path(reader.path)):
            spk = f"{reader.name}-{chapter.name}"
            folder = Path(chapter.path).resolve()
            flacs = {e.name[:-5] for e in os.scandir(folder) if e.name.endswith(".flac")}
            trans = folder / f"{spk}.trans.txt"
            lines = read_chapter_transcript(trans, spk + "-") if trans.is_file() else iter(())
            for utt, text, lineno in lines:
                if utt not in flacs:
                    report.drop("transcript_without_audio", utt, f"{trans}:{lineno}")
                    continue
                flacs.discard(utt)
                if not text:
                    report.drop("empty_transcript", utt, f"{trans}:{lineno}")
                    continue
                yield utt, spk, folder / f"{utt}.flac", text
            for utt in sorted(flacs):
                report.drop("audio_without_transcript", utt, str(folder / f"{utt}.flac"))


def add_genders(sink: TableSink, name: str, spks: set[str], genders: dict[str, str], where: Path) -> None:
    """spk2gender for a set, when SPEAKERS.TXT knows every reader of it (else none, with a warning)."""
    unknown = sorted({s.split("-")[0] for s in spks} - genders.keys())
    if genders and unknown:
        log.warning("%s: readers %s are not in %s: no spk2gender for %s", name, " ".join(unknown[:5]), where, name)
    elif genders:
        for spk in spks:
            sink.add("spk2gender", spk, genders[spk.split("-")[0]])


def prepare_librispeech(root: str | os.PathLike, datadir: str | os.PathLike,
                        sets: tuple[str, ...] = DEFAULT_SETS,
                        sort_buffer: str = DEFAULT_SORT_BUFFER, validate: bool = True) -> PrepReport:
    """Write datadir/<set>/{wav.scp,text,utt2spk,spk2utt[,spk2gender]} for each set in `sets`."""
    plan = {s: parts_of(s) for s in sets}
    release = find_release(root)
    missing = sorted({p for parts in plan.values() for p in parts if not (release / p).is_dir()})
    if missing:
        raise DataError(f"{release}: missing part(s) {', '.join(missing)} needed by the sets "
                        f"{', '.join(s for s, ps in plan.items() if set(ps) & set(missing))}; download them "
                        f"(local/download.sh) or choose other sets")
    speakers_txt = release / "SPEAKERS.TXT"
    genders = read_speakers(speakers_txt) if speakers_txt.is_file() else {}
    if not genders:
        log.warning("%s not found: no spk2gender", speakers_txt)
    report = PrepReport("librispeech", Path(datadir) / "local" / "librispeech")
    try:
        with contextlib.ExitStack() as stack:
            sinks = {name: stack.enter_context(build_data_dir(
                Path(datadir) / name, ", ".join(str(release / p) for p in parts), sort_buffer, validate))
                for name, parts in plan.items()}
            stats = {name: {"utterances": 0, "words": 0} for name in plan}
            spks: dict[str, set[str]] = {name: set() for name in plan}
            for part in [p for p in PARTS if any(p in ps for ps in plan.values())]:
                targets = [name for name, parts in plan.items() if part in parts]
                for utt, spk, flac, text in iter_part(release / part, report):
                    for name in targets:
                        sink = sinks[name]
                        sink.add("wav.scp", utt, str(flac))
                        sink.add("text", utt, text)
                        sink.add("utt2spk", utt, spk)
                        stats[name]["utterances"] += 1
                        stats[name]["words"] += len(text.split())
                        spks[name].add(spk)
            for name in plan:
                add_genders(sinks[name], name, spks[name], genders, speakers_txt)
                report.sets[name] = {**stats[name], "speakers": len(spks[name]), "parts": list(plan[name])}
    except BaseException:
        report.abort()
        raise
    report.info["release"] = str(release)
    report.write()
    return report
