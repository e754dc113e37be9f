"""python -m bench regress --base REF: is HEAD slower than the commit REF, on this machine?

Both commits' backends are timed in the same job, interleaved round by round
by several pairs of fresh worker processes (``ab.py``), and judged on the
paired rounds (``paired.py``): a slowdown must hold in most of the pairs. An
alarm must be found again by two more phases, each with fresh processes,
before the check fails (``--confirmations``). Exit status: 0 no regression, 1
regression (confirmed), 2 cannot compare (unknown ref, a backend missing, a
base that does not import, bad options). Options: ``bench/cli.py``.
"""

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .. import machine
from ..files import write_atomic
from ..settings import YOUR_RESULTS
from ..units import format_seconds, markdown_table
from . import ab, action_entries, paired
from .floor import floor_lines

REF_FILE = Path("results/baseline/REF")
# A check takes minutes (docs/tuning.md); one past this is hung.
CHECK_TIMEOUT_S = 1200
OUT_DIR = Path(YOUR_RESULTS) / "regress"


def base_ref(args: argparse.Namespace, repo: Path) -> str:
    if args.base:
        return args.base
    ref_file = repo / args.ref_file
    try:
        return ref_file.read_text().split()[0]
    except (OSError, IndexError):
        raise ab.CheckError(
            f"no --base given and no commit recorded in {ref_file} "
            "(record one with --update-baseline)"
        ) from None


def update_baseline(repo: Path, ref_file: Path) -> int:
    commit = ab.resolve(repo, "HEAD")
    if ab.git(repo, "status", "--porcelain", "--untracked-files=no", "--", "impls"):
        print("note: impls/ has uncommitted changes; the recorded commit does not have them.")
    (repo / ref_file).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(repo / ref_file, commit + "\n")
    print(f"Recorded {commit} in {ref_file}: later checks compare with it. Commit that file.")
    return 0


