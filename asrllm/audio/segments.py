"""The one rule that turns segment times (seconds) into sample indices, for every reader."""

from asrllm.kaldi.datadir import Segment


def seconds_to_samples(t: float, sample_rate: int) -> int:
    """Sample index of time t, rounded to the nearest sample."""
    return int(round(t * sample_rate))


def segment_bounds(seg: Segment, sample_rate: int) -> tuple[int, int]:
    """[start, end) sample indices of a segment."""
    return seconds_to_samples(seg.start, sample_rate), seconds_to_samples(seg.end, sample_rate)


def samples_to_seconds(n: int, sample_rate: int) -> str:
    """A time that maps back to exactly sample n (more digits than utt2dur's milliseconds)."""
    return f"{n / sample_rate:.7f}".rstrip("0").rstrip(".")
