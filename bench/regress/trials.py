"""python -m bench trials: how often does the A/B check fire, on this machine?

Runs the real check (``python -m bench regress``, fresh processes each time)
over scenarios, round-robin so that a slow hour of the machine touches every
scenario alike:

- A/A: base and head are the same commit; every alarm is a false alarm.
- the test switch: the head's step of one backend, or of all, made slower by
  a factor (a busy wait of its own duration times factor - 1);
- a real code change in a head commit: ``impls/_scalar.py`` computes σ's
  exponential twice, slowing whichever backends use it (``vectorized`` does not).

After every check the results so far are written to ``--out`` (a JSON file),
so a long session can be stopped and still counts. ``--table`` prints the
Markdown table from that file, or from several (one per machine);
``python -m bench report --docs`` writes the committed ones into docs/regression.md.
Options: ``bench/cli.py``.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import machine
from ..analysis.trials import table
from ..files import write_atomic
from . import ab
from .compare_commits import CHECK_TIMEOUT_S
from .paired import ALL

# The slowdowns the ladder injects, smallest first: where the check's floor is looked for.
LADDER = (1.02, 1.03, 1.05, 1.10)
# The ladder's checks fail from a threshold below its smallest rung, so that what they find is
# the machine's noise, not the threshold's: (threshold, floor).
LADDER_CHECK = (1.01, 1.005)
SCALAR = "impls/_scalar.py"
EXP_LINE = "    e = math.exp(-abs(t))\n"
EXP_TWICE = (
    EXP_LINE + "    e = 0.5 * (e + math.exp(-0.5 * abs(t)) ** 2)  # trial: the exponential twice\n"
)


@dataclass
class Scenario:
    name: str
    runs: int
    inject: list[str] = field(default_factory=list)
    real_change: bool = False
    expect_alarm: bool = True


def scenarios(aa_runs: int, runs: int, ladder: bool = False) -> list[Scenario]:
    """The scenarios of a session: A/A and the slowdowns; with ``ladder``, A/A and every
    backend slowed alike by each factor of LADDER (each backend's own test, and the test of
    all at once, see the same factor: the check's floor per backend, docs/regression.md)."""
    plan = [Scenario("A/A (no change)", aa_runs, expect_alarm=False)]
    if ladder:
        return plan + [Scenario(f"{ALL} {f:.2f}x", runs, [f"*={f}"]) for f in LADDER]
    for factor in (1.05, 1.10, 1.25):
        plan.append(Scenario(f"vectorized {factor:.2f}x", runs, [f"vectorized={factor}"]))
        plan.append(Scenario(f"{ALL} {factor:.2f}x", runs, [f"*={factor}"]))
    plan.append(Scenario("σ's exp twice in impls/_scalar.py", runs, real_change=True))
    return plan


def commit_with_real_change(repo: Path, base: str) -> str:
    """A commit on top of base whose _scalar.py computes the exponential twice."""
    with ab.worktree(repo, base) as tree:
        source = (tree / SCALAR).read_text()
        if EXP_LINE not in source:
            raise ab.CheckError(f"{SCALAR} no longer has the line {EXP_LINE.strip()!r} to change")
        (tree / SCALAR).write_text(source.replace(EXP_LINE, EXP_TWICE, 1))
        ab.git(
            tree,
            "-c",
            "user.name=lrbench trials",
            "-c",
            "user.email=trials@localhost",
            "commit",
            "--quiet",
            "--no-verify",
            "-am",
            "trial: exponential computed twice",
        )
        return ab.git(tree, "rev-parse", "HEAD")


def one_check(
    base: str, head: str, scenario: Scenario, seed: int, out_dir: Path, args: argparse.Namespace
) -> dict:
    command = [sys.executable, "-m", "bench", "regress", "--base", base, "--out-dir", str(out_dir)]
    command += ["--head", head, "--seed", str(seed), "--workers", str(args.workers)]
    command += ["--threshold", str(args.threshold), "--floor", str(args.floor)]
    for switch in scenario.inject:
        command += ["--inject-slowdown", switch]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"exit": 2, "seconds": CHECK_TIMEOUT_S, "error": "no result within the timeout"}
    outcome = {"exit": done.returncode, "seconds": time.perf_counter() - started}
    if done.returncode == 2:
        return outcome | {"error": done.stderr.strip()[-2000:]}
    summary = json.loads((out_dir / "summary.json").read_text())
    tests = {t["test"]: t for t in summary["tests"]}
    return outcome | {
        "regressed": summary["regressed"],
        "ratios": {name: round(t["ratio"], 4) for name, t in tests.items()},
        "check_seconds": summary["seconds"],
    }


def run_trials(args: argparse.Namespace) -> int:
    repo = ab.repository_root(Path.cwd())
    base = ab.resolve(repo, args.base)
    plan = scenarios(args.aa_runs, args.runs, args.ladder)
    if args.only:
        plan = [s for s in plan if any(word in s.name for word in args.only)]
    document = {
        "context": {
            "cpu": machine.cpu_name(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": "python -m bench trials " + " ".join(args.argv),
            "base": base,
            "workers": args.workers,
            "threshold": args.threshold,
            "floor": args.floor,
        },
        "scenarios": [asdict(s) for s in plan],
        "outcomes": [],
    }
    with tempfile.TemporaryDirectory() as work:
        changed = ""
        if any(s.real_change for s in plan):
            changed = commit_with_real_change(repo, base)
        total = sum(s.runs for s in plan)
        started = time.perf_counter()
        for index in range(max(s.runs for s in plan)):
            for scenario in plan:
                if index >= scenario.runs:
                    continue
                head = changed if scenario.real_change else base  # never the working tree
                out_dir = Path(work) / "out"
                outcome = one_check(base, head, scenario, index, out_dir, args)
                document["outcomes"].append({"scenario": scenario.name, "run": index} | outcome)
                write_atomic(args.out, json.dumps(document, indent=1))
                named = ", ".join(outcome.get("regressed", [])) or outcome.get("error", "")[-200:]
                print(
                    f"[{len(document['outcomes'])}/{total} {time.perf_counter() - started:.0f} s] "
                    f"{scenario.name}: exit {outcome['exit']} {named}",
                    flush=True,
                )
    print("\n".join(table(document)))
    return 2 if any(o["exit"] == 2 for o in document["outcomes"]) else 0


def main(args: argparse.Namespace) -> int:
    """The trials, or (--table) their tables, with the options of ``python -m bench trials``."""
    try:
        if args.table is None:
            return run_trials(args)
        for index, path in enumerate(args.table or [args.out]):
            print(*([""] if index else []), *table(json.loads(path.read_text())), sep="\n")
        return 0
    except (OSError, ValueError, KeyError, ab.CheckError) as exc:
        print(f"python -m bench trials: error: {exc}", file=sys.stderr)
        return 2
