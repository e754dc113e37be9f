"""Choosing a plan: the fastest of given timings, deterministically; kept on disk and found
again; refused after a change of code or CPU; forced by name; timed within its bound."""

import json
import os
import time

import pytest

from impls import _plans

NAMES = ("a", "b", "c")


@pytest.fixture
def plans_file(tmp_path, monkeypatch):
    path = tmp_path / "plans.json"
    monkeypatch.setenv(_plans.CACHE_ENV, str(path))
    monkeypatch.delenv(_plans.PLAN_ENV, raising=False)
    _plans.forget()
    yield path
    _plans.forget()


def runs_taking(seconds: dict, calls: list | None = None):
    """make_runs for candidates that sleep this long a call (and note that they were made)."""

    def make_runs():
        if calls is not None:
            calls.append(1)
        return {name: (lambda s=s: time.sleep(s)) for name, s in seconds.items()}

    return make_runs


def test_the_fastest_is_chosen_and_ties_go_to_the_first_name():
    assert _plans.fastest({"b": 2.0, "a": 3.0, "c": 1.0}) == "c"
    assert _plans.fastest({"b": 1.0, "a": 1.0}) == "a"
    assert _plans.fastest({"b": 1.0, "a": 1.0}) == _plans.fastest({"a": 1.0, "b": 1.0})


def test_timing_ranks_candidates_by_their_time(plans_file):
    choice = _plans.choose("class", NAMES, runs_taking({"a": 0.004, "b": 0.001, "c": 0.002}), "x")
    assert choice.plan == "b"
    assert choice.source == _plans.TUNED
    assert choice.seconds["a"] > choice.seconds["c"] > choice.seconds["b"] >= 0.001


def test_a_kept_plan_is_reused_without_timing(plans_file):
    made = []
    first = _plans.choose(
        "class", NAMES, runs_taking({"a": 0.002, "b": 0.0, "c": 0.002}, made), "x"
    )
    assert (first.source, made) == (_plans.TUNED, [1])
    again = _plans.choose("class", NAMES, runs_taking({"a": 0.0, "b": 0.0, "c": 0.0}, made), "x")
    assert (again.plan, again.source, again.tuning_s, made) == ("b", _plans.CACHED, 0.0, [1])
    _plans.forget()  # another process: found in the file
    from_file = _plans.choose("class", NAMES, runs_taking({"a": 0.0}, made), "x")
    assert (from_file.plan, from_file.source, made) == ("b", _plans.CACHED, [1])
    kept = json.loads(plans_file.read_text())["plans"]
    assert [entry["plan"] for entry in kept.values()] == ["b"]


def test_a_kept_plan_is_refused_after_a_change_of_code_or_cpu(plans_file, monkeypatch):
    made = []
    _plans.choose("class", NAMES, runs_taking({"a": 0.002, "b": 0.0, "c": 0.002}, made), "v1")
    _plans.forget()
    changed = _plans.choose(
        "class", NAMES, runs_taking({"a": 0.0, "b": 0.002, "c": 0.002}, made), "v2"
    )
    assert (changed.plan, changed.source, len(made)) == ("a", _plans.TUNED, 2)
    _plans.forget()
    monkeypatch.setattr(_plans, "cpu_identity", lambda: "another CPU")
    elsewhere = _plans.choose(
        "class", NAMES, runs_taking({"a": 0.002, "b": 0.002, "c": 0.0}, made), "v1"
    )
    assert (elsewhere.plan, elsewhere.source, len(made)) == ("c", _plans.TUNED, 3)


def test_code_identity_changes_with_the_code(tmp_path):
    module = type(_plans)("kernel")
    module.__file__ = str(tmp_path / "kernel.py")
    (tmp_path / "kernel.py").write_text("x = 1\n")
    before = _plans.code_identity([module])
    (tmp_path / "kernel.py").write_text("x = 2\n")
    assert _plans.code_identity([module]) != before


def test_a_forced_plan_is_used_where_it_is_a_candidate(plans_file, monkeypatch):
    made = []
    monkeypatch.setenv(_plans.PLAN_ENV, "z, c")
    choice = _plans.choose("class", NAMES, runs_taking({}, made), "x")
    assert (choice.plan, choice.source, made) == ("c", _plans.FORCED, [])
    monkeypatch.setenv(_plans.PLAN_ENV, "z")  # none of them here: chosen as usual
    usual = _plans.choose("class", NAMES, runs_taking({"a": 0.0, "b": 0.001, "c": 0.001}), "x")
    assert (usual.plan, usual.source) == ("a", _plans.TUNED)


def test_a_single_candidate_is_not_timed(plans_file):
    choice = _plans.choose("class", ("a",), runs_taking({}), "x")
    assert (choice.plan, choice.source) == ("a", _plans.ONLY)


def test_timing_stays_within_its_budget():
    start = time.perf_counter()
    seconds = _plans.time_candidates({n: (lambda: time.sleep(0.05)) for n in NAMES}, budget_s=0.2)
    spent = time.perf_counter() - start
    # two calls each before the rounds, then as many rounds as fit (here one)
    assert spent < 0.2 + 2 * 3 * 0.05 + 0.1
    assert set(seconds) == set(NAMES)


def test_a_slow_first_call_does_not_cut_the_rounds():
    calls = {name: 0 for name in NAMES}

    def run(name):
        calls[name] += 1
        time.sleep(0.3 if calls[name] == 1 else 0.001)  # compiled on the first call

    seconds = _plans.time_candidates({n: (lambda n=n: run(n)) for n in NAMES}, budget_s=1.0)
    # Every round, each timing several calls of ~1 ms; sized by the first call, one round of one.
    assert calls["a"] >= 2 + 2 * _plans.ROUNDS
    assert all(s < 0.01 for s in seconds.values())


def test_a_damaged_file_is_read_as_empty_and_written_again(plans_file):
    plans_file.write_text("{not json")
    choice = _plans.choose("class", NAMES, runs_taking({"a": 0.0, "b": 0.001, "c": 0.001}), "x")
    assert choice.source == _plans.TUNED
    assert json.loads(plans_file.read_text())["version"] == _plans.FILE_VERSION


def test_no_file_when_asked(plans_file, monkeypatch):
    monkeypatch.setenv(_plans.CACHE_ENV, _plans.NO_CACHE)
    assert _plans.cache_path() is None
    _plans.choose("class", NAMES, runs_taking({"a": 0.0, "b": 0.001, "c": 0.001}), "x")
    assert not plans_file.exists()


def test_the_tests_keep_their_plans_apart():
    from tests.conftest import PLAN_CACHE_ENV

    assert PLAN_CACHE_ENV == _plans.CACHE_ENV
    assert "lr-vectorization-bench" not in os.environ[_plans.CACHE_ENV]
