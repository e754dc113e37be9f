"""Verdicts on the course's claims: cost models, regimes, and where each claim holds.

Everything here is computed from a run's tidy table; nothing is measured again.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import cost_model
from ..claims import BAND_FACTOR, CLAIMS, COURSE_BASELINE, Claim
from ..cost_model import CostModel
from ..records import Status
from ..results import Run
from ..units import format_ratio, format_seconds
from .speedups import speedups

# A per-example term is kept only when it cuts the fit's relative error by this factor
# and by at least this much absolute (rms relative error).
CLEARLY_BETTER = 0.75
NOTICEABLY = 0.01
MIN_POINTS_TO_FIT = 3
# Share of a step's modelled time that makes it "overhead-bound".
OVERHEAD_SHARE = 0.5
# Share of the read bandwidth (bytes of X moved per second) that makes it "memory-bound".
BANDWIDTH_SHARE = 0.5


CLASSES = ("holds", "fails", "inconclusive")


def classify(low: float, high: float, lower: float, upper: float = np.inf) -> str:
    """holds: the whole interval inside [lower, upper]; fails: all of it outside; else
    inconclusive (also where there is no interval)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "inconclusive"
    if lower <= low and high <= upper:
        return "holds"
    if high < lower or low > upper:
        return "fails"
    return "inconclusive"


def fit_models(table: pd.DataFrame) -> dict[str, CostModel | str]:
    """Per backend, the cost model, or why there is none."""
    models = {}
    for backend, rows in table[table["status"] == Status.MEASURED].groupby("backend", sort=False):
        if len(rows) < MIN_POINTS_TO_FIT:
            models[backend] = f"too few measured points to fit ({len(rows)})"
            continue
        data = (rows["m"], rows["n_x"], rows["median_s"])
        simple = cost_model.fit(*data, terms=("overhead_s", "per_element_s"))
        full = cost_model.fit(*data)
        gain = simple.rms_relative_error - full.rms_relative_error
        better = (
            full.rms_relative_error < CLEARLY_BETTER * simple.rms_relative_error
            and gain > NOTICEABLY
        )
        models[backend] = full if better else simple
    return models


def regime(
    model: CostModel,
    m: int,
    n_x: int,
    seconds: float,
    bandwidth_Bps: float | None,
    passes: int = 1,
    cache_bytes: int | None = None,
    itemsize: int = 8,
) -> str:
    """What limits one step: fixed/per-example overhead, memory, or the work per element.

    Memory-bound needs X to be larger than the last-level cache (where that size
    is known) and to stream at over BANDWIDTH_SHARE of the measured read bandwidth.
    """
    predicted = model.predict(m, n_x)
    if (model.overhead_s + model.per_example_s * m) > OVERHEAD_SHARE * predicted:
        return "overhead-bound"
    x_bytes = itemsize * m * n_x
    in_cache = cache_bytes is not None and x_bytes <= cache_bytes
    if (
        not in_cache
        and bandwidth_Bps
        and passes * x_bytes / seconds > BANDWIDTH_SHARE * bandwidth_Bps
    ):
        return "memory-bound"
    return "compute-bound"


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    # m, n_x, speedup, low, high, class ("~Nx" reading), class_at_least, holds (speedup ≥ N),
    # regime; measured points only
    points: pd.DataFrame
    statement: str
    reasons: list[str]

    def count(self, reading: str = "class") -> dict[str, int]:
        """How many points each class has, under one reading ("class" or "class_at_least")."""
        counts = self.points[reading].value_counts()
        return {name: int(counts.get(name, 0)) for name in CLASSES}


def _where(row) -> str:
    return f"m={int(row.m):,}, n_x={int(row.n_x):,}"


def _classes(claim: Claim, points: pd.DataFrame) -> str:
    lower, upper = claim.band
    about = Verdict(claim, points, "", []).count("class")
    at_least = Verdict(claim, points, "", []).count("class_at_least")

    def counted(counts: dict[str, int]) -> str:
        return ", ".join(f"{name} at {n}" for name, n in counts.items())

    return (
        f"Read as {lower:g}x-{upper:g}x: {counted(about)} of {len(points)} points. Read as "
        f'"at least {claim.factor:g}x": {counted(at_least)} (95% intervals).'
    )


