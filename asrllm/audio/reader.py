"""Iterate the utterances of a data dir (or one shard of it) as samples, in table order.

With `segments`, consecutive segments of one recording share one open file (each read seeks to
its range); pipes and ark entries are decoded once per recording and sliced.
"""

import itertools
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from asrllm.audio.entry import parse_entry
from asrllm.audio.errors import BAD_SEGMENT, NO_AUDIO, PAST_END, AudioError
from asrllm.audio.audiofile import decode_entry, open_audio, read_entry, read_open, to_mono
from asrllm.audio.pipe import PIPE_TIMEOUT_S
from asrllm.audio.segments import segment_bounds
from asrllm.kaldi.datadir import parse_segment
from asrllm.kaldi.table import read_table

Item = tuple[str, "np.ndarray | AudioError", int]


def _segments_of(group, reco: str, value: str | None, multi_channel: str, pipe_timeout: float) -> Iterator[Item]:
    if value is None:
        for utt, _ in group:
            yield utt, AudioError(NO_AUDIO, f"recording '{reco}' of segment '{utt}' is not in wav.scp"), 0
        return
    entry = parse_entry(value)
    try:
        if entry.kind == "file":
            src, data = open_audio(entry.target), None
            sr = src.samplerate
        else:
            src, (data, sr) = None, decode_entry(value, pipe_timeout)
    except AudioError as e:
        for utt, _ in group:
            yield utt, AudioError(e.reason, f"segment '{utt}': {e.message}"), 0
        return
    try:
        for utt, seg_value in group:
            try:
                start, end = segment_bounds(parse_segment(utt, seg_value), sr)
            except ValueError as e:
                yield utt, AudioError(BAD_SEGMENT, f"segment '{utt}': {e}"), 0
                continue
            where = f"segment '{utt}' of {entry}"
            try:
                if src is not None:
                    yield utt, read_open(src, start, end, where, multi_channel), sr
                else:
                    if end > len(data):
                        raise AudioError(PAST_END, f"{where}: ends after the recording")
                    yield utt, to_mono(data[start:end], multi_channel, where), sr
            except AudioError as e:
                yield utt, e, 0
    finally:
        if src is not None:
            src.close()


def iter_audio(wav_scp: Path, segments: Path | None = None, select: Callable[[int], bool] | None = None,
               multi_channel: str = "skip", pipe_timeout: float = PIPE_TIMEOUT_S,
               select_utt: Callable[[str], bool] | None = None) -> Iterator[Item]:
    """(utt, samples or the AudioError that stopped it, sample_rate) for each (selected) utterance.

    `select` picks by line index, `select_utt` by utterance id (called once per utterance, in table
    order, before its audio is read). Errors name the utterance ("utterance 'u': ..." or "segment
    'u': ..."); a bad one never stops the iteration, so callers keep every good utterance and count
    the bad ones.
    """
    def picked(i: int, utt: str) -> bool:
        return (select is None or select(i)) and (select_utt is None or select_utt(utt))

    if segments is None or not segments.is_file():
        for i, (utt, value, _) in enumerate(read_table(wav_scp, check_sorted=True)):
            if not picked(i, utt):
                continue
            try:
                x, sr = read_entry(value, multi_channel=multi_channel, pipe_timeout=pipe_timeout)
                yield utt, x, sr
            except AudioError as e:
                yield utt, AudioError(e.reason, f"utterance '{utt}': {e.message}"), 0
        return
    recos = {k: v for k, v, _ in read_table(wav_scp, check_sorted=True)}  # recordings: few
    lines = ((i, utt, value) for i, (utt, value, _) in enumerate(read_table(segments, check_sorted=True))
             if picked(i, utt))
    for reco, group in itertools.groupby(lines, key=lambda t: t[2].split(maxsplit=1)[0]):
        yield from _segments_of([(u, v) for _, u, v in group], reco, recos.get(reco), multi_channel, pipe_timeout)
