"""regress find: bisection by the interleaved check, on a synthetic history of real changes."""

import json
import subprocess
import sys

import pytest

from bench.regress.find import Search, Step, first_parent_commits
from tests.bench.regress.history import make_history

# The fastest check that still sees a 1.5x slowdown of vectorized every time.
QUICK = ["--backends", "vectorized", "--rounds", "6", "--workers", "1", "--confirmations", "1"]


def search_of(results: dict[int, bool | None], commits: int) -> Search:
    """A search over commits 1..commits whose steps found ``results`` (position: slower)."""
    names = [f"c{i}" for i in range(1, commits + 1)]
    search = Search("good", names, dict.fromkeys(names, ""))
    for position, slower in results.items():
        search.steps[f"c{position}"] = Step(f"c{position}", "", slower)
    return search


def test_the_search_starts_in_the_middle_and_halves_what_is_open():
    search = search_of({16: True}, 16)
    assert search.next_commit() == "c8"
    search.steps["c8"] = Step("c8", "", False)
    assert search.next_commit() == "c12"
    search.steps["c12"] = Step("c12", "", True)
    assert search.bounds() == (7, 11)


def test_a_skipped_commit_is_stepped_around_and_named_if_it_may_be_the_one():
    search = search_of({8: True, 4: None}, 8)
    assert search.next_commit() == "c3"  # the nearest untested commit to the middle
    search = search_of({8: True, 4: None, 3: False, 5: True}, 8)
    assert search.next_commit() is None
    assert search.answer() == ("c5", ["c4"])  # c4 could not be checked: it may be the one


def simulate(commits: int, slower_at: int, broken_at: int) -> Search:
    """A whole search whose checks are an oracle: slower from slower_at on, broken_at skipped."""
    search = search_of({commits: True}, commits)
    while (commit := search.next_commit()) is not None:
        position = int(commit[1:])
        slower = None if position == broken_at else position >= slower_at
        search.steps[commit] = Step(commit, "", slower)
    return search


@pytest.mark.parametrize("slower_at", range(1, 17))
def test_sixteen_commits_take_at_most_log2_16_plus_2_checks_wherever_the_two_are(slower_at):
    for broken_at in set(range(1, 16)) - {slower_at}:
        search = simulate(16, slower_at, broken_at)
        answer = search.answer()
        assert answer.first_slower == f"c{slower_at}"
        assert answer.maybe == ([f"c{broken_at}"] if broken_at == slower_at - 1 else [])
        assert len(search.steps) <= 4 + 2, (slower_at, broken_at, list(search.steps))


def test_a_bad_that_is_not_slower_has_no_answer():
    assert search_of({8: False}, 8).answer() == (None, [])


@pytest.mark.timeout(600)
def test_find_names_the_commit_that_made_it_slower_and_skips_the_broken_one(tmp_path):
    good, *commits = make_history(tmp_path / "repo", 8, slower_at=6, broken_at=4)
    assert first_parent_commits(tmp_path / "repo", good, commits[-1]) == commits
    out = tmp_path / "out"
    command = [sys.executable, "-m", "bench", "regress", "find", good, commits[-1], *QUICK]
    done = subprocess.run(
        [*command, "--out-dir", str(out)],
        cwd=tmp_path / "repo",
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    found = json.loads((out / "find.json").read_text())
    assert found["first_slower"] == commits[5]
    skipped = [s for s in found["steps"] if s["slower"] is None]
    assert [s["commit"] for s in skipped] == [commits[3]]
    assert "does not import" in skipped[0]["skipped_because"] + done.stdout
    assert found["checks"] <= 3 + 2  # ceil(log2 8) + 2
    assert f"First slower commit: {commits[5][:12]} 'commit 6'" in done.stdout


def test_find_refuses_a_good_that_is_not_an_ancestor_of_bad(tmp_path):
    good, *commits = make_history(tmp_path / "repo", 2, slower_at=2, broken_at=0)
    done = subprocess.run(
        [sys.executable, "-m", "bench", "regress", "find", commits[-1], good],
        cwd=tmp_path / "repo",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "nothing to bisect" in done.stderr and "Traceback" not in done.stderr
