"""Stage 4: non-speech training examples with an empty transcript (data config nonspeech_train).

A share of the clean training set's utterances is drawn (Bernoulli, per utterance from
utt_rng(batching.seed, 0, "nonspeech/<utt>"), so the draw does not depend on the noisy copies');
each drawn utterance lends its length to one clip of a kind from nonspeech_train.kinds at a level
in nonspeech_train.level_db, synthesized by asrllm.augment.nonspeech, or for `babble` overlapped
from a pool of babble_pool clean training utterances (asrllm.augment.babble). Ids are
`nonspeech-<kind>-<utt>` with speaker `nonspeech-<kind>`; text lines are the id alone. Streaming:
one pass over utt2num_samples (or utt2dur), one sorted row file per kind, merged into the tables.
"""

import contextlib
import heapq
import logging
import shutil
from collections import Counter
from pathlib import Path
from typing import Iterator

from asrllm.audio.format import dump_path
from asrllm.augment.babble import babble_from_pool, load_talkers, sample_entries
from asrllm.augment.clips import write_clip
from asrllm.augment.nonspeech import synthesize
from asrllm.augment.seeding import utt_rng
from asrllm.data.config import DataConfig
from asrllm.data.shards import iter_sorted_lines
from asrllm.kaldi.datadir import DataDir, format_seconds
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError, table_line
from asrllm.kaldi.validate import Options, ensure_valid

PREFIX = "nonspeech-"
SEED_KEY = "nonspeech/"  # prefix of the utterance id in this draw's generator key
POOL_KEY = "nonspeech-babble-pool"  # generator key of the babble pool's draw


def source_lengths(src: DataDir, sample_rate: int) -> Iterator[tuple[str, int]]:
    """(utt, samples) of every utterance, from utt2num_samples or else utt2dur."""
    if src.has("utt2num_samples"):
        for utt, n, lineno in src.read("utt2num_samples"):
            if not n.isdigit():
                raise DataError(f"{src.file('utt2num_samples')}:{lineno}: '{utt}' needs an integer, got '{n}'")
            yield utt, int(n)
    elif src.has("utt2dur"):
        for utt, d, lineno in src.read("utt2dur"):
            try:
                yield utt, int(round(float(d) * sample_rate))
            except ValueError:
                raise DataError(f"{src.file('utt2dur')}:{lineno}: '{utt}' needs a duration, got '{d}'") from None
    else:
        raise DataError(f"{src.root}: needs utt2num_samples or utt2dur (run asrllm.bin.format_audio first)")


def make_nonspeech_clips(src: DataDir, out: Path, cfg: DataConfig) -> dict:
    """Write the non-speech data dir `out` (audio in out/data); return per-kind counts."""
    ns, sr, fmt = cfg.nonspeech_train, cfg.sample_rate, cfg.format.dump_format
    shutil.rmtree(out, ignore_errors=True)
    work = out / ".work"
    work.mkdir(parents=True)
    kinds: Counter = Counter()
    samples = 0
    pool = []
    if "babble" in ns.kinds:
        rng = utt_rng(cfg.batching.seed, 0, POOL_KEY)
        pool = load_talkers(sample_entries(src.root, ns.babble_pool, rng), sr)
    with contextlib.ExitStack() as stack:
        rows = {k: stack.enter_context(open(work / k, "w", encoding="utf-8")) for k in ns.kinds}
        for utt, n in source_lengths(src, sr):
            rng = utt_rng(cfg.batching.seed, 0, SEED_KEY + utt)
            if rng.random() >= ns.share:
                continue
            kind = ns.kinds[int(rng.integers(len(ns.kinds)))]
            level = float(rng.uniform(*ns.level_db))
            if kind == "babble":
                x = babble_from_pool(n, pool, ns.babble_talkers, rng, level)
            else:
                x = synthesize(kind, n, sr, rng, level)
            uid = f"{PREFIX}{kind}-{utt}"
            path = dump_path(out.resolve() / "data", uid, fmt)
            write_clip(path, x, sr, fmt)
            rows[kind].write(table_line(uid, f"{path} {n}"))
            kinds[kind] += 1
            samples += n
    if kinds:
        with staged_dir(out) as tmp:
            names = ("wav.scp", "text", "utt2spk", "utt2num_samples", "utt2dur")
            with contextlib.ExitStack() as stack:
                f = {k: stack.enter_context(open(tmp / k, "w", encoding="utf-8")) for k in names}
                for uid, value in heapq.merge(*(iter_sorted_lines(work / k) for k in ns.kinds)):
                    path, n = value.rsplit(" ", 1)
                    f["wav.scp"].write(table_line(uid, path))
                    f["text"].write(table_line(uid, ""))
                    f["utt2spk"].write(table_line(uid, PREFIX + uid[len(PREFIX):].split("-", 1)[0]))
                    f["utt2num_samples"].write(table_line(uid, n))
                    f["utt2dur"].write(table_line(uid, format_seconds(int(n) / sr)))
            write_spk2utt(tmp / "utt2spk", tmp / "spk2utt")
            ensure_valid(tmp, out, Options(require_feats=False, allow_empty_text=True))
    shutil.rmtree(work, ignore_errors=True)
    report = {"clips": sum(kinds.values()), "by_kind": dict(sorted(kinds.items())),
              "hours": round(samples / sr / 3600, 4)}
    logging.info("%s: %d non-speech clips (%.2f h) %s", out, report["clips"], report["hours"], report["by_kind"])
    return report