def _statement(claim: Claim, points: pd.DataFrame) -> str:
    return f"{_medians(claim, points)} {_classes(claim, points)}"


def _medians(claim: Claim, points: pd.DataFrame) -> str:
    low, high = points["speedup"].min(), points["speedup"].max()
    span = f"{low:.3g}x to {high:.3g}x"
    if low >= claim.factor:
        return f"The speedup is at least {claim.factor:g}x at every measured point ({span})."
    if high < claim.factor:
        return f"The speedup stays below {claim.factor:g}x at every measured point ({span})."
    return (
        f"The speedup reaches {claim.factor:g}x at {points['holds'].sum()} of {len(points)} "
        f"measured points ({span}): the claim is one point on a curve."
    )


def _per_multiply_add(points: pd.DataFrame, regime_name: str) -> float:
    here = points[points["regime"] == regime_name]
    return float((here["seconds"] / (2 * here["m"] * here["n_x"])).median())


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.3g}x" if denominator > 0 else "no finite value"


def _reasons(claim: Claim, models: dict, points: pd.DataFrame) -> list[str]:
    base, own = models.get(claim.baseline), models.get(claim.backend)
    if not isinstance(base, CostModel) or not isinstance(own, CostModel):
        return ["No cost model could be fitted for both backends, so no explanation is given."]
    name, base_name = claim.backend, claim.baseline
    peak = points.loc[points["speedup"].idxmax()]
    reasons = [
        f"Per multiply-add, {base_name} costs {base.per_element_s / 2 * 1e9:.3g} ns: every one "
        f"goes through the interpreter. In the fitted model {name} costs "
        f"{own.per_element_s / 2 * 1e9:.3g} ns (fit error {own.rms_relative_error:.0%}), a "
        f"ratio of {_ratio(base.per_element_s, own.per_element_s)} for large problems. The highest "
        f"measured speedup, {peak.speedup:.3g}x at {_where(peak)}, is where {name} is "
        f"{peak.regime}.",
        f"{name} pays {format_seconds(own.overhead_s)} per step plus "
        f"{format_seconds(own.per_example_s)} per example whatever n_x is; {base_name} pays "
        f"{format_seconds(base.overhead_s)} plus {format_seconds(base.per_example_s)} per example. "
        f"Where that overhead is most of {name}'s time "
        f"({(points['regime'] == 'overhead-bound').sum()} points), the speedup stays far below "
        f"the per-element ratio.",
    ]
    if own.per_example_s > base.per_example_s and base.per_element_s > own.per_element_s:
        break_even = (own.per_example_s - base.per_example_s) / (
            base.per_element_s - own.per_element_s
        )
        reasons.append(
            f"Per example, {name}'s fixed cost exceeds {base_name}'s, so {name} is slower than "
            f"{base_name} below about n_x = {break_even:.3g} features, whatever m is."
        )
    memory = points[points["regime"] == "memory-bound"]
    if len(memory):
        compute = points[points["regime"] == "compute-bound"]
        passes = int(points["passes_over_x"].iloc[0])
        comparison = (
            f" against {_per_multiply_add(points, 'compute-bound') * 1e9:.3g} ns where it is "
            f"compute-bound (X in cache); the median speedup is {memory['speedup'].median():.3g}x "
            f"there against {compute['speedup'].median():.3g}x"
            if len(compute)
            else ""
        )
        reasons.append(
            f"At {len(memory)} of the largest points {name} is memory-bound: X does not fit in "
            f"the last-level cache and is read from memory {passes} time(s) per step at over "
            f"{BANDWIDTH_SHARE:.0%} of the measured read bandwidth. It costs "
            f"{_per_multiply_add(points, 'memory-bound') * 1e9:.3g} ns per multiply-add there"
            f"{comparison}."
        )
    return reasons


