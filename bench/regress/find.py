"""python -m bench regress find GOOD BAD: which commit made it slower, on this machine?

Bisects the first-parent commits after GOOD up to BAD. Every step is the check of
``compare_commits`` (the same pairs of fresh workers, interleaved rounds, statistics and
confirmations) between GOOD and one commit. BAD is checked first: the tests that fail
there are the ones the search follows, and the later steps time only their backends
(a step of one backend takes a fraction of a check of all). A commit is "slower" when one
of those tests fails against GOOD, so a slowdown is assumed to stay once it came, as
``git bisect`` assumes. A commit whose ``impls`` does not import, or whose backends compute
another step, is skipped and named (``git bisect skip``), and the search takes the untested
commit nearest the middle instead. No commit is checked twice. Each step is bounded in time
(``--step-timeout``); Ctrl-C stops the workers and says which commits were checked.
Options: ``bench/cli.py``; the method: docs/regression.md, "Which commit".
"""

import argparse
import contextlib
import json
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

from .. import machine
from ..files import write_atomic
from . import ab, paired
from .compare_commits import Check, verdicts
from .paired import ALL

FIND_FILE = "find.json"  # in --out-dir: the search as it stands, written after every step


class StepTimeout(ab.CheckError):
    """A step ran past --step-timeout (its workers are stopped)."""


@dataclass(frozen=True)
class TestResult:
    """One test of a step: head over GOOD, the one-sided bound, and whether it failed."""

    test: str
    ratio: float
    low: float
    regression: bool


@dataclass
class Step:
    """What one commit's check found against GOOD."""

    commit: str
    subject: str
    slower: bool | None  # None: skipped
    tests: list[TestResult] = field(default_factory=list)
    skipped_because: str = ""
    seconds: float = 0.0
    rounds: list[int] = field(default_factory=list)  # per phase (fewer: its answer was clear)


class Bounds(NamedTuple):
    """The open range of a search, as indices into its commits."""

    last_not_slower: int  # -1: GOOD itself
    first_slower: int


class Answer(NamedTuple):
    """Where a search ended: the first slower commit (None: BAD is not slower), and the
    skipped commits just before it, any of which may be the one."""

    first_slower: str | None
    maybe: list[str]


@dataclass
class Search:
    """The commits after GOOD up to BAD (oldest first) and what each step found."""

    good: str
    commits: list[str]
    subjects: dict[str, str]
    steps: dict[str, Step] = field(default_factory=dict)
    followed: list[str] | None = None  # the tests that failed at BAD

    def bounds(self) -> Bounds:
        slower = [i for i, c in enumerate(self.commits) if self.result(c) is True]
        bad = min(slower) if slower else len(self.commits) - 1
        good = max(
            (i for i, c in enumerate(self.commits[:bad]) if self.result(c) is False), default=-1
        )
        return Bounds(good, bad)

    def result(self, commit: str) -> bool | None:
        step = self.steps.get(commit)
        return None if step is None else step.slower

    def next_commit(self) -> str | None:
        """The untested commit that splits what is still open most evenly (None: done)."""
        good, bad = self.bounds()
        open_range = [i for i in range(good + 1, bad) if self.commits[i] not in self.steps]
        if not open_range:
            return None
        # Either answer leaves the untested commits on one side: the larger side is the cost.
        split = {i: max(n, len(open_range) - 1 - n) for n, i in enumerate(open_range)}
        return self.commits[min(open_range, key=lambda i: (split[i], i))]

    def answer(self) -> Answer:
        good, bad = self.bounds()
        if self.result(self.commits[bad]) is not True:
            return Answer(None, [])
        maybe = [c for c in self.commits[good + 1 : bad] if self.result(c) is None]
        return Answer(self.commits[bad], maybe)


