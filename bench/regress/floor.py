"""What the check cannot see on this machine: the floor its trials' ladder measured here.

The ladder (``python -m bench trials --ladder``) slows every backend by 1.02x to 1.10x and
counts, per test, the checks that found it; the floor is the smallest slowdown found in at
least 9 checks of 10 from there up (``bench.analysis.trials.floors``). A ladder counts for
this machine when it was measured on the same CPU model: the user's own trials file first,
then ours (``results/runs.toml``). docs/regression.md, "The smallest slowdown it sees".
"""

import json
from pathlib import Path

from .. import index
from ..analysis.trials import floors, ladder
from ..settings import YOUR_RESULTS
from .paired import ALL

YOUR_TRIALS = Path(YOUR_RESULTS) / "regress-trials.json"


def ladder_here(cpu: str, yours: Path = YOUR_TRIALS) -> tuple[Path, dict] | None:
    """The first trials file with a ladder measured on this CPU model: yours, then ours."""
    candidates = [yours] + [trials.path for trials in index.load().trials]
    for path in candidates:
        try:
            document = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if document.get("context", {}).get("cpu") == cpu and ladder(document):
            return path, document
    return None


def floor_lines(cpu: str, yours: Path = YOUR_TRIALS) -> list[str]:
    """Per test, the smallest slowdown this check sees here, from the ladder of this CPU
    model (or how to measure one)."""
    found = ladder_here(cpu, yours)
    if found is None:
        return [
            f"No ladder measured on this CPU ({cpu}): `python -m bench trials --ladder` finds "
            "the smallest slowdown this check sees here, per backend."
        ]
    path, document = found
    rungs = ladder(document)
    checks = "/".join(str(rung.checks) for rung in rungs)
    context = document["context"]
    threshold = f", --threshold {context['threshold']:g}" if "threshold" in context else ""
    lines = [
        f"The smallest slowdown this check finds in ≥ 9 of 10 checks on this CPU (ladder "
        f"{rungs[0].factor:.2f}x-{rungs[-1].factor:.2f}x{threshold}, {checks} checks per rung, "
        f"{path}); a smaller one is not reliably detectable here, whatever the threshold:"
    ]
    for test, floor in sorted(floors(rungs).items(), key=_order):
        seen = f"{floor:.2f}x" if floor else f"over {rungs[-1].factor:.2f}x, the largest rung"
        lines.append(f"  {test}: {seen}")
    return lines


def _order(item: tuple[str, float | None]) -> tuple:
    test, floor = item
    return (test == ALL, floor or float("inf"), test)
