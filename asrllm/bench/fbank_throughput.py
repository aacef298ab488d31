"""fbank extraction throughput (seconds of audio per second per core): compute_fbank vs kaldi-native-fbank.

python -m asrllm.bench.fbank_throughput [--utts 300] [--work /tmp/bench_fbank]
Rows: knf alone on samples in memory (the floor); a minimal script (soundfile read + knf + kaldiio
write); compute_fbank's shard loop in-process; asrllm.bin.compute_fbank with nj=1 and nj=2 through
utils/run.pl (process starts, split, merge and atomic install included). Per-core rates divide
by the jobs used.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kaldi_native_fbank as knf
import kaldiio
import numpy as np
import soundfile as sf

from asrllm.bench.corpus import SR, machine, make_corpus
from asrllm.data.config import DataConfig
from asrllm.features.dump import fbank_shard
from asrllm.data.shards import REPO


def _knf(x: np.ndarray) -> np.ndarray:
    opts = knf.FbankOptions()
    opts.frame_opts.dither = 0.0
    opts.mel_opts.num_bins = 80
    comp = knf.OnlineFbank(opts)
    comp.accept_waveform(SR, x * 32768)
    comp.input_finished()
    return np.stack([comp.get_frame(i) for i in range(comp.num_frames_ready)])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--utts", type=int, default=240)
    p.add_argument("--repeats", type=int, default=2, help="interleaved repeats; the best time counts")
    p.add_argument("--work", default=None)
    args = p.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="bench_fbank_"))
    durations = np.random.default_rng(0).uniform(2, 10, args.utts)
    data = make_corpus(work, durations)
    audio_s = float(durations.sum())
    paths = [line.split()[1] for line in (data / "wav.scp").read_text().splitlines()]
    samples = [sf.read(pth, dtype="float32")[0] for pth in paths]
    split = work / "split"
    split.mkdir(exist_ok=True)
    shutil.copy(data / "wav.scp", split / "wav.scp")

    def floor() -> None:
        for x in samples:
            _knf(x)

    def direct() -> None:
        with kaldiio.WriteHelper(f"ark,scp:{work}/direct.ark,{work}/direct.scp") as w:
            for i, pth in enumerate(paths):
                w(f"u{i}", _knf(sf.read(pth, dtype="float32")[0]))

    def shard_loop() -> None:
        fbank_shard(split, work / "inproc.ark", work / "inproc", DataConfig())

    def stage(nj: int):
        def run() -> None:
            shutil.rmtree(work / "fbank", ignore_errors=True)
            subprocess.run([sys.executable, "-m", "asrllm.bin.compute_fbank", "--data-dir", str(data),
                            "--out-dir", str(work / "fbank"), "--nj", str(nj), "--cmd",
                            str(REPO / "utils" / "run.pl"), "--log-level", "WARNING"], check=True)
        return run

    cases = [("kaldi-native-fbank alone (samples in memory): the floor", floor, 1),
             ("read wav + kaldi-native-fbank + kaldiio write, one loop", direct, 1),
             ("compute_fbank's shard loop in this process (read, fbank, ark + scp)", shard_loop, 1),
             ("asrllm.bin.compute_fbank --nj 1 (utils/run.pl)", stage(1), 1),
             ("asrllm.bin.compute_fbank --nj 2 (utils/run.pl)", stage(2), 2)]
    best = [float("inf")] * len(cases)
    for _ in range(args.repeats):  # interleaved, best of: the machine may be shared
        for k, (_, fn, _) in enumerate(cases):
            t = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t)
    rows = [(name, secs, cores) for (name, _, cores), secs in zip(cases, best)]
    floor_s = best[0]
    print(f"{args.utts} utterances, {audio_s:.0f} s of audio (uniform 2-10 s, 16 kHz WAV), best of "
          f"{args.repeats}; {machine()}\n")
    print("| what | wall s | audio s / s / core | vs floor |")
    print("|---|---:|---:|---:|")
    for name, secs, cores in rows:
        rate = audio_s / secs / cores
        print(f"| {name} | {secs:.2f} | {rate:.0f} | {rate / (audio_s / floor_s):.2f} |")
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