def first_parent_commits(repo: Path, good: str, bad: str) -> list[str]:
    """The commits after good up to bad along bad's first parents, oldest first."""
    try:
        ab.git(repo, "merge-base", "--is-ancestor", good, bad)
    except ab.CheckError:
        raise ab.CheckError(
            f"{good[:12]} is not an ancestor of {bad[:12]}: nothing to bisect"
        ) from None
    listed = ab.git(repo, "rev-list", "--first-parent", "--reverse", f"{good}..{bad}")
    commits = listed.split()
    if not commits:
        raise ab.CheckError(f"no commit after {good[:12]} up to {bad[:12]}")
    return commits


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise StepTimeout in the main thread after ``seconds`` (the workers close on the way)."""

    def expired(signum, frame):
        raise StepTimeout(f"the step ran past --step-timeout {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def clear_for(args: argparse.Namespace, followed: list[str] | None):
    """A step's phase may stop once its answer for the followed tests is clear (none: BAD's)."""
    if not followed:
        return None
    return lambda table: paired.clear(table, followed, args.threshold, args.floor, args.alpha)


def check_commit(
    args: argparse.Namespace, repo: Path, good_root: Path, search: Search, commit: str, say
) -> Step:
    """One step: the check between GOOD and commit, over the tests the search follows."""
    started = time.perf_counter()
    subject = search.subjects[commit]
    say(f"\nStep {len(search.steps) + 1}: {commit[:12]} {subject!r} against {search.good[:12]}.")
    backends = args.backends
    if search.followed is not None and ALL not in search.followed:
        backends = search.followed
    step_args = argparse.Namespace(**vars(args) | {"backends": backends, "slowdown": {}})
    check = Check(step_args, [], say, clear_for(args, search.followed))
    try:
        with time_limit(args.step_timeout), ab.worktree(repo, commit) as root:
            check.sides = [
                ab.Side("base", good_root, search.good[:12]),
                ab.Side("head", root, commit[:12]),
            ]
            first, confirmation = check.run()
    except ab.CheckError as exc:  # a StepTimeout too: a commit that hangs is skipped
        if commit == search.commits[-1]:
            raise ab.CheckError(f"BAD ({commit[:12]}) cannot be checked: {exc}") from None
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = " ".join(dict.fromkeys([lines[0], lines[-1]]))  # what failed, and its error
        say(f"Skipped {commit[:12]}: {reason}")
        return Step(commit, subject, None, skipped_because=reason, seconds=_since(started))
    tests = verdicts(first, confirmation)
    results = [
        TestResult(str(name), float(row["ratio"]), float(row["low"]), bool(row["regression"]))
        for name, row in tests.iterrows()
    ]
    followed = search.followed or [r.test for r in results if r.regression]
    slower = any(r.regression and r.test in followed for r in results)
    say(f"{commit[:12]}: {'slower' if slower else 'not slower'} than {search.good[:12]}.")
    rounds = [int(table["round"].max()) for table in check.pairs]
    return Step(commit, subject, slower, results, seconds=_since(started), rounds=rounds)


def _since(started: float) -> float:
    return time.perf_counter() - started


def bisect(args: argparse.Namespace, repo: Path, search: Search, say, save) -> None:
    """BAD first, then the middle of what is still open, until one commit is left."""
    bad = search.commits[-1]
    with ab.worktree(repo, search.good) as good_root:  # one checkout of GOOD for every step
        search.steps[bad] = check_commit(args, repo, good_root, search, bad, say)
        save()
        if not search.steps[bad].slower:
            return
        search.followed = [t.test for t in search.steps[bad].tests if t.regression]
        say(f"Following {', '.join(search.followed)} through {len(search.commits) - 1} commit(s).")
        while (commit := search.next_commit()) is not None:
            search.steps[commit] = check_commit(args, repo, good_root, search, commit, say)
            save()


def summary_lines(search: Search, seconds: float) -> list[str]:
    answer = search.answer()
    checks = len(search.steps)
    done = f"{checks} check(s) in {seconds / 60:.1f} minutes, {len(search.commits)} commit(s)"
    if answer.first_slower is None:
        return [f"BAD is not slower than GOOD here: nothing to find ({done})."]
    step = search.steps[answer.first_slower]
    lines = [f"First slower commit: {answer.first_slower[:12]} {step.subject!r} ({done})."]
    lines += [
        f"  {t.test}: {t.ratio:.3f}x of GOOD's time (one-sided bound ≥ {t.low:.3f}x)"
        for t in step.tests
        if t.test in (search.followed or [])
    ]
    skipped = [s for s in search.steps.values() if s.slower is None]
    lines += [f"Skipped {s.commit[:12]} {s.subject!r}: {s.skipped_because}" for s in skipped]
    if answer.maybe:
        lines.append(
            "The first slower commit may also be one of the skipped "
            + ", ".join(c[:12] for c in answer.maybe)
            + ": they could not be checked."
        )
    return lines


def document(search: Search, seconds: float) -> dict:
    answer = search.answer()
    return {
        "good": search.good,
        "bad": search.commits[-1],
        "cpu": machine.cpu_name(),
        "commits": search.commits,
        "followed": search.followed,
        "first_slower": answer.first_slower,
        "maybe_skipped": answer.maybe,
        "checks": len(search.steps),
        "seconds": seconds,
        "steps": [asdict(step) for step in search.steps.values()],
    }


def main(args: argparse.Namespace) -> int:
    """The search, with the options of ``python -m bench regress find``."""

    def say(text: str) -> None:
        print(text, flush=True)

    started = time.perf_counter()
    search = None
    out = Path(args.out_dir) / FIND_FILE

    def save() -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, json.dumps(document(search, _since(started)), indent=1))

    try:
        repo = ab.repository_root(Path.cwd())
        good, bad = ab.resolve(repo, args.good), ab.resolve(repo, args.bad)
        commits = first_parent_commits(repo, good, bad)
        subjects = {c: ab.git(repo, "log", "-1", "--format=%s", c) for c in commits}
        search = Search(good, commits, subjects)
        say(f"Bisecting {len(commits)} commit(s) after {good[:12]} up to {bad[:12]}.")
        bisect(args, repo, search, say, save)
    except KeyboardInterrupt:
        checked = ", ".join(f"{c[:12]} {search.result(c)}" for c in search.steps) if search else ""
        say(f"\nInterrupted; no worker left running. Checked so far: {checked or 'none'}.")
        return 130
    except (ab.CheckError, OSError) as exc:
        print(f"python -m bench regress find: cannot search: {exc} (exit 2)", file=sys.stderr)
        return 2
    say("")
    for line in summary_lines(search, _since(started)):
        say(line)
    say(f"The search step by step: {out}")
    return 0 if search.answer().first_slower else 1
