"""AISHELL-1 (OpenSLR 33): per-speaker wav folders + one transcript file -> data/{train,dev,test}.

Rules (CORPORA.md): the split comes from the path, the speaker is the parent folder, only
utterances with both a wav file and a transcript line are kept, and the spaces of the
word-segmented transcript are removed: the LLM learns to emit characters without spaces.
"""

import logging
import os
from pathlib import Path
from typing import Iterator

from asrllm.corpora.builder import DEFAULT_SORT_BUFFER, build_data_dir
from asrllm.corpora.report import PrepReport
from asrllm.kaldi.table import DataError

log = logging.getLogger(__name__)

SPLITS = ("train", "dev", "test")
TRANSCRIPT = Path("transcript/aishell_transcript_v0.8.txt")
# (utterances, characters) of the full release, for a sanity message (CORPORA.md)
RELEASE_TOTALS = {"dev": (14326, 205341), "test": (7176, 104765)}


def find_release(root: str | os.PathLike) -> Path:
    """The `data_aishell` folder: ROOT/data_aishell, or ROOT itself when it is that folder."""
    root = Path(root)
    for cand in (root / "data_aishell", root):
        if (cand / "wav").is_dir() and (cand / TRANSCRIPT).is_file():
            return cand
    raise DataError(f"{root}: no AISHELL-1 release here (expected {root}/data_aishell/wav/ and "
                    f"{root}/data_aishell/{TRANSCRIPT}); set AISHELL in db.sh, or download it with "
                    f"local/download.sh")


def aishell_text(words: str) -> str:
    """The target text: the word-segmented transcript with its spaces removed."""
    return "".join(words.split())


def read_transcript(path: Path) -> dict[str, str]:
    """uttid -> text (spaces removed; '' for a line without text); malformed lines name file:line."""
    out: dict[str, str] = {}
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError as e:
                raise DataError(f"{path}:{lineno}: not valid UTF-8 ({e.reason})") from None
            if not line:
                continue
            utt, _, words = line.partition(" ")
            if utt in out:
                raise DataError(f"{path}:{lineno}: utterance '{utt}' has a second transcript line")
            out[utt] = aishell_text(words)
    return out


def iter_wavs(split_dir: Path) -> Iterator[tuple[str, str, Path]]:
    """(utterance, speaker, wav path) for every `<SPK>/<UTT>.wav` under one split folder."""
    for spk in sorted((e for e in os.scandir(split_dir) if e.is_dir()), key=lambda e: e.name):
        for entry in os.scandir(spk.path):
            if entry.name.endswith(".wav") and entry.is_file():
                yield entry.name[:-4], spk.name, Path(entry.path).resolve()


def check_unpacked(release: Path, sets: tuple[str, ...]) -> None:
    """Fail clearly when the per-speaker tarballs of wav/ were not unpacked."""
    missing = [s for s in sets if not (release / "wav" / s).is_dir()]
    if missing:
        tars = sorted(p.name for p in (release / "wav").glob("*.tar.gz"))[:3]
        hint = (f"; wav/ still holds per-speaker archives ({', '.join(tars)}, ...): unpack them with "
                f"local/download.sh (it skips what is already downloaded)") if tars else ""
        raise DataError(f"{release}/wav: no folder for {', '.join(missing)}{hint}")


def prepare_aishell(root: str | os.PathLike, datadir: str | os.PathLike, sets: tuple[str, ...] = SPLITS,
                    sort_buffer: str = DEFAULT_SORT_BUFFER, validate: bool = True) -> PrepReport:
    """Write datadir/<set>/{wav.scp,text,utt2spk,spk2utt} for each split in `sets`."""
    for s in sets:
        if s not in SPLITS:
            raise DataError(f"unknown AISHELL-1 set '{s}' (choose from {', '.join(SPLITS)})")
    release = find_release(root)
    check_unpacked(release, sets)
    transcript = read_transcript(release / TRANSCRIPT)
    log.info("%s: %d transcript lines", release / TRANSCRIPT, len(transcript))
    report = PrepReport("aishell", Path(datadir) / "local" / "aishell")
    matched: set[str] = set()
    try:
        for s in sets:
            n_utts = n_chars = 0
            spks: set[str] = set()
            with build_data_dir(Path(datadir) / s, f"{release}/wav/{s}", sort_buffer, validate) as sink:
                for utt, spk, wav in iter_wavs(release / "wav" / s):
                    text = transcript.get(utt)
                    if text is None:
                        report.drop("audio_without_transcript", utt, str(wav))
                        continue
                    matched.add(utt)
                    if not text:
                        report.drop("empty_transcript", utt)
                        continue
                    sink.add("wav.scp", utt, str(wav))
                    sink.add("text", utt, text)
                    sink.add("utt2spk", utt, spk)
                    n_utts, n_chars = n_utts + 1, n_chars + len(text)
                    spks.add(spk)
            report.sets[s] = {"utterances": n_utts, "characters": n_chars, "speakers": len(spks)}
            if s in RELEASE_TOTALS and (n_utts, n_chars) != RELEASE_TOTALS[s]:
                log.warning("aishell %s: %d utterances / %d characters, the full release has %d / %d "
                            "(fine for a partial copy)", s, n_utts, n_chars, *RELEASE_TOTALS[s])
        if set(sets) == set(SPLITS):
            for utt in sorted(transcript.keys() - matched):
                report.drop("transcript_without_audio", utt)
    except BaseException:
        report.abort()
        raise
    report.info["release"] = str(release)
    report.write()
    return report
