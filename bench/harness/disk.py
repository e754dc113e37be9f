"""The disk as a roof: its sequential read rate, and reads that really come from it.

Linux keeps what was read in the page cache, so a store read twice is read
from memory the second time. ``evict`` asks the kernel to drop a path's
cached pages (``posix_fadvise(DONTNEED)``, after flushing them), so every
timed read of a store comes from the disk; ``measure_read`` times a large
sequential read of a fresh file the same way. Where the call does not exist
(not Linux), nothing is evicted and the facts say so.
"""

import os
import time
from pathlib import Path

import numpy as np

PROBE_BYTES = 1 << 30
BLOCK_BYTES = 16 << 20  # per read call: large enough for the kernel's read-ahead to stream
REPEATS = 3
CAN_EVICT = hasattr(os, "posix_fadvise")


def _files(path: Path) -> list[Path]:
    return [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]


def evict(path: str | os.PathLike) -> None:
    """Drop the cached pages of a file, or of every file under a folder."""
    if not CAN_EVICT:
        return
    for file in _files(Path(path)):
        descriptor = os.open(file, os.O_RDONLY)
        try:
            os.fdatasync(descriptor)  # the kernel keeps dirty pages whatever we advise
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(descriptor)


def _write_probe(path: Path, size: int) -> None:
    # Random bytes: a virtual disk could store runs of zeros without writing them.
    block = np.random.default_rng(0).bytes(BLOCK_BYTES)
    with open(path, "wb") as file:
        for _ in range(max(1, size // BLOCK_BYTES)):
            file.write(block)


def _read_seconds(path: Path) -> float:
    buffer = bytearray(BLOCK_BYTES)
    start = time.perf_counter()
    with open(path, "rb", buffering=0) as file:
        while file.readinto(buffer):
            pass
    return time.perf_counter() - start


def measure_read(directory: str | os.PathLike, probe_bytes: int | None = None) -> dict:
    """Sequential read rate of the disk under directory, in bytes/s, best of REPEATS cold reads.

    Writes a probe file of probe_bytes (default PROBE_BYTES) there, removed afterwards.
    """
    probe_bytes = probe_bytes or PROBE_BYTES
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    probe = directory / f".lrbench-disk-probe-{os.getpid()}"
    try:
        _write_probe(probe, probe_bytes)
        size = probe.stat().st_size
        times = []
        for _ in range(REPEATS):
            evict(probe)
            times.append(_read_seconds(probe))
    finally:
        probe.unlink(missing_ok=True)
    return {
        "read_Bps": size / min(times),
        "probe_bytes": size,
        "directory": str(directory.resolve()),
        "page_cache_evicted": CAN_EVICT,
    }
