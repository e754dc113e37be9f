"""REPORT.md: verdicts, cost models, roofline, targets, variants and charts of a run.

Reads runs and the analyses of them; measures nothing.
"""

import os
from pathlib import Path

import pandas as pd

from ..analysis.roofline import TARGET_POINT, compiled_targets, roofline
from ..analysis.speedups import with_speedups
from ..analysis.verdicts import (
    CLAIMS,
    Verdict,
    extreme,
    fit_models,
    region_text,
    size_where_claim_holds,
    verdict,
)
from ..cost_model import CostModel
from ..results import ResultsError, Run, write_atomic
from ..units import format_rate, format_seconds
from . import charts


def machine_section(run: Run) -> list[str]:
    facts = run.facts
    blas = facts["blas"] or [{}]
    bandwidth = facts.get("read_bandwidth") or {}
    rows = [
        (
            "CPU",
            f"{run.cpu}, {facts['cpu_count']} cores, SIMD: "
            f"{', '.join(facts.get('cpu_simd', [])) or '?'}",
        ),
        (
            "Python, numpy, numba",
            f"{facts.get('python', '?')}, "
            + ", ".join(f"{k} {v}" for k, v in facts.get("versions", {}).items()),
        ),
        (
            "BLAS",
            "; ".join(
                f"{b.get('library')} ({b.get('internal_api')} {b.get('version')}, "
                f"{b.get('architecture')} kernel, {b.get('num_threads')} thread(s))"
                for b in blas
            ),
        ),
        (
            "Threads (BLAS and numba)",
            f"{facts.get('threads_requested', '?')} requested; numba "
            f"{facts.get('numba_threads', '?')}",
        ),
        (
            "Memory read bandwidth",
            f"{format_rate(bandwidth.get('one_thread_Bps'))} on 1 thread, "
            f"{format_rate(bandwidth.get('all_threads_Bps'))} on "
            f"{bandwidth.get('threads', '?')}",
        ),
        (
            "Environment",
            ", ".join(f"`{k}={v}`" for k, v in facts.get("environment", {}).items())
            or "no BLAS, OpenMP, numba or malloc variables set",
        ),
        (
            "Run",
            f"{run.document.get('datetime', '?')}, commit "
            f"{run.document.get('commit_info', {}).get('id', '?')[:8]}, schema version "
            f"{run.schema_version}",
        ),
    ]
    lines = ["## Machine", "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    lines += [""] + [f"> **Warning:** {w}" for w in facts["warnings"]]
    return lines


def verdict_section(verdicts: list[Verdict], failures: dict[str, str]) -> list[str]:
    lines = [
        "## Verdict on the course note's claims",
        "",
        "| claim | compared | measured speedup range | holds at | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {v.claim.label} | {v.claim.backend} vs {v.claim.baseline} | "
        f"{extreme(v.points, 'min')} … {extreme(v.points, 'max')} | "
        f"{len(v.holds)} of {len(v.points)} points | {v.statement} |"
        for v in verdicts
    ]
    for v in verdicts:
        threshold = size_where_claim_holds(v.points)
        spread = (v.points["high"] / v.points["low"]).median()
        lines += [
            "",
            f"### {v.claim.label}: {v.claim.backend} vs {v.claim.baseline}",
            "",
            v.statement,
            "",
            f"- Holds (speedup ≥ {v.claim.factor:g}x) at: {region_text(v.holds)}.",
            f"- Fails at: {region_text(v.fails)}.",
            (
                "- From m·n_x = " + f"{threshold:,.0f} on, it holds at every measured point."
                if threshold == threshold
                else "- There is no size from which on it always holds."
            ),
            f"- Regimes of {v.claim.backend} at these points: "
            + ", ".join(f"{n} {r}" for r, n in v.points["regime"].value_counts().items())
            + ".",
            f"- Spread: the quartile range of a speedup spans a factor of {spread:.3g} (median "
            "over points); the verdicts above use medians.",
            "",
            "Why:",
            "",
        ]
        lines += [f"- {reason}" for reason in v.reasons]
    lines += [f"\n**{name}**: no verdict: {why}" for name, why in failures.items()]
    return lines


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}"


