"""The trials' summary: counts per scenario, and how far A/A checks move a backend."""

import math

import pytest

from bench.analysis.trials import aa_offsets, table


def document(aa_ratios: list[dict], injected: list[dict]) -> dict:
    outcome = {"exit": 0, "seconds": 40.0, "regressed": []}
    return {
        "context": {"cpu": "CPU", "started": "2026-12-01T06:00", "command": "trials", "base": "b"},
        "scenarios": [
            {"name": "A/A (no change)", "inject": [], "expect_alarm": False},
            {"name": "vectorized 1.10x", "inject": ["vectorized=1.1"], "expect_alarm": True},
        ],
        "outcomes": [outcome | {"scenario": "A/A (no change)", "ratios": r} for r in aa_ratios]
        + [outcome | {"scenario": "vectorized 1.10x", "ratios": r} for r in injected],
    }


def test_aa_offsets_are_the_spread_of_each_tests_ratio_over_the_aa_checks_only():
    aa = [{"numba": 0.9, "two_loop": 1.0}, {"numba": 1.2, "two_loop": 1.02}, {"numba": 1.0}]
    offsets = aa_offsets(document(aa, [{"numba": 5.0, "two_loop": 5.0}]))
    assert list(offsets) == ["numba", "two_loop"]  # the widest first
    low, high, spread = offsets["numba"]
    logs = [math.log(r) for r in (0.9, 1.2, 1.0)]
    mean = sum(logs) / 3
    assert (low, high) == (0.9, 1.2)
    assert spread == pytest.approx(math.sqrt(sum((x - mean) ** 2 for x in logs) / 2))


def test_the_table_ends_with_the_aa_offsets_when_there_are_aa_checks():
    lines = table(document([{"numba": 0.9}, {"numba": 1.1}], []))
    assert lines[-1].startswith("A/A, one check's first-phase head/base ratio per test")
    assert "numba 0.90x-1.10x (" in lines[-1]
    assert not table(document([], [{"numba": 1.1}]))[-1].startswith("A/A, one check's")
