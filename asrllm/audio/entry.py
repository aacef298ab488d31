"""What a wav.scp value is: a file soundfile reads, a Kaldi pipe, or a wav inside an ark."""

import re
from dataclasses import dataclass

_ARK = re.compile(r"^(.+\.ark):(\d+)$")


@dataclass(frozen=True)
class AudioEntry:
    """One parsed wav.scp value: kind is 'file', 'pipe' or 'ark'."""

    kind: str
    target: str

    def __str__(self) -> str:
        return f"{self.target} |" if self.kind == "pipe" else self.target


def parse_entry(value: str) -> AudioEntry:
    """Classify a wav.scp value (`cmd ... |` is a pipe, `x.ark:123` an ark offset)."""
    value = value.strip()
    if value.endswith("|"):
        command = value[:-1].strip()
        if not command:
            raise ValueError("empty pipe command")
        return AudioEntry("pipe", command)
    if _ARK.match(value):
        return AudioEntry("ark", value)
    return AudioEntry("file", value)
