"""swaps.json, the hot-swap record of encoder pre-training: which CKA-triggered snapshots exist and
the final encoder. Pre-training writes it (asrllm.training.hotswap.CKAMonitor); alignment reads its
first snapshot, IA-SFT swaps in the rest, the analysis plots it, and the driver waits on it through
`python -m asrllm.bin.swaps ready`. This module is the one reader and writer.

    {"threshold": 0.975, "triggers": [{"index", "step", "cka", "reference_step", "snapshot"}, ...],
     "final": {"step", "snapshot"} | null}
"""

import json
import logging
from pathlib import Path

from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)


def write_json(path: Path, data: dict) -> None:
    with atomic_write(path) as f:
        json.dump(data, f, indent=1)
        f.write("\n")


def write_swaps(path: Path, threshold: float | None, triggers: list[dict], final: dict | None) -> None:
    write_json(path, {"threshold": threshold, "triggers": triggers, "final": final})


def read_swaps(path: Path) -> dict:
    if not path.is_file():
        return {"triggers": [], "final": None}
    return json.loads(path.read_text(encoding="utf-8"))


def is_ready(swaps_path: Path) -> bool:
    """Has pre-training recorded a snapshot alignment can start from (a trigger or the final encoder)?"""
    swaps = read_swaps(Path(swaps_path))
    return bool(swaps["triggers"] or swaps.get("final"))


def first_snapshot(swaps_path: Path) -> str:
    """The snapshot that initialises alignment: the first trigger, else the final encoder."""
    swaps = read_swaps(swaps_path)
    if swaps["triggers"]:
        return swaps["triggers"][0]["snapshot"]
    if swaps.get("final"):
        log.warning("%s: CKA never dropped below the threshold; alignment starts from the final encoder",
                    swaps_path)
        return swaps["final"]["snapshot"]
    raise FileNotFoundError(f"{swaps_path}: no snapshot recorded yet (has pre-training reached cka.start_step?)")


def swap_queue(swaps: dict) -> list[str]:
    """Snapshots IA-SFT swaps in, in order: the triggers after the first, then the final encoder."""
    queue = [t["snapshot"] for t in swaps["triggers"][1:]]
    if swaps.get("final"):
        final = swaps["final"]["snapshot"]
        if not swaps["triggers"] or final != swaps["triggers"][-1]["snapshot"]:
            queue.append(final)
    return queue


def ends_with_final(swaps: dict, queue: list[str]) -> bool:
    return bool(queue and swaps.get("final") and queue[-1] == swaps["final"]["snapshot"])
