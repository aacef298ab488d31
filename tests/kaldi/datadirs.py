"""Data dirs built in code for the tests of the Kaldi data-dir tools."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SPEAKERS = ("s1", "s2", "s3")
UTTS_PER_SPK = 3
RECO_DUR = 10.0


def utt_ids(speakers=SPEAKERS, n=UTTS_PER_SPK) -> list[str]:
    return [f"{spk}-u{j}" for spk in speakers for j in range(1, n + 1)]


def write(path: Path, lines) -> None:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def keys(path: Path) -> list[str]:
    return [line.split(" ", 1)[0] for line in read_lines(path)]


def make_data_dir(root: Path, speakers=SPEAKERS, n=UTTS_PER_SPK, segments: bool = True, feats: bool = True,
                  utt2dur: bool = True) -> Path:
    """A valid data dir: `n` utterances per speaker; with `segments`, one 10 s recording per speaker
    cut into 1.5 s segments (wav.scp, reco2dur keyed by recording), else wav.scp per utterance."""
    assert not segments or n <= 6
    root.mkdir(parents=True, exist_ok=True)
    utts = utt_ids(speakers, n)
    write(root / "utt2spk", [f"{u} {u.split('-')[0]}" for u in utts])
    write(root / "spk2utt", [f"{s} " + " ".join(u for u in utts if u.startswith(s + "-")) for s in speakers])
    write(root / "text", [f"{u} word {u.split('-u')[1]} of speaker {u.split('-')[0]}" for u in utts])
    if segments:
        start = {u: 1.6 * (int(u.split("-u")[1]) - 1) for u in utts}  # 6 fit in a recording
        write(root / "segments", [f"{u} {u.split('-')[0]}-rec {start[u]:.2f} {start[u] + 1.5:.2f}" for u in utts])
        write(root / "wav.scp", [f"{s}-rec /corpus/{s}-rec.wav" for s in speakers])
        write(root / "reco2dur", [f"{s}-rec {RECO_DUR:.2f}" for s in speakers])
    else:
        write(root / "wav.scp", [f"{u} /corpus/{u}.wav" for u in utts])
    if utt2dur:
        write(root / "utt2dur", [f"{u} 1.50" for u in utts])
    if feats:
        write(root / "feats.scp", [f"{u} /feats/raw.ark:{100 * i + 7}" for i, u in enumerate(utts)])
    return root
