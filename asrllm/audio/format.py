"""Stage 3 for one recording: make its wav.scp entry something the loader reads directly.

A file soundfile reads at the target rate with one channel stays where it is (a verified
reference). Pipes, ark entries, other sample rates and (by policy) multi-channel files are
decoded once and written to the dump folder as 16-bit FLAC/WAV, streamed block by block, so
an hour-long recording is never held in memory and never decoded once per segment.
"""

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np
import soundfile as sf

from asrllm.audio.entry import parse_entry
from asrllm.audio.errors import (BAD_SEGMENT, EMPTY, MULTI_CHANNEL, PAST_END, TOO_SHORT, AudioError)
from asrllm.audio.audiofile import count_frames, decode_entry, iter_blocks, probe, to_mono
from asrllm.audio.pipe import PIPE_TIMEOUT_S, pipe_to_file
from asrllm.audio.resample import StreamResampler
from asrllm.audio.segments import samples_to_seconds, seconds_to_samples
from asrllm.data.config import DataConfig
from asrllm.kaldi.datadir import parse_segment


@dataclass(frozen=True)
class FormatOptions:
    """What stage 3 needs from the data config."""

    sample_rate: int = 16000
    verify: str = "full"
    dump_format: str = "flac"
    multi_channel: str = "skip"
    max_overshoot: float = 0.5
    min_samples: int = 400  # one analysis window: shorter audio gives no feature frame
    pipe_timeout: float = PIPE_TIMEOUT_S

    @classmethod
    def from_config(cls, cfg: DataConfig) -> "FormatOptions":
        f = cfg.format
        window = int(cfg.sample_rate * cfg.fbank.frame_length_ms / 1000)
        return cls(cfg.sample_rate, f.verify, f.dump_format, f.multi_channel, f.max_segment_overshoot,
                   window if cfg.fbank.snip_edges else 1, f.pipe_timeout)


@dataclass(frozen=True)
class Resolved:
    """A recording ready for training: the path to read and its true length at the target rate."""

    path: str
    frames: int
    dumped: bool
    resampled: bool


def dump_path(dump_dir: Path, reco: str, fmt: str) -> Path:
    """Where a recording's rewritten audio goes (256 sub-folders keep directories small)."""
    sub = f"{zlib.crc32(reco.encode()) & 0xFF:02x}"
    return dump_dir / sub / f"{quote(reco, safe='')}.{fmt}"


def _write_dump(blocks, rate_in: int, channels: int, dest: Path, opts: FormatOptions, where: str) -> int:
    """Write blocks (frames, channels) as mono 16-bit audio at the target rate; return frames written."""
    if channels > 1 and opts.multi_channel == "skip":
        raise AudioError(MULTI_CHANNEL, f"{where}: {channels} channels (format.multi_channel: skip)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp.{os.getpid()}")
    resampler = StreamResampler(rate_in, opts.sample_rate)
    frames = 0
    try:
        with sf.SoundFile(tmp, "w", samplerate=opts.sample_rate, channels=1,
                          format=opts.dump_format.upper(), subtype="PCM_16") as out:
            for block in blocks:
                y = resampler(to_mono(block, opts.multi_channel, where))
                out.write(y)
                frames += len(y)
            tail = resampler(np.zeros(0, np.float32), last=True)
            out.write(tail)
            frames += len(tail)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return frames


def _dump_file(src: str, info_rate: int, channels: int, dest: Path, opts: FormatOptions, where: str) -> int:
    with sf.SoundFile(src) as f:
        return _write_dump(iter_blocks(f, where), info_rate, channels, dest, opts, where)


def _spool_pipe(reco: str, command: str, spool: Path, timeout: float) -> None:
    try:
        pipe_to_file(command, spool, timeout)
    except AudioError as e:  # a pipe's messages name only the command: add the recording
        raise AudioError(e.reason, f"recording '{reco}': {e.message}") from None


def resolve_recording(reco: str, value: str, opts: FormatOptions, dump_dir: Path, spool_dir: Path) -> Resolved:
    """Verify or rewrite one wav.scp entry; AudioError (with a reason) when it cannot be used."""
    entry = parse_entry(value)
    dest = dump_path(dump_dir, reco, opts.dump_format)
    where = f"recording '{reco}' ({entry})"
    if entry.kind == "file":
        info = probe(entry.target)
        if info.channels > 1 and opts.multi_channel == "skip":
            raise AudioError(MULTI_CHANNEL, f"{where}: {info.channels} channels (format.multi_channel: skip)")
        if info.sample_rate != opts.sample_rate or info.channels > 1:
            frames = _dump_file(entry.target, info.sample_rate, info.channels, dest, opts, where)
            return Resolved(str(dest.resolve()), frames, True, info.sample_rate != opts.sample_rate)
        frames = count_frames(entry.target) if opts.verify == "full" else info.frames
        return Resolved(os.path.abspath(entry.target), frames, False, False)
    if entry.kind == "pipe":
        spool_dir.mkdir(parents=True, exist_ok=True)
        spool = spool_dir / f"{quote(reco, safe='')}.pipe"
        try:
            _spool_pipe(reco, entry.target, spool, opts.pipe_timeout)
            info = probe(spool)
            frames = _dump_file(str(spool), info.sample_rate, info.channels, dest, opts, where)
        finally:
            spool.unlink(missing_ok=True)
        return Resolved(str(dest.resolve()), frames, True, info.sample_rate != opts.sample_rate)
    data, rate = decode_entry(value)
    frames = _write_dump([data], rate, data.shape[1], dest, opts, where)
    return Resolved(str(dest.resolve()), frames, True, rate != opts.sample_rate)


def whole_recording(frames: int, opts: FormatOptions, where: str) -> int:
    """Samples of an utterance that is a whole recording; AudioError if empty or too short."""
    if frames == 0:
        raise AudioError(EMPTY, f"{where}: no samples")
    if frames < opts.min_samples:
        raise AudioError(TOO_SHORT, f"{where}: {frames} samples, shorter than one analysis window")
    return frames


def cut_segment(utt: str, value: str, frames: int, opts: FormatOptions) -> tuple[str, int]:
    """Check one segment against its recording's length; return (segments value, samples).

    A segment ending less than max_overshoot past the end is cut to the end (its end time is
    rewritten); one ending further, or starting past the end, is an AudioError.
    """
    try:
        seg = parse_segment(utt, value)
    except ValueError as e:
        raise AudioError(BAD_SEGMENT, f"segment '{utt}': {e}") from None
    sr = opts.sample_rate
    if frames == 0:
        raise AudioError(EMPTY, f"segment '{utt}': recording '{seg.reco}' has no samples")
    start, end = seconds_to_samples(seg.start, sr), seconds_to_samples(seg.end, sr)
    if start >= frames or end - frames > opts.max_overshoot * sr:
        raise AudioError(PAST_END, f"segment '{utt}' [{seg.start:g}, {seg.end:g}] s is past the end of "
                                   f"recording '{seg.reco}' ({frames / sr:g} s)")
    if end > frames:
        end = frames
        value = f"{seg.reco} {value.split()[1]} {samples_to_seconds(frames, sr)}"
    if end - start < opts.min_samples:
        raise AudioError(TOO_SHORT, f"segment '{utt}': {end - start} samples, shorter than one analysis window")
    return value, end - start
