"""What a corpus preparation kept and dropped: `<datadir>/local/<corpus>/{prep.json,dropped.txt}`."""

import json
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any

from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)
WARN_PER_REASON = 5


class PrepReport:
    """Counts drops by reason (one `<id> <reason> <detail>` line each in dropped.txt) and per-set totals."""

    def __init__(self, corpus: str, out_dir: str | os.PathLike):
        self.corpus = corpus
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.dropped: Counter[str] = Counter()
        self.sets: dict[str, dict[str, Any]] = {}
        self.info: dict[str, Any] = {}
        self._tmp = self.out_dir / f".dropped.txt.tmp.{os.getpid()}"
        self._f = open(self._tmp, "w", encoding="utf-8")

    def drop(self, reason: str, key: str, detail: str = "") -> None:
        """Record one dropped utterance (or recording, or transcript line) and why."""
        self.dropped[reason] += 1
        self._f.write(f"{key} {reason}{' ' + detail if detail else ''}\n")
        if self.dropped[reason] <= WARN_PER_REASON:
            log.warning("%s: dropped %s (%s)%s", self.corpus, key, reason, f": {detail}" if detail else "")
        elif self.dropped[reason] == WARN_PER_REASON + 1:
            log.warning("%s: more drops for '%s' are only listed in %s", self.corpus, reason,
                        self.out_dir / "dropped.txt")

    def write(self) -> Path:
        """Close dropped.txt and write prep.json (both atomically); return prep.json's path."""
        self._f.close()
        os.replace(self._tmp, self.out_dir / "dropped.txt")
        path = self.out_dir / "prep.json"
        with atomic_write(path) as f:
            json.dump({"corpus": self.corpus, "sets": self.sets, "dropped": dict(sorted(self.dropped.items())),
                       **self.info}, f, indent=2, ensure_ascii=False)
            f.write("\n")
        for name, counts in self.sets.items():
            log.info("%s: %s: %s", self.corpus, name, ", ".join(f"{k} {v}" for k, v in counts.items()))
        if self.dropped:
            log.info("%s: dropped %s (list: %s)", self.corpus,
                     ", ".join(f"{n} {r}" for r, n in sorted(self.dropped.items())), self.out_dir / "dropped.txt")
        return path

    def abort(self) -> None:
        """Remove the partial dropped list (a failed run leaves no report)."""
        self._f.close()
        self._tmp.unlink(missing_ok=True)
