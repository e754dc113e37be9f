"""The disk probe, and reads that come from the disk rather than the page cache."""

import os

import pytest

from bench.harness import disk

pytestmark = pytest.mark.skipif(not disk.CAN_EVICT, reason="posix_fadvise is Linux-only")


def test_evict_flushes_and_drops_every_file_under_a_folder(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    for name in ("a/x", "a/y", "z"):
        (tmp_path / name).write_bytes(b"1" * 4096)
    advised = []
    real = os.posix_fadvise

    def record(descriptor, offset, length, advice):
        advised.append((os.readlink(f"/proc/self/fd/{descriptor}"), advice))
        return real(descriptor, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", record)
    disk.evict(tmp_path)
    assert sorted(path for path, _ in advised) == [
        str(tmp_path / name) for name in ("a/x", "a/y", "z")
    ]
    assert {advice for _, advice in advised} == {os.POSIX_FADV_DONTNEED}


def test_the_probe_reads_a_file_of_its_size_and_leaves_nothing(tmp_path):
    probe = disk.measure_read(tmp_path, probe_bytes=2 * disk.BLOCK_BYTES)
    assert probe["probe_bytes"] == 2 * disk.BLOCK_BYTES
    assert probe["read_Bps"] > 0 and probe["page_cache_evicted"]
    assert probe["directory"] == str(tmp_path.resolve())
    assert list(tmp_path.iterdir()) == []
