"""The regression check's trials, summed up from their file (results/regress-trials.json).

Per scenario: how many checks ran, how many alarmed, how large the slowdown
looked; and the table the README and the report page show. Written by
``python -m bench.regress.trials``; read here, measuring nothing.
"""

import math
import statistics
from collections import Counter
from typing import NamedTuple


def counts(document: dict) -> list[dict]:
    """Per scenario: checks run, alarms, check times."""
    rows = []
    for scenario in document["scenarios"]:
        done = [o for o in document["outcomes"] if o["scenario"] == scenario["name"]]
        usable = [o for o in done if o["exit"] != 2]
        rows.append(
            {
                "scenario": scenario["name"],
                "expect_alarm": scenario["expect_alarm"],
                "checks": len(usable),
                "unusable": len(done) - len(usable),
                "alarms": sum(o["exit"] == 1 for o in usable),
                "longest_s": max((o["seconds"] for o in usable), default=float("nan")),
                "median_ratio": _median([o["ratios"].get(ab_target(scenario)) for o in usable]),
                "named": Counter(name for o in usable for name in o["regressed"]),
            }
        )
    return rows


def ab_target(scenario: dict) -> str:
    """The test whose ratio tells how large the scenario's slowdown looked."""
    switches = scenario["inject"]
    if switches and switches[0].startswith("vectorized="):
        return "vectorized"
    return "all backends"


def _median(values: list) -> float:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else float("nan")


def table(document: dict) -> list[str]:
    context = document["context"]
    minutes = sum(o["seconds"] for o in document["outcomes"]) / 60
    # Trials before the pairs were counted ran one pair of workers per phase.
    pairs = context.get("workers", 1)
    lines = [
        f"{context['cpu']}, {context['started'][:10]}: `{context['command'].strip()}` "
        f"(base `{context['base'][:12]}`; {len(document['outcomes'])} checks in {minutes:.0f} "
        f"minutes, each in fresh processes, {pairs} pair{'s' if pairs > 1 else ''} of workers "
        "per phase). Measured slowdown: the check's own estimate for the slowed backend, or "
        "for all backends at once.",
        "",
        "| scenario | checks | alarms | rate | measured slowdown (median) | failed tests "
        "(times) | longest check |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in counts(document):
        rate = f"{row['alarms'] / row['checks']:.0%}" if row["checks"] else "–"
        kind = "false alarms" if not row["expect_alarm"] else "detections"
        named = ", ".join(f"{name} ({n})" for name, n in row["named"].most_common())
        lines.append(
            f"| {row['scenario']} | {row['checks']} | {row['alarms']} {kind} | {rate} | "
            f"{row['median_ratio']:.3f}x | {named or '–'} | {row['longest_s']:.0f} s |"
        )
    ladder_table = ladder_lines(document)
    if ladder_table:
        lines += ["", *ladder_table]
    offsets = aa_offsets(document)
    if offsets:
        lines += [
            "",
            "A/A, one check's first-phase head/base ratio per test (lowest to highest; standard "
            "deviation of its logarithm), with nothing changed: "
            + ", ".join(
                f"{test} {low:.2f}x-{high:.2f}x ({spread:.1%})"
                for test, (low, high, spread) in offsets.items()
            )
            + ".",
        ]
    return lines


def aa_offsets(document: dict) -> dict[str, tuple[float, float, float]]:
    """Per test of the A/A checks (base and head the same commit): the lowest and highest
    head/base ratio one check's first phase measured, and the standard deviation of their
    logarithms: how far one phase's processes move a backend with nothing changed."""
    ratios: dict[str, list[float]] = {}
    for outcome in document["outcomes"]:
        if outcome["scenario"].startswith("A/A") and outcome["exit"] != 2:
            for test, ratio in outcome["ratios"].items():
                ratios.setdefault(test, []).append(ratio)
    spreads = {
        test: (min(values), max(values), statistics.stdev(map(math.log, values)))
        for test, values in ratios.items()
        if len(values) >= 2
    }
    return dict(sorted(spreads.items(), key=lambda item: -item[1][2]))


# A slowdown is within a machine's reach when the check finds it in at least 9 checks of 10.
DETECTED_SHARE = 0.9


class Rung(NamedTuple):
    """One step of the ladder: every backend slowed by factor; how often each test found it."""

    factor: float
    checks: int
    detections: dict[str, int]  # test (a backend, or all backends) -> checks that alarmed


def ladder(document: dict) -> list[Rung]:
    """The rungs a trials file holds (scenarios slowing every backend alike), smallest first."""
    rungs = []
    for scenario in document["scenarios"]:
        inject = scenario.get("inject") or []
        if len(inject) != 1 or not inject[0].startswith("*="):
            continue
        usable = [
            o for o in document["outcomes"] if o["scenario"] == scenario["name"] and o["exit"] != 2
        ]
        tests = {test for o in usable for test in o["ratios"]}
        detections = {test: sum(test in o["regressed"] for o in usable) for test in sorted(tests)}
        rungs.append(Rung(float(inject[0].removeprefix("*=")), len(usable), detections))
    return sorted(rungs)


def floors(rungs: list[Rung]) -> dict[str, float | None]:
    """Per test, the smallest factor from which every rung up was detected in at least
    DETECTED_SHARE of its checks (None: not even the largest)."""
    tests = sorted({test for rung in rungs for test in rung.detections})
    found = {}
    for test in tests:
        floor = None
        for rung in reversed(rungs):
            seen = rung.checks and rung.detections.get(test, 0) / rung.checks >= DETECTED_SHARE
            if not seen:
                break
            floor = rung.factor
        found[test] = floor
    return found


def ladder_lines(document: dict) -> list[str]:
    """The ladder as a Markdown table: detections per rung and test, and each test's floor."""
    rungs = ladder(document)
    if not rungs:
        return []
    floor = floors(rungs)
    order = sorted(floor, key=lambda test: (floor[test] is None, floor[test] or 0, test))
    head = " | ".join(f"{rung.factor:.2f}x" for rung in rungs)
    context = document["context"]
    settings = (
        f" (each check with --threshold {context['threshold']:g} --floor {context['floor']:g})"
        if "threshold" in context
        else ""
    )
    lines = [
        f"Every backend slowed alike{settings}, per test: checks that found it, of "
        f"{'/'.join(str(rung.checks) for rung in rungs)}; the floor is the smallest slowdown "
        f"found in at least {DETECTED_SHARE:.0%} of checks from there up.",
        "",
        f"| test | {head} | floor |",
        "|---|" + "---|" * (len(rungs) + 1),
    ]
    for test in order:
        cells = " | ".join(f"{rung.detections.get(test, 0)}/{rung.checks}" for rung in rungs)
        seen = f"{floor[test]:.2f}x" if floor[test] else f"over {rungs[-1].factor:.2f}x"
        lines.append(f"| {test} | {cells} | {seen} |")
    return lines
