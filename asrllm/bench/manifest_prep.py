"""Stage-1 preparation of a synthetic WenetSpeech-sized manifest: wall time and peak memory.

python -m asrllm.bench.manifest_prep [--segments 250000 1000000 2000000] [--work DIR]
Writes a synthetic WenetSpeech.json (streamed; 100 segments per recording, WenetSpeech-like ids,
times, 8-20 character texts, nested L/M/S labels plus W, DEV, TEST_NET, TEST_MEETING recordings;
empty placeholder audio files, so the per-recording existence check runs) and times
`python -m asrllm.bin.prepare_corpus wenetspeech --train-subset L --no-validate` (what the recipe's
local/data.sh runs: train_l, dev, test_net, test_meeting; `--validate` adds the data-dir checks). Peak memory is the largest summed RSS of the process tree, sampled
every 20 ms: the Python process, its `sort` children (bounded by `--sort-buffer`), their sum; and
the largest RSS wait4 reports for the process and the children it waited for.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from asrllm.bench.corpus import machine

CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
SEGMENTS_PER_RECORDING = 100


def recording_labels(i: int, n_recordings: int) -> tuple[str, list[str]]:
    """The kind of recording i: most are training audio, a few percent each dev / test / weak."""
    r = i % 100
    if r == 97:
        return "dev", ["DEV"]
    if r == 98:
        return "test_net", ["TEST_NET"]
    if r == 99:
        return "test_meeting", ["TEST_MEETING"]
    return "train", []


def segment_labels(kind: str, fixed: list[str], j: int, rng: random.Random) -> list[str]:
    if kind != "train":
        return fixed
    if j % 50 == 49:
        return ["W"]
    x = rng.random()
    return ["L", "M", "S"] if x < 0.01 else ["L", "M"] if x < 0.1 else ["L"]


def write_synthetic_manifest(root: Path, n_segments: int, per_recording: int = SEGMENTS_PER_RECORDING,
                             seed: int = 0) -> int:
    """Stream-write root/WenetSpeech.json with n_segments segments (+ empty audio files); return recordings."""
    rng = random.Random(seed)
    n_rec = max(1, -(-n_segments // per_recording))
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "WenetSpeech.json", "w", encoding="utf-8") as f:
        f.write('{"dataset": "WenetSpeech", "version": "synthetic", "audios": [\n')
        left = n_segments
        for i in range(n_rec):
            kind, fixed = recording_labels(i, n_rec)
            aid = f"Y{i:010d}_{rng.getrandbits(40):010x}"
            rel = f"audio/{kind}/youtube/B{i // 1000:05d}/{aid}.opus"
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).touch()
            segs, t = [], 0.0
            for j in range(min(per_recording, left)):
                dur = round(rng.uniform(1.0, 8.0), 2)
                segs.append({"sid": f"{aid}_S{j:05d}", "confidence": 1.0, "begin_time": round(t, 2),
                             "end_time": round(t + dur, 2),
                             "text": "".join(rng.choice(CJK) for _ in range(rng.randint(8, 20))),
                             "subsets": segment_labels(kind, fixed, j, rng)})
                t += dur + 0.3
            left -= len(segs)
            audio = {"aid": aid, "duration": round(t, 2), "path": rel, "source": "youtube", "segments": segs}
            f.write(("," if i else "") + json.dumps(audio, ensure_ascii=False) + "\n")
        f.write("]}\n")
    return n_rec


def tree_rss(root_pid: int) -> tuple[int, int, int]:
    """(summed RSS, RSS of root_pid, largest RSS of a descendant) in bytes, from /proc."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = open(f"/proc/{d}/stat").read()
            fields = stat[stat.rindex(")") + 2:].split()
            parent[int(d)] = int(fields[1])
            rss[int(d)] = int(fields[21]) * page
        except (OSError, ValueError, IndexError):
            continue
    members, frontier = {root_pid}, [root_pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in members]
        members.update(kids)
        frontier.extend(kids)
    children = [rss.get(p, 0) for p in members if p != root_pid]
    return sum(rss.get(p, 0) for p in members), rss.get(root_pid, 0), max(children, default=0)


def measure(cmd: list[str], env: dict) -> dict:
    """Run cmd; wall seconds and peak RSS (sampled every 20 ms): summed tree, the Python process, its children."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0, 0, 0]
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = [max(a, b) for a, b in zip(peak, tree_rss(proc.pid))]
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    # wait4's ru_maxrss: the largest RSS the process or a child it waited for (sort) ever had
    return {"wall": wall, "peak_tree": peak[0], "peak_python": peak[1], "peak_child": peak[2],
            "maxrss": usage.ru_maxrss * 1024}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--segments", type=int, nargs="+", default=[250000, 1000000])
    p.add_argument("--work", default=None, help="scratch folder (default: a temporary one, removed)")
    p.add_argument("--sort-buffer", default="256M")
    p.add_argument("--validate", action="store_true",
                   help="also run validate_data_dir's checks in the preparation (the recipes leave them to "
                        "the driver, which runs them after stage 1)")
    args = p.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="manifest_prep_"))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    print(f"{machine()}; validation {'on' if args.validate else 'off (as in the recipes)'}\n")
    print("| segments | manifest MB | prepare wall s | segments/s | peak RSS MB: Python | sort | whole tree "
          "| max RSS (wait4) MB | train_l utts |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for n in args.segments:
            root = work / f"ws_{n}"
            write_synthetic_manifest(root, n)
            size = (root / "WenetSpeech.json").stat().st_size / 1e6
            cmd = [sys.executable, "-m", "asrllm.bin.prepare_corpus", "wenetspeech", "--root", str(root),
                   "--datadir", str(work / f"data_{n}"), "--train-subset", "L", "--sort-buffer", args.sort_buffer]
            if not args.validate:
                cmd.append("--no-validate")
            m = measure(cmd, env)
            utts = sum(1 for _ in open(work / f"data_{n}" / "train_l" / "text", "rb"))
            mb = {k: v / 2**20 for k, v in m.items() if k != "wall"}
            print(f"| {n:,} | {size:.0f} | {m['wall']:.1f} | {n / m['wall']:,.0f} | {mb['peak_python']:.0f} | "
                  f"{mb['peak_child']:.0f} | {mb['peak_tree']:.0f} | {mb['maxrss']:.0f} | {utts:,} |", flush=True)
            shutil.rmtree(root)
            shutil.rmtree(work / f"data_{n}")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
