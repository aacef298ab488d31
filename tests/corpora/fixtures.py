"""Tiny corpus trees in the exact release layouts, with each release's known quirks (built in code).

Each builder returns the corpus root (what db.sh points at) and an `expect` dict: the data dirs the
preparation rules must produce from it (utterance ids and target texts), so tests compare against
what the rules say rather than against the code's own output.
"""

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import soundfile as sf

SR = 16000


def tone(seconds: float, seed: int) -> np.ndarray:
    """A little noise and a tone: audio any reader can decode, distinct per seed."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    x = 0.2 * np.sin(2 * np.pi * (200 + 37 * (seed % 11)) * t) + 0.02 * rng.standard_normal(t.size)
    return x.astype(np.float32)


def write_wav(path: Path, seconds: float, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, tone(seconds, seed), SR, subtype="PCM_16")


def write_flac(path: Path, seconds: float, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, tone(seconds, seed), SR, format="FLAC", subtype="PCM_16")


def write_opus(path: Path, seconds: float, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, tone(seconds, seed), SR, format="OGG", subtype="OPUS")


# ---------------------------------------------------------------------------------------------
# AISHELL-1: data_aishell/{wav/<split>/<SPK>/<UTT>.wav, transcript/aishell_transcript_v0.8.txt}
# ---------------------------------------------------------------------------------------------
AISHELL_UTTS = {  # utt: (split, speaker, word-segmented transcript or None = no transcript line)
    "BAC009S0002W0122": ("train", "S0002", "而 对 楼市 成交 抑制 作用 最 大 的 限 购"),
    "BAC009S0002W0123": ("train", "S0002", "也 成为 地方 政府 的 眼中 钉"),
    "BAC009S0002W0124": ("train", "S0002", None),                       # audio without transcript
    "BAC009S0003W0121": ("train", "S0003", "自 六月 底 呼和浩特 市 率先 宣布 取消 限 购 后"),
    "BAC009S0003W0122": ("train", "S0003", "各地 政府 便 纷纷 跟进"),
    "BAC009S0724W0121": ("dev", "S0724", "广州 市 房地产 中介 协会 分析"),
    "BAC009S0724W0122": ("dev", "S0724", "据 中国 经济网 报道"),
    "BAC009S0764W0121": ("test", "S0764", "甚至 出现 交易 几乎 停滞 的 情况"),
    "BAC009S0764W0122": ("test", "S0764", "一 是 按照 市场 化 原则"),
}
AISHELL_TRANSCRIPT_ONLY = {"BAC009S0002W0199": "这 句 话 没有 录音", "BAC009S0916W0100": "另 一 个 说话人"}


def make_aishell(root: Path, packed: bool = False) -> tuple[Path, dict]:
    """The release under root/data_aishell; `packed`: wav/ holds <SPK>.tar.gz as shipped."""
    base = root / "data_aishell"
    lines = [f"{u} {t}" for u, (_, _, t) in AISHELL_UTTS.items() if t is not None]
    lines += [f"{u} {t}" for u, t in AISHELL_TRANSCRIPT_ONLY.items()]
    (base / "transcript").mkdir(parents=True, exist_ok=True)
    (base / "transcript/aishell_transcript_v0.8.txt").write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    for i, (utt, (split, spk, _)) in enumerate(AISHELL_UTTS.items()):
        write_wav(base / "wav" / split / spk / f"{utt}.wav", 0.8 + 0.1 * (i % 3), i)
    if packed:
        for spk_dir in sorted((base / "wav").glob("*/*")):
            with tarfile.open(base / "wav" / f"{spk_dir.name}.tar.gz", "w:gz") as tar:
                tar.add(spk_dir, arcname=f"{spk_dir.parent.name}/{spk_dir.name}")
        for split in ("train", "dev", "test"):
            for p in sorted((base / "wav" / split).rglob("*"), reverse=True):
                p.unlink() if p.is_file() else p.rmdir()
            (base / "wav" / split).rmdir()
    expect = {s: {u: t.replace(" ", "") for u, (sp, _, t) in AISHELL_UTTS.items() if sp == s and t}
              for s in ("train", "dev", "test")}
    spk = {u: k for u, (_, k, _) in AISHELL_UTTS.items()}
    return root, {"text": expect, "utt2spk": spk, "audio_without_transcript": ["BAC009S0002W0124"],
                  "transcript_without_audio": sorted(AISHELL_TRANSCRIPT_ONLY)}


def make_aishell_archives(folder: Path, work: Path) -> dict[str, bytes]:
    """data_aishell.tgz (with per-speaker tarballs inside) and resource_aishell.tgz as OpenSLR serves them."""
    make_aishell(work, packed=True)
    (work / "resource_aishell").mkdir(parents=True, exist_ok=True)
    (work / "resource_aishell/lexicon.txt").write_text("而 er2\n对 d ui4\n", encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in ("data_aishell", "resource_aishell"):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            tar.add(work / name, arcname=name)
        out[f"{name}.tgz"] = buf.getvalue()
        (folder / f"{name}.tgz").write_bytes(buf.getvalue())
    return out


# ---------------------------------------------------------------------------------------------
# LibriSpeech: LibriSpeech/<part>/<reader>/<chapter>/<reader>-<chapter>-<n>.flac + .trans.txt
# ---------------------------------------------------------------------------------------------
LIBRI_PARTS = {  # part: (reader, chapter, gender, [(utt number, text or None)], transcript-only numbers)
    "train-clean-100": ("103", "1240", "F", [(0, "CHAPTER ONE MISSUS RACHEL LYNDE IS SURPRISED"),
                                             (1, "THAT HAD ITS SOURCE AWAY BACK IN THE WOODS"),
                                             (2, None)], [7]),
    "train-clean-360": ("100", "121669", "M", [(0, "TOM THE PIPER'S SON"), (1, "HE STOLE A PIG AND AWAY HE RUN")], []),
    "train-other-500": ("1006", "135212", "F", [(0, "THE OLD MAN WALKED SLOWLY HOME")], []),
    "dev-clean": ("1272", "128104", "M", [(0, "MISTER QUILTER IS THE APOSTLE OF THE MIDDLE CLASSES"),
                                        (1, "NOR IS MISTER QUILTER'S MANNER LESS INTERESTING")], []),
    "dev-other": ("116", "288045", "M", [(0, "AS I APPROACHED THE CITY I HEARD BELLS RINGING")], []),
    "test-clean": ("1089", "134686", "M", [(0, "HE HOPED THERE WOULD BE STEW FOR DINNER"),
                                         (1, "STUFF IT INTO YOU HIS BELLY COUNSELLED HIM")], []),
    "test-other": ("1688", "142285", "M", [(0, "THERE'S IRON THEY SAY IN ALL OUR BLOOD")], []),
}


def speakers_txt(include_all: bool = True) -> str:
    lines = ["; Some comment lines, as in the release", "; ID      |SEX| SUBSET           |MINUTES| NAME"]
    for part, (reader, _, g, _, _) in LIBRI_PARTS.items():
        if include_all or part != "test-other":
            lines.append(f"{reader:<5}| {g} | {part:<17}| 25.03 | Reader {reader}")
    return "\n".join(lines) + "\n"


def make_librispeech(root: Path) -> tuple[Path, dict]:
    base = root / "LibriSpeech"
    base.mkdir(parents=True, exist_ok=True)
    (base / "SPEAKERS.TXT").write_text(speakers_txt(), encoding="utf-8")
    texts: dict[str, dict[str, str]] = {}
    seed = 0
    for part, (reader, chapter, _, utts, trans_only) in LIBRI_PARTS.items():
        d = base / part / reader / chapter
        lines = []
        for n, text in utts:
            utt = f"{reader}-{chapter}-{n:04d}"
            write_flac(d / f"{utt}.flac", 0.8 + 0.1 * (n % 3), seed)
            seed += 1
            if text is not None:
                lines.append(f"{utt} {text}")
                texts.setdefault(part.replace("-", "_"), {})[utt] = text
        lines += [f"{reader}-{chapter}-{n:04d} A LINE WITHOUT AUDIO" for n in trans_only]
        (d / f"{reader}-{chapter}.trans.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    texts["train_960"] = {**texts["train_clean_100"], **texts["train_clean_360"], **texts["train_other_500"]}
    texts["dev"] = {**texts["dev_clean"], **texts["dev_other"]}
    genders = {f"{r}-{c}": g.lower() for r, c, g, _, _ in LIBRI_PARTS.values()}
    return root, {"text": texts, "spk2gender": genders, "audio_without_transcript": ["103-1240-0002"],
                  "transcript_without_audio": ["103-1240-0007"]}


def make_librispeech_archives(folder: Path, work: Path, archives: tuple[str, ...]) -> dict[str, bytes]:
    make_librispeech(work)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for archive in archives:
        part = archive.removesuffix(".tar.gz")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for f in ("SPEAKERS.TXT",):
                tar.add(work / "LibriSpeech" / f, arcname=f"LibriSpeech/{f}")
            tar.add(work / "LibriSpeech" / part, arcname=f"LibriSpeech/{part}")
        out[f"{part}.tar.gz"] = buf.getvalue()
        (folder / f"{part}.tar.gz").write_bytes(buf.getvalue())
    return out


# ---------------------------------------------------------------------------------------------
# WenetSpeech / GigaSpeech: one JSON manifest + long opus recordings (paths relative to it)
# ---------------------------------------------------------------------------------------------
def write_manifest(root: Path, name: str, audios: list[dict], extra: dict) -> None:
    for i, a in enumerate(audios):
        write_opus(root / a["path"], a["duration"], 100 + i)
    (root / name).write_text(json.dumps({**extra, "audios": audios}, ensure_ascii=False, indent=1),
                             encoding="utf-8")


def seg(sid: str, b: float, e: float, key: str, value: str, subsets: list[str], **kw) -> dict:
    return {"sid": sid, "begin_time": b, "end_time": e, key: value, "subsets": subsets, **kw}


def make_wenetspeech(root: Path) -> tuple[Path, dict]:
    T = "text"
    audios = [
        {"aid": "Y0000000000_--5llN02F84", "path": "audio/train/youtube/B00000/Y0000000000_--5llN02F84.opus",
         "duration": 6.0, "title": "fixture", "segments": [
             seg("Y0000000000_--5llN02F84_S00000", 0.0, 1.2, T, "怎么样这些日子住得还习惯吧", ["L", "M", "S"],
                 confidence=1.0),
             seg("Y0000000000_--5llN02F84_S00001", 1.2, 2.5, T, "挺好的 谢谢", ["L", "M"], confidence=1.0),
             seg("Y0000000000_--5llN02F84_S00002", 2.5, 3.8, T, "我用iPhone打电话", ["L"], confidence=0.98),
             seg("Y0000000000_--5llN02F84_S00003", 3.8, 5.0, T, "这句只在弱标注里", ["W"], confidence=0.7),
             seg("Y0000000000_--5llN02F84_S00004", 5.0, 5.9, T, "  ", ["L", "M", "S"], confidence=1.0),  # empty
         ]},
        {"aid": "Y0000000001_0-1jUQ3RHR4", "path": "audio/train/youtube/B00000/Y0000000001_0-1jUQ3RHR4.opus",
         "duration": 3.0, "segments": [
             seg("Y0000000001_0-1jUQ3RHR4_S00000", 0.2, 1.5, T, "第二个录音的第一句", ["L", "M"], confidence=1.0),
             seg("Y0000000001_0-1jUQ3RHR4_S00001", 1.5, 2.9, T, "第二句", ["L"], confidence=1.0),
         ]},
        {"aid": "X0000000002_dev", "path": "audio/dev/podcast/B00001/X0000000002_dev.opus", "duration": 3.0,
         "segments": [seg("X0000000002_dev_S00000", 0.0, 1.4, T, "开发集的句子", ["DEV"]),
                      seg("X0000000002_dev_S00001", 1.4, 2.8, T, "还有一句", ["DEV"])]},
        {"aid": "TEST_NET_Y0000000003", "path": "audio/test/net/TEST_NET_Y0000000003.opus", "duration": 2.5,
         "segments": [seg("TEST_NET_Y0000000003_S00000", 0.0, 1.2, T, "网络测试集", ["TEST_NET"]),
                      seg("TEST_NET_Y0000000003_S00001", 1.2, 2.4, T, "第二句网络测试", ["TEST_NET"])]},
        {"aid": "TEST_MEETING_T0000000004", "path": "audio/test/meeting/TEST_MEETING_T0000000004.opus",
         "duration": 2.5, "segments": [
             seg("TEST_MEETING_T0000000004_S00000", 0.1, 1.3, T, "会议测试集", ["TEST_MEETING"]),
             seg("TEST_MEETING_T0000000004_S00001", 1.3, 2.4, T, "开会了", ["TEST_MEETING"])]},
    ]
    write_manifest(root, "WenetSpeech.json", audios, {"dataset": "WenetSpeech", "version": "fixture"})
    return root, {"audios": audios}


def make_gigaspeech(root: Path) -> tuple[Path, dict]:
    T = "text_tn"
    train = ["{XL}", "{L}", "{M}", "{S}", "{XS}"]
    audios = [
        {"aid": "POD0000000001", "path": "audio/podcast/P0000/POD0000000001.opus", "duration": 6.5,
         "subsets": train, "segments": [
             seg("POD0000000001_S0000000", 0.0, 1.3, T, "AS THEY'RE LEAVING <COMMA> CAN KASH PULL ZAHRA ASIDE "
                 "REALLY QUICKLY <QUESTIONMARK>", train, text="As they're leaving, can Kash pull Zahra aside?"),
             seg("POD0000000001_S0000001", 1.3, 2.6, T, "<MUSIC>", train),                        # garbage
             seg("POD0000000001_S0000002", 2.6, 3.9, T, "THAT'S WHAT I SAID <EXCLAMATIONPOINT>", ["{XL}", "{L}"]),
             seg("POD0000000001_S0000003", 3.9, 5.1, T, "<NOISE> WELL I THINK SO <PERIOD>", ["{XL}"]),  # garbage
             seg("POD0000000001_S0000004", 5.1, 6.4, T, "ONLY IN THE EXTRA LARGE SUBSET <PERIOD>", ["{XL}"]),
         ]},
        {"aid": "YOU0000000002", "path": "audio/youtube/P0000/YOU0000000002.opus", "duration": 3.0,
         "subsets": ["{XL}"], "segments": [
             seg("YOU0000000002_S0000000", 0.0, 1.4, T, "<SIL>", ["{XL}"]),
             seg("YOU0000000002_S0000001", 1.4, 2.9, T, "SO LET'S GET STARTED <PERIOD>", ["{XL}"])]},
        {"aid": "POD1000000003", "path": "audio/podcast/P0001/POD1000000003.opus", "duration": 3.0,
         "subsets": ["{DEV}"], "segments": [
             seg("POD1000000003_S0000000", 0.0, 1.4, T, "<NOISE> HELLO THERE <PERIOD>", ["{DEV}"]),
             seg("POD1000000003_S0000001", 1.4, 2.9, T, "HOW ARE YOU DOING TODAY <QUESTIONMARK>", ["{DEV}"])]},
        {"aid": "YOU1000000004", "path": "audio/youtube/P0001/YOU1000000004.opus", "duration": 3.0,
         "subsets": ["{TEST}"], "segments": [
             seg("YOU1000000004_S0000000", 0.0, 1.4, T, "WELCOME BACK TO THE SHOW <PERIOD>", ["{TEST}"]),
             seg("YOU1000000004_S0000001", 1.4, 2.9, T, "<OTHER>", ["{TEST}"]),
             seg("YOU1000000004_S0000002", 1.4, 2.9, T, "THANKS FOR WATCHING <COMMA> BYE", ["{TEST}"])]},
    ]
    write_manifest(root, "GigaSpeech.json", audios, {"dataset": "GigaSpeech", "language": "EN", "version": "fixture"})
    return root, {"audios": audios}
