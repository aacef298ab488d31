"""Find truncated RIFF/WAVE files: libsndfile quietly reads what is there, so compare the header."""

import os
import struct

# streaming writers (e.g. into a pipe) cannot fill the size in; sox writes 0x7FFFF000 there
_UNKNOWN_SIZES = (0, 0x7FFFF000, 0xFFFFFFFF)


def wav_missing_bytes(path: str | os.PathLike) -> int:
    """Bytes the `data` chunk declares beyond the end of the file (0 if complete or not a plain WAV)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return 0
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            chunk = f.read(8)
            if len(chunk) < 8:
                return 0
            cid, csize = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"data":
                if csize in _UNKNOWN_SIZES:
                    return 0
                return max(0, pos + 8 + csize - size)
            pos += 8 + csize + (csize & 1)
    return 0