class Check:
    """Both phases of one check, with what they found."""

    def __init__(self, args: argparse.Namespace, sides: list[ab.Side], say, enough=None):
        self.args, self.sides, self.say = args, sides, say
        self.enough = enough  # a phase's rounds end once it says the answer is clear
        self.rng = np.random.default_rng(args.seed)
        self.pairs: list[pd.DataFrame] = []
        self.context: dict = {}

    def phase(self, name: str, backends: list[str] | None) -> pd.DataFrame:
        table, context = ab.measure(
            self.sides,
            backends,
            self.args.rounds,
            self.args.seed,
            self.args.dtype,
            self.rng,
            self.say,
            name,
            self.args.workers,
            self.enough,
        )
        self.context = self.context or context
        self.pairs.append(table)
        return table

    def judge(self, table: pd.DataFrame, tests: int | None = None) -> pd.DataFrame:
        a = self.args
        return paired.judge(table, a.threshold, a.floor, a.alpha, tests)

    def run(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """The first phase's tests and, if one fired, what every confirmation found: a test
        stays regressed only if it fired again in each (fresh processes every time)."""
        first = self.judge(self.phase("check", self.args.backends))
        fired = list(first.index[first["regressed"]])
        if not fired or self.args.no_confirm:
            return first, None
        confirmed = None
        for attempt in range(1, self.args.confirmations + 1):
            self.say(
                f"Alarm in {', '.join(fired)}: confirming with fresh processes "
                f"({attempt} of {self.args.confirmations})."
            )
            again = self.context["backends"] if paired.ALL in fired else fired
            table = self.judge(self.phase("confirmation", again), tests=len(first))
            if confirmed is not None:
                table["regressed"] &= confirmed["regressed"].reindex(table.index, fill_value=False)
            confirmed = table
            fired = list(table.index[table["regressed"]])
            if not fired:
                break
        return first, confirmed


def verdicts(first: pd.DataFrame, confirmation: pd.DataFrame | None) -> pd.DataFrame:
    """The first phase's tests with a final ``regression`` column."""
    table = first.copy()
    if confirmation is None:
        table["regression"] = table["regressed"]
        return table
    again = confirmation["regressed"].reindex(table.index, fill_value=False)
    table["confirmation_ratio"] = (
        confirmation["ratio"].reindex(table.index).where(table["regressed"])
    )
    table["regression"] = table["regressed"] & again
    return table


def verdict_cell(row: pd.Series) -> str:
    if row["regression"]:
        return "**regression**"
    return "ok (alarm not confirmed)" if row["regressed"] else "ok"


def head_over_base(cell) -> str:
    return f"head / base {ratio_text(cell.ratio, cell.low, cell.high)}"


def ratio_text(ratio: float, low: float, high: float | None = None) -> str:
    if high is None:
        return f"{ratio:.3f}x (≥ {low:.3f}x)"
    return f"{ratio:.3f}x [{low:.3f}, {high:.3f}]"


def markdown(summary: dict, tests: pd.DataFrame, cells: pd.DataFrame) -> str:
    """The summary a pull request shows (``$GITHUB_STEP_SUMMARY``)."""
    regressed = summary["regressed"]
    verdict = f"regression in {', '.join(regressed)}" if regressed else "no regression"
    lines = [
        f"### Regression check: {verdict}",
        "",
        f"Head `{summary['head']}` against base `{summary['base']}` on {summary['cpu']}, "
        f"{summary['dtype']}, 1 thread; {summary['rounds']} interleaved rounds per phase, "
        f"taken in turn by {summary['workers']} pairs of fresh workers; "
        f"{summary['seconds']:.0f} s. A test fails at a slowdown ≥ {summary['threshold']}x, "
        f"seen in most pairs, whose one-sided bound excludes {summary['floor']}x.",
        "",
    ]
    rows = [
        (
            name,
            f"{row['ratio']:.3f}x",
            f"≥ {row['low']:.3f}x",
            f"{row['pairs_slower']} of {row['pairs']}",
            verdict_cell(row),
        )
        for name, row in tests.iterrows()
    ]
    columns = ("test", "head / base", "one-sided bound", "pairs ≥ threshold", "verdict")
    lines += markdown_table(columns, rows, "lrrr")
    shown = cells[cells["backend"].isin(regressed)] if regressed else cells
    rows = [
        (r.backend, f"{r.m:,}", f"{r.n_x:,}", format_seconds(r.base_s))
        + (format_seconds(r.head_s), ratio_text(r.ratio, r.low, r.high))
        for r in shown.itertuples()
    ]
    columns = ("backend", "m", "n_x", "base", "head", "head / base [95% interval]")
    lines += ["", *markdown_table(columns, rows, "lrrrrr")]
    if summary["new_in_head"]:
        lines += ["", f"New in head, not compared: {', '.join(summary['new_in_head'])}."]
    lines += ["", *summary.get("sees", [])]
    return "\n".join(lines) + "\n"


def publish(out_dir: Path, summary: dict, tests: pd.DataFrame, pairs: pd.DataFrame) -> str:
    cells = paired.cell_intervals(pairs[pairs["phase"] == "check"])
    text = markdown(summary, tests, cells)
    out_dir.mkdir(parents=True, exist_ok=True)
    document = summary | {
        "tests": tests.reset_index().to_dict(orient="records"),
        "cells": cells.to_dict(orient="records"),
    }
    write_atomic(out_dir / "summary.json", json.dumps(document, indent=1, default=float))
    write_atomic(out_dir / "summary.md", text)
    write_atomic(out_dir / "rounds.csv", pairs.to_csv(index=False))
    write_atomic(
        out_dir / "benchmark-action.json",
        json.dumps(action_entries(cells, "head_s", head_over_base), indent=1),
    )
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(text)
    return text


def compare(args: argparse.Namespace, repo: Path, say) -> int:
    base_commit = ab.resolve(repo, base_ref(args, repo))
    head_commit = ab.resolve(repo, args.head) if args.head else None
    started = time.perf_counter()
    with ab.worktree(repo, base_commit) as base_root, head_tree(repo, head_commit) as head_root:
        head_label = head_commit[:12] if head_commit else "working tree"
        sides = [
            ab.Side("base", base_root, base_commit[:12]),
            ab.Side("head", head_root, head_label, args.slowdown),
        ]
        say(f"Base {base_commit[:12]} against head ({head_label}) on this machine.")
        check = Check(args, sides, say)
        first, confirmation = check.run()
    tests = verdicts(first, confirmation)
    regressed = [name for name in tests.index if tests.loc[name, "regression"]]
    summary = {
        "verdict": "regression" if regressed else "no regression",
        "regressed": regressed,
        "base": base_commit,
        "head": head_commit or "working tree",
        "cpu": machine.cpu_name(),
        "dtype": args.dtype,
        "rounds": args.rounds,
        "workers": args.workers,
        "threshold": args.threshold,
        "floor": args.floor,
        "alpha": args.alpha,
        "confirmed": confirmation is not None,
        "seconds": time.perf_counter() - started,
        **check.context,
    }
    summary["sees"] = floor_lines(summary["cpu"])  # what it cannot see on this CPU
    print(publish(args.out_dir, summary, tests, pd.concat(check.pairs)))
    # The last line tells a regression (1) from "cannot compare" (2) where nox makes both 1.
    if regressed:
        say(f"Verdict: regression in {', '.join(regressed)} (exit 1).")
        return 1
    say("Verdict: no regression (exit 0).")
    return 0


def head_tree(repo: Path, commit: str | None) -> contextlib.AbstractContextManager[Path]:
    """A worktree of the head commit, or the working tree itself."""
    return ab.worktree(repo, commit) if commit else contextlib.nullcontext(repo)


def main(args: argparse.Namespace) -> int:
    """The check, with the options of ``python -m bench regress``."""

    def say(text: str) -> None:
        print(text, flush=True)

    try:
        repo = ab.repository_root(Path.cwd())
        if args.update_baseline:
            return update_baseline(repo, args.ref_file)
        return compare(args, repo, say)
    except ab.CheckError as exc:
        print(f"python -m bench regress: cannot compare: {exc} (exit 2)", file=sys.stderr)
        return 2
