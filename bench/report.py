"""python -m bench.report: charts and results/REPORT.md from an existing results file.

Reads only the result file; measures nothing. ``nox -s report`` runs it, and
``nox -s bench`` ends with it.
"""

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from . import plots
from .analysis import (
    CLAIMS,
    TARGET_POINT,
    Verdict,
    compiled_targets,
    extreme,
    fit_models,
    region_text,
    roofline,
    size_where_claim_holds,
    verdict,
)
from .cost_model import CostModel
from .results import ResultsError, load_run, run_settings, tidy, write_atomic
from .sweep_state import format_seconds


def _gbps(value) -> str:
    return f"{value / 1e9:.3g} GB/s" if value else "not measured"


def machine_section(facts: dict, run: dict) -> list[str]:
    blas = facts.get("blas") or [{}]
    bandwidth = facts.get("read_bandwidth") or {}
    rows = [
        (
            "CPU",
            f"{facts.get('cpu_model', '?')}, {facts.get('cpu_count', '?')} cores, SIMD: "
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
            f"{_gbps(bandwidth.get('one_thread_Bps'))} on 1 thread, "
            f"{_gbps(bandwidth.get('all_threads_Bps'))} on "
            f"{bandwidth.get('threads', '?')}",
        ),
        (
            "Environment",
            ", ".join(f"`{k}={v}`" for k, v in facts.get("environment", {}).items())
            or "no BLAS, OpenMP, numba or malloc variables set",
        ),
        (
            "Run",
            f"{run.get('datetime', '?')}, commit {run.get('commit_info', {}).get('id', '?')[:8]}",
        ),
    ]
    lines = ["## Machine", "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    lines += [""] + [f"> **Warning:** {w}" for w in facts.get("warnings", [])]
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


def roofline_section(table: pd.DataFrame, facts: dict) -> list[str]:
    cache = (facts.get("cache_bytes") or {}).get("L3")
    where = (
        f"X is larger than the {cache / 2**20:.3g} MiB last-level cache" if cache else "all points"
    )
    lines = [
        "## Memory roofline",
        "",
        f"Best rate at which each backend gets through X where {where}, and the memory traffic "
        "that implies (vectorized reads X twice per step, the others once), as a share of the "
        "read bandwidth measured by the streaming probe.",
        "",
        "| backend | points | best bytes of X per second | memory traffic | share of 1-thread "
        "bandwidth | share of all-threads bandwidth |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {backend} | {int(r.points)} | {_gbps(r.best_Bps)} | {_gbps(r.traffic_Bps)} | "
        f"{r.share_of_one_thread:.0%} | {r.share_of_all_threads:.0%} |"
        for backend, r in roofline(table, facts).iterrows()
    ]
    return lines


def targets_section(runs: dict[Path, dict]) -> list[str]:
    """The compiled backends' targets, judged in every run (each on its own thread count)."""
    met = {True: "yes", False: "**no**", None: "not measured"}
    lines = [
        "## Targets for the compiled backends",
        "",
        "| run | target | measured | met |",
        "| --- | --- | --- | --- |",
    ]
    for path, run in runs.items():
        facts = run.get("machine_info", {}).get("lrbench", {})
        lines += [
            f"| {_run_label(run)} (`{path}`) | {target} | {measured} | {met[ok]} |"
            for target, measured, ok in compiled_targets(tidy(run), facts)
        ]
    return lines


def _run_label(run: dict) -> str:
    settings = run_settings(run)
    return f"{settings.get('dtype', 'float64')}, {settings.get('threads', '?')} thread(s)"


def variants_section(runs: dict[Path, dict]) -> list[str]:
    """Each run's time per step at the target point, side by side (float32, more threads…)."""
    m, n_x = TARGET_POINT
    columns = {}
    for path, run in runs.items():
        table = tidy(run)
        here = table[(table["m"] == m) & (table["n_x"] == n_x)].set_index("backend")
        columns[f"{_run_label(run)} (`{path}`)"] = {
            backend: (
                f"{format_seconds(r.median_s)} ({r.speedup_vs_two_loop:.3g}x)"
                if r.status == "measured" and r.speedup_vs_two_loop == r.speedup_vs_two_loop
                else format_seconds(r.median_s)
                if r.status == "measured"
                else r.status
            )
            for backend, r in here.iterrows()
        }
    backends = list(dict.fromkeys(b for column in columns.values() for b in column))
    lines = [
        f"## Variants: time per step at m={m:,}, n_x={n_x:,}",
        "",
        "Median time per step, and in brackets the speedup over two_loop in the same run. "
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


def build(results: Path, plots_dir: Path, report: Path, also: tuple[Path, ...] = ()) -> list[str]:
    """Make every chart and the report; returns the problems (charts or verdicts not made).

    ``also``: further result files (another dtype or thread count) shown beside
    this one in the variants table.
    """
    run = load_run(results)
    others = {path: load_run(path) for path in also}
    table = tidy(run)
    if (table["status"] == "measured").sum() < 2:
        raise ResultsError(f"{results}: fewer than 2 measured points; nothing to chart or compare")
    facts = run.get("machine_info", {}).get("lrbench", {})
    problems = []
    charts = {}
    for name, chart in plots.CHARTS.items():
        try:
            charts[name] = plots.save(chart(table, facts), plots_dir, name)
        except Exception as exc:  # one chart failing must not stop the others
            problems.append(f"chart {name} was not made: {exc}")
    models = fit_models(table)
    bandwidth = (facts.get("read_bandwidth") or {}).get("one_thread_Bps")
    cache = (facts.get("cache_bytes") or {}).get("L3")
    verdicts, failures = [], {}
    for claim in CLAIMS:
        absent = {claim.backend, claim.baseline} - set(table["backend"])
        if absent:  # the user left a backend out of this run: nothing to judge, nothing wrong
            failures[claim.label] = f"{', '.join(sorted(absent))} not in this run"
            continue
        try:
            verdicts.append(verdict(claim, table, models, bandwidth, cache))
        except ValueError as exc:
            failures[claim.label] = str(exc)
            problems.append(f"verdict on {claim.label} was not made: {exc}")
    relative = Path(os.path.relpath(plots_dir, report.parent))
    lines = [
        "# Report: does vectorizing the gradient step pay?",
        "",
        f"From `{results}`: {(table['status'] == 'measured').sum()} points measured, "
        f"{(table['status'] != 'measured').sum()} skipped. Regenerate with `nox -s report`.",
        "",
        *verdict_section(verdicts, failures),
        "",
        *cost_model_section(models),
        "",
        *roofline_section(table, facts),
        "",
        *targets_section({results: run, **others}),
        "",
        *variants_section({results: run, **others}),
        "",
        "## Charts",
        "",
    ]
    lines += [f"![{name}]({relative / path.name})" for name, path in charts.items()]
    lines += [f"- {p}" for p in problems if p.startswith("chart")]
    lines += ["", *machine_section(facts, run), "", *skipped_section(table), ""]
    report.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(report, "\n".join(lines))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.report",
        description="Draw the charts and write the report from an existing results file "
        "(measures nothing).",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=Path("results/latest.json"),
        help="a results file written by python -m bench (default: %(default)s)",
    )
    parser.add_argument(
        "--plots-dir",
        type=Path,
        default=Path("plots"),
        help="where the charts go (default: %(default)s)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=Path("results/REPORT.md"),
        help="the report to write (default: %(default)s)",
    )
    parser.add_argument(
        "--also",
        type=Path,
        action="append",
        default=[],
        metavar="RESULTS",
        help="another results file (e.g. a float32 or 2-thread run) to show beside this one; "
        "may be repeated",
    )
    args = parser.parse_args(argv)
    try:
        problems = build(args.results, args.plots_dir, args.report, tuple(args.also))
    except ResultsError as exc:
        print(f"python -m bench.report: error: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"python -m bench.report: {problem}", file=sys.stderr)
    print(f"Wrote {args.report} and the charts in {args.plots_dir}/.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
