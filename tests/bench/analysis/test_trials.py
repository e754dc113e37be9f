"""The trials' summary: counts per scenario, and how far A/A checks move a backend."""

import math

import pytest

from bench.analysis.trials import aa_offsets, floors, ladder, ladder_lines, table


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


def ladder_document(found: dict[float, list[list[str]]]) -> dict:
    """Rungs of the ladder: per factor, each check's failed tests (of vectorized, numba, all)."""
    scenarios, outcomes = [], []
    for factor, checks in found.items():
        name = f"all backends {factor:.2f}x"
        scenarios.append({"name": name, "inject": [f"*={factor}"], "expect_alarm": True})
        ratios = dict.fromkeys(["vectorized", "numba", "all backends"], factor)
        outcomes += [
            {
                "scenario": name,
                "exit": int(bool(r)),
                "seconds": 60.0,
                "regressed": r,
                "ratios": ratios,
            }
            for r in checks
        ]
    context = {
        "cpu": "CPU",
        "started": "2026-12-04T01:00",
        "command": "trials --ladder",
        "base": "b",
    }
    return {"context": context, "scenarios": scenarios, "outcomes": outcomes}


LADDER = {
    1.02: [[]] * 10,
    1.03: [["numba"]] * 9 + [[]],
    1.05: [["numba", "all backends"]] * 10,
    1.10: [["numba", "vectorized", "all backends"]] * 9 + [["numba", "all backends"]],
}


def test_the_ladder_counts_each_tests_detections_per_rung_smallest_first():
    rungs = ladder(ladder_document(dict(reversed(LADDER.items()))))
    assert [r.factor for r in rungs] == [1.02, 1.03, 1.05, 1.10]
    assert [r.checks for r in rungs] == [10, 10, 10, 10]
    assert rungs[1].detections == {"all backends": 0, "numba": 9, "vectorized": 0}
    assert rungs[3].detections == {"all backends": 10, "numba": 10, "vectorized": 9}


def test_the_floor_is_the_smallest_factor_seen_9_in_10_from_there_up():
    found = floors(ladder(ladder_document(LADDER)))
    assert found == {"numba": 1.03, "all backends": 1.05, "vectorized": 1.10}
    # A rung missed above a rung seen: the floor starts above the miss.
    holey = LADDER | {1.05: [["all backends"]] * 10}
    assert floors(ladder(ladder_document(holey)))["numba"] == 1.10
    assert floors(ladder(ladder_document({1.02: [[]] * 10})))["numba"] is None


def test_the_table_shows_the_ladder_with_each_tests_floor():
    lines = table(ladder_document(LADDER))
    assert "| test | 1.02x | 1.03x | 1.05x | 1.10x | floor |" in lines
    assert "| numba | 0/10 | 9/10 | 10/10 | 10/10 | 1.03x |" in lines
    assert "| vectorized | 0/10 | 0/10 | 0/10 | 9/10 | 1.10x |" in lines
    assert ladder_lines(document([{"numba": 1.0}], [])) == []