def cost_model_section(models: dict) -> list[str]:
    lines = [
        "## Cost model: t ≈ a + p·m + c·m·n_x",
        "",
        "Fitted to each backend's medians by least relative squares, coefficients ≥ 0; the "
        "per-example term p is kept only where it fits clearly better. One element of X "
        "takes two multiply-adds (one for z, one for dw), so c/2 is the cost per multiply-add.",
        "",
        "| backend | a: fixed overhead (µs) | p: per example (ns) | c/2: per multiply-add "
        "(ns) | fit error (rms, relative) | points |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for backend, model in models.items():
        if isinstance(model, CostModel):
            lines.append(
                f"| {backend} | {_number(model.overhead_s * 1e6)} | "
                f"{_number(model.per_example_s * 1e9)} | "
                f"{_number(model.per_element_s / 2 * 1e9)} | "
                f"{model.rms_relative_error:.1%} | {model.points} |"
            )
        else:
            lines.append(f"| {backend} | {model} | | | | |")
    return lines


def roofline_section(run: Run) -> list[str]:
    cache = run.cache_bytes
    where = (
        f"X is larger than the {cache / 2**20:.3g} MiB last-level cache" if cache else "all points"
    )
    lines = [
        "## Memory roofline",
        "",
        f"Best rate at which each backend gets through X where {where}, and the memory traffic "
        "that implies (X read as many times per step as the backend's contract says), as a "
        "share of the read bandwidth measured by the streaming probe.",
        "",
        "| backend | points | best bytes of X per second | reads of X per step | memory traffic "
        "| share of 1-thread bandwidth | share of all-threads bandwidth |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {backend} | {int(r.points)} | {format_rate(r.best_Bps)} | {int(r.passes_over_x)} | "
        f"{format_rate(r.traffic_Bps)} | {r.share_of_one_thread:.0%} | "
        f"{r.share_of_all_threads:.0%} |"
        for backend, r in roofline(run.table, run.facts.get("read_bandwidth"), cache).iterrows()
    ]
    return lines


def targets_section(runs: list[Run]) -> list[str]:
    """The compiled backends' targets, judged in every run (each on its own thread count)."""
    met = {True: "yes", False: "**no**", None: "not measured"}
    lines = [
        "## Targets for the compiled backends",
        "",
        "| run | target | measured | met |",
        "| --- | --- | --- | --- |",
    ]
    for run in runs:
        targets = compiled_targets(run.table, run.threads, run.bandwidth_Bps, run.cache_bytes)
        lines += [
            f"| {run.label} (`{run.source}`) | {target} | {measured} | {met[ok]} |"
            for target, measured, ok in targets
        ]
    return lines


def variants_section(runs: list[Run], reference: str) -> list[str]:
    """Each run's time per step at the target point, side by side (float32, more threads…)."""
    m, n_x = TARGET_POINT
    columns = {}
    column = f"speedup_vs_{reference}"
    for run in runs:
        table = with_speedups(run.table, [reference])
        here = table[(table["m"] == m) & (table["n_x"] == n_x)].set_index("backend")
        columns[f"{run.label} (`{run.source}`)"] = {
            backend: _time_and_speedup(row, column) for backend, row in here.iterrows()
        }
    backends = list(dict.fromkeys(b for column in columns.values() for b in column))
    lines = [
        f"## Variants: time per step at m={m:,}, n_x={n_x:,}",
        "",
        f"Median time per step, and in brackets the speedup over {reference} in the same run. "
        "Within one run BLAS and numba use the same number of threads, so vectorized and "
        "numba_parallel are compared on equal terms.",
        "",
        "| backend | " + " | ".join(columns) + " |",
        "| --- | " + " | ".join("---:" for _ in columns) + " |",
    ]
    lines += [
        f"| {backend} | " + " | ".join(c.get(backend, "not run") for c in columns.values()) + " |"
        for backend in backends
    ]
    return lines


def skipped_section(table: pd.DataFrame) -> list[str]:
    skipped = table[table["status"] != "measured"]
    if skipped.empty:
        return ["## Skipped points", "", "None: every point of the grid was measured."]
    lines = [
        "## Skipped points",
        "",
        f"{len(skipped)} of {len(table)} points were not run. Predicted times are predictions "
        "from the cost model of the points measured before them, not measurements.",
        "",
        "| backend | m | n_x | reason |",
        "| --- | ---: | ---: | --- |",
    ]
    lines += [f"| {r.backend} | {r.m:,} | {r.n_x:,} | {r.reason} |" for r in skipped.itertuples()]
    return lines


def _time_and_speedup(row: pd.Series, column: str) -> str:
    if row.status != "measured":
        return row.status
    speedup = row[column]
    text = format_seconds(row.median_s)
    return f"{text} ({speedup:.3g}x)" if pd.notna(speedup) else text


def _verdicts(run: Run, models: dict) -> tuple[list[Verdict], dict[str, str]]:
    """The verdict on each claim whose backends were run; for the others, why there is none."""
    verdicts, failures = [], {}
    for claim in CLAIMS:
        absent = {claim.backend, claim.baseline} - set(run.table["backend"])
        if absent:  # the user left a backend out of this run: nothing to judge, nothing wrong
            failures[claim.label] = f"{', '.join(sorted(absent))} not in this run"
            continue
        try:
            verdicts.append(verdict(claim, run.table, models, run.bandwidth_Bps, run.cache_bytes))
        except ValueError as exc:
            failures[claim.label] = str(exc)
    return verdicts, failures


def _charts(run: Run, plots_dir: Path, reference: str) -> tuple[dict[str, Path], list[str]]:
    made, problems = {}, []
    for name, chart in charts.CHARTS.items():
        try:
            made[name] = charts.save(chart(run.table, run, reference), plots_dir, name)
        except Exception as exc:  # one chart failing must not stop the others
            problems.append(f"chart {name} was not made: {exc}")
    return made, problems


def build(
    run: Run,
    plots_dir: Path,
    report: Path,
    others: tuple[Run, ...] = (),
    reference: str = "two_loop",
) -> list[str]:
    """Make every chart and the report; returns the problems (charts or verdicts not made).

    ``others``: further runs (another dtype or thread count) shown beside this
    one in the targets and variants tables.
    """
    measured = len(run.measured)
    if measured < 2:
        raise ResultsError(f"{run.source}: fewer than 2 measured points; nothing to chart")
    made, problems = _charts(run, plots_dir, reference)
    models = fit_models(run.table)
    verdicts, failures = _verdicts(run, models)
    problems += [
        f"verdict on {label} was not made: {why}"
        for label, why in failures.items()
        if "not in this run" not in why
    ]
    relative = Path(os.path.relpath(plots_dir, report.parent))
    lines = [
        "# Report: does vectorizing the gradient step pay?",
        "",
        f"From `{run.source}` ({run.label}): {measured} points measured, "
        f"{len(run.table) - measured} skipped. Regenerate with `nox -s report`.",
        "",
        *verdict_section(verdicts, failures),
        "",
        *cost_model_section(models),
        "",
        *roofline_section(run),
        "",
        *targets_section([run, *others]),
        "",
        *variants_section([run, *others], reference),
        "",
        "## Charts",
        "",
    ]
    lines += [f"![{name}]({relative / path.name})" for name, path in made.items()]
    lines += [f"- {p}" for p in problems if p.startswith("chart")]
    lines += ["", *machine_section(run), "", *skipped_section(run.table), ""]
    report.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(report, "\n".join(lines))
    return problems