def verdict(
    claim: Claim,
    table: pd.DataFrame,
    models: dict,
    bandwidth_Bps: float | None,
    cache_bytes: int | None = None,
) -> Verdict:
    points = speedups(table, claim.backend, claim.baseline)
    points = points[~points["predicted"]].drop(columns="predicted").reset_index(drop=True)
    if points.empty:
        raise ValueError(f"no point where both {claim.backend} and {claim.baseline} were measured")
    points["holds"] = points["speedup"] >= claim.factor
    points["class"] = [classify(r.low, r.high, *claim.band) for r in points.itertuples()]
    points["class_at_least"] = [classify(r.low, r.high, claim.factor) for r in points.itertuples()]
    own = models.get(claim.backend)
    points["regime"] = [
        regime(own, r.m, r.n_x, r.seconds, bandwidth_Bps, r.passes_over_x, cache_bytes, r.itemsize)
        if isinstance(own, CostModel)
        else "unknown"
        for r in points.itertuples()
    ]
    return Verdict(claim, points, _statement(claim, points), _reasons(claim, models, points))


def extreme(points: pd.DataFrame, which: str) -> str:
    row = points.loc[points["speedup"].idxmax() if which == "max" else points["speedup"].idxmin()]
    return f"{format_ratio(row.speedup)}x at {_where(row)}"


def size_where_claim_holds(points: pd.DataFrame) -> float:
    """Smallest m·n_x from which on the claim holds at every measured point (nan if never)."""
    sizes = points.assign(size=points["m"] * points["n_x"])
    failing = sizes.loc[~sizes["holds"], "size"]
    holding = sizes.loc[
        sizes["holds"] & (sizes["size"] > (failing.max() if len(failing) else 0)), "size"
    ]
    return float(holding.min()) if len(holding) else np.nan


@dataclass(frozen=True)
class NoVerdict:
    """Why a claim has no verdict; ``left_out``: its backends were not in the run (the user's
    choice, nothing wrong), as against a verdict that could not be made."""

    why: str
    left_out: bool = False


def judge(
    table: pd.DataFrame,
    models: dict | None = None,
    bandwidth_Bps: float | None = None,
    cache_bytes: int | None = None,
) -> tuple[list[Verdict], dict[str, NoVerdict]]:
    """The verdict on each claim whose backends were run; for the others, why there is none."""
    models = fit_models(table) if models is None else models
    verdicts, failures = [], {}
    for claim in CLAIMS:
        absent = {claim.backend, claim.baseline} - set(table["backend"])
        if absent:
            failures[claim.name] = NoVerdict(f"{', '.join(sorted(absent))} not in this run", True)
            continue
        try:
            verdicts.append(verdict(claim, table, models, bandwidth_Bps, cache_bytes))
        except ValueError as exc:
            failures[claim.name] = NoVerdict(str(exc))
    return verdicts, failures


@dataclass(frozen=True)
class Judged:
    """One run judged once: its cost models, verdicts and the claims without one. Every
    section of a report reads these rather than judging the run again."""

    run: Run
    models: dict
    verdicts: list[Verdict]
    failures: dict[str, NoVerdict]


def judge_run(run: Run) -> Judged:
    models = fit_models(run.table)
    verdicts, failures = judge(run.table, models, run.bandwidth_Bps, run.cache_bytes)
    return Judged(run, models, verdicts, failures)


def verdict_document(verdicts: list[Verdict]) -> dict:
    """results/verdict.json: every claim against every baseline, point by point."""
    columns = ["m", "n_x", "speedup", "low", "high", "class", "class_at_least"]

    def point(row: dict) -> dict:
        return {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}

    return {
        "confidence": 0.95,
        "band_factor": BAND_FACTOR,
        "course_baseline": COURSE_BASELINE,
        "claims": [
            {
                "label": v.claim.label,
                "backend": v.claim.backend,
                "baseline": v.claim.baseline,
                "factor": v.claim.factor,
                "band": list(v.claim.band),
                "counts": v.count("class"),
                "counts_at_least": v.count("class_at_least"),
                "points": [point(r) for r in v.points[columns].to_dict("records")],
            }
            for v in verdicts
        ],
    }
