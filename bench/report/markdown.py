"""REPORT.md: verdicts, cost models, roofline, targets, variants and charts of a run.

Reads runs and the analyses of them; measures nothing.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..analysis import describe, lecture
from ..analysis.lecture import lecture_table
from ..analysis.out_of_core import dask_overhead, disk_points
from ..analysis.out_of_core import targets as out_of_core_targets
from ..analysis.placement import best_placement
from ..analysis.plans import chosen_plans, tuning_seconds
from ..analysis.roofline import (
    PEER,
    compiled_targets,
    paired_shares,
    physical_limit,
    plan_shares,
    roofline,
    step_parts,
)
from ..analysis.threads import thread_check
from ..analysis.verdicts import (
    BAND_FACTOR,
    COURSE_BASELINE,
    Judged,
    NoVerdict,
    Verdict,
    extreme,
    size_where_claim_holds,
)
from ..cost_model import CostModel
from ..files import write_atomic
from ..machine_facts import shown
from ..records import DataSource, Status
from ..results import ResultsError, Run
from ..settings import DEFAULT_REFERENCE
from ..units import format_rate, format_ratio, format_seconds, markdown_table
from . import charts
from .answer import conditions, placement_text
from .yours import yours_section

INTERVALS_LINK = "`bench/analysis/speedups.py`"
NEAR_LIMIT = 20  # backends shown beside the physical limit: within this multiple somewhere


def _cache_text(run: Run) -> str:
    reported = run.last_level_cache
    said = f"{reported[0]} {reported[1] / 2**20:.3g} MiB reported" if reported else "none reported"
    measured = run.measured_cache_bytes
    if not measured:
        return f"{said}; not measured in this run (regimes use the reported size)"
    return (
        f"{said}; {measured / 2**20:.3g} MiB measured (the largest working set read at least "
        f"{run.facts['cache_probe'].get('in_cache_factor', '?')}x faster than memory), which "
        "the regimes use"
    )


def lecture_section(run: Run) -> list[str]:
    if run.lecture.empty:
        return ["## The lecture's demo", "", "Not run in this sweep."]
    table = lecture_table(run.lecture)
    names = {
        "loop_over_numpy": "`for` loop over numpy arrays (the lecture's)",
        "loop_over_list": "`for` loop over Python lists",
        "numpy_dot": "`np.dot`",
    }
    lines = [
        '## The lecture\'s demo: where "~300x" comes from',
        "",
        f"The lecture times a dot product of two {lecture.SIZE:,}-element vectors: a `for` loop "
        f"against `np.dot`, {lecture.LECTURE_MS['loop_over_numpy']:g} ms against "
        f"{lecture.LECTURE_MS['numpy_dot']:g} ms (about "
        f"{lecture.LECTURE_MS['loop_over_numpy'] / lecture.LECTURE_MS['numpy_dot']:.0f}x). "
        "Here, timed in each pass of this sweep (medians over passes, 95% intervals):",
        "",
    ]
    rows = [
        (
            names.get(row["kernel"], row["kernel"]),
            f"{format_seconds(row['seconds'])} "
            f"[{format_seconds(row['low_s'])}, {format_seconds(row['high_s'])}]",
            _with_interval(_dot_speedup(row)),
            f"{said:g} ms" if (said := lecture.LECTURE_MS.get(row["kernel"])) else "—",
        )
        for row in table.to_dict("records")
    ]
    columns = ("kernel", "time", "np.dot's speedup over it", "the lecture's time")
    return lines + markdown_table(columns, rows, "lrrr")


def _dot_speedup(row: dict) -> dict:
    return {
        k: row[f"dot_speedup{end}"]
        for k, end in (("speedup", ""), ("low", "_low"), ("high", "_high"))
    }


def machine_section(run: Run) -> list[str]:
    facts = run.facts
    rows = [
        ("CPU", f"{describe.cpu(run)}, {shown(facts, 'cpu_count')}, {shown(facts, 'cpu_simd')}"),
        ("Last-level cache", _cache_text(run)),
        ("Python, numpy, numba", f"{shown(facts, 'python')}, {shown(facts, 'versions')}"),
        ("BLAS", shown(facts, "blas")),
        (
            "Threads (BLAS and numba)",
            f"{shown(facts, 'threads_requested')}; {shown(facts, 'numba_threads')}",
        ),
        (
            "Threads used (CPU time / wall time)",
            thread_check(run.table, run.threads) or "not measured",
        ),
        ("Memory read bandwidth", shown(facts, "read_bandwidth")),
        ("Other work on the machine", conditions(run)),
        ("Environment", shown(facts, "environment")),
        ("Where X starts", placement_text(run.settings)),
        (
            "Run",
            f"{run.made}, commit {run.commit[:8]}, schema version {run.schema_version}",
        ),
    ]
    lines = ["## Machine", "", *markdown_table(("", ""), rows)]
    lines += [""] + [f"> **Warning:** {w}" for w in facts["warnings"]]
    return lines


def _counts(counts: dict[str, int]) -> str:
    return " · ".join(f"{n} {name}" for name, n in counts.items())


def _with_interval(row: dict) -> str:
    speedup = f"{format_ratio(row['speedup'])}x"
    if row["low"] == row["low"]:
        return f"{speedup} [{format_ratio(row['low'])}, {format_ratio(row['high'])}]"
    return speedup


def verdict_section(verdicts: list[Verdict], failures: dict[str, NoVerdict]) -> list[str]:
    lines = [
        "## Verdict on the course note's claims",
        "",
        f"Each speedup comes with its 95% confidence interval from the run's passes (see "
        f'{INTERVALS_LINK}). A claim "~Nx" is read as N/{BAND_FACTOR:g} to {BAND_FACTOR:g}·N '
        "(a factor of 2 is where one would round to another number on a 1-2-5 scale); the "
        'stricter reading "at least Nx" is beside it. A point **holds** when its whole '
        "interval lies inside the reading, **fails** when all of it lies outside, and is "
        "**inconclusive** otherwise. The course's loops index numpy arrays element by element: "
        f"`{COURSE_BASELINE}` is the loop the course timed; `two_loop` is the fastest honest "
        "pure-Python loop.",
        "",
    ]
    rows = [
        (
            v.claim.label,
            f"{v.claim.backend} vs {v.claim.baseline}"
            f"{' (what the course timed)' if v.claim.baseline == COURSE_BASELINE else ''}",
            f"{extreme(v.points, 'min')} … {extreme(v.points, 'max')}",
            _counts(v.count("class")),
            _counts(v.count("class_at_least")),
        )
        for v in verdicts
    ]
    columns = ("claim", "compared", "speedups (medians)", "read as ~Nx", "read as at least Nx")
    lines += markdown_table(columns, rows)
    for v in verdicts:
        threshold = size_where_claim_holds(v.points)
        width = (v.points["high"] / v.points["low"]).median()
        lines += [
            "",
            f"### {v.claim.name}",
            "",
            v.statement,
            "",
            (
                "- From m·n_x = " + f"{threshold:,.0f} on, the median speedup reaches "
                f"{v.claim.factor:g}x at every measured point."
                if threshold == threshold
                else f"- There is no size from which on the median speedup always reaches "
                f"{v.claim.factor:g}x."
            ),
            f"- Regimes of {v.claim.backend} at these points: "
            + ", ".join(f"{n} {r}" for r, n in v.points["regime"].value_counts().items())
            + ".",
            f"- Interval width (high / low), median over points: {width:.3g}.",
            "",
        ]
        rows = [
            (f"{r['m']:,}", f"{r['n_x']:,}", _with_interval(r), r["class"], r["class_at_least"])
            for r in v.points.to_dict("records")
        ]
        columns = ("m", "n_x", "speedup [95% interval]", "~Nx", "at least Nx")
        lines += markdown_table(columns, rows, "rrr")
        lines += ["", "Why:", ""]
        lines += [f"- {reason}" for reason in v.reasons]
    lines += [f"\n**{name}**: no verdict: {failure.why}" for name, failure in failures.items()]
    return lines


def placement_section(run: Run) -> list[str]:
    """Each claim's speedup at the run's placement and with X on a page boundary."""
    study = best_placement(run)
    if study.empty:
        return []
    lines = [
        "## Where X starts: this run's placement against the best",
        "",
        f"This run put X {placement_text(run.settings)}. At a few sizes, in every pass, each "
        "claim's backend was timed again right after its own point with X on a page boundary, "
        "the best placement for every kernel (and not what numpy gives): both speedups over "
        "the claim's baseline from the same passes, with 95% intervals, and the backend's time "
        "at this run's placement over its time on a page boundary.",
        "",
    ]
    rows = [
        (r.claim, f"{r.m:,}", f"{r.n_x:,}", _bytes(r.bytes_X))
        + (_with_interval({"speedup": r.at_run, "low": r.at_run_low, "high": r.at_run_high}),)
        + (_with_interval({"speedup": r.at_best, "low": r.at_best_low, "high": r.at_best_high}),)
        + (f"{r.effect:.3f}x [{r.effect_low:.3f}, {r.effect_high:.3f}]",)
        for r in study.itertuples()
    ]
    columns = ("claim", "m", "n_x", "X", "speedup, this run's placement", "on a page boundary")
    columns += ("time here / on a page boundary",)
    return lines + markdown_table(columns, rows, "lrrrrrr")


def _bytes(size: int) -> str:
    return f"{size / 1e6:.3g} MB" if size >= 1e6 else f"{size / 1e3:.3g} kB"


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
    ]
    columns = ("backend", "a: fixed overhead (µs)", "p: per example (ns)")
    columns += ("c/2: per multiply-add (ns)", "fit error (rms, relative)", "points")
    rows = [
        (
            backend,
            _number(model.overhead_s * 1e6),
            _number(model.per_example_s * 1e9),
            _number(model.per_element_s / 2 * 1e9),
            f"{model.rms_relative_error:.1%}",
            model.points,
        )
        if isinstance(model, CostModel)
        else (backend, model, "", "", "", "")
        for backend, model in models.items()
    ]
    return lines + markdown_table(columns, rows, "lrrrrr")


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
    ]
    columns = ("backend", "points", "best bytes of X per second", "reads of X per step")
    columns += ("memory traffic", "share of 1-thread bandwidth", "share of all-threads bandwidth")
    rows = [
        (backend, int(r.points), format_rate(r.best_Bps), int(r.passes_over_x))
        + (format_rate(r.traffic_Bps), f"{r.share_of_one_thread:.0%}")
        + (f"{r.share_of_all_threads:.0%}",)
        for backend, r in roofline(run.table, run.facts.get("read_bandwidth"), cache).iterrows()
    ]
    return lines + markdown_table(columns, rows, "lrrrrrr") + limit_lines(run)


def paired_roof_section(run: Run) -> list[str]:
    """The roof study: each compiled backend's share of the probe's rate, measured in the same
    rounds, and where numba_fused's step goes."""
    shares = paired_shares(run.roof)
    if shares.empty:
        return []
    m, n_x = run.roof["point"]
    lines = [
        f"## The roof, paired: m={m:,}, n_x={n_x:,}, {run.roof['dtype']}",
        "",
        f"{run.roof['rounds']} rounds, each timing the read probe and then each step on the "
        "same data, so every round gives a share of the probe's rate measured in the same "
        "minute (the probe's rate moves from minute to minute on these VMs). Share: the "
        "geometric mean over rounds, with its 95% interval.",
        "",
    ]
    columns = ("threads", "backend", "median step", "probe's median rate")
    rows = [
        (r.threads, r.backend, format_seconds(r.median_s), format_rate(r.probe_Bps))
        + (f"{r.share:.0%} [{r.low:.0%}, {r.high:.0%}]",)
        for r in shares.itertuples()
    ]
    lines += markdown_table((*columns, "share of the probe's rate"), rows, "rlrrr")
    lines += plan_lines(run.roof)
    parts = step_parts(run.roof)
    if not parts.empty:
        lines += [
            "",
            "Where numba_fused's step goes (one thread; each part the median of round-by-round "
            "differences between paired timings of the probe, the z pass alone, the z and dw "
            "passes, and the whole step):",
            "",
        ]
        rows = [
            (part, format_seconds(r.seconds), f"{r.share_of_step:.0%}")
            for part, r in parts.iterrows()
        ]
        lines += markdown_table(("part", "time", "share of the step"), rows, "lrr")
    return lines


def plan_lines(roof: dict) -> list[str]:
    """numba_fused in each candidate plan, in the same rounds, and the plan prepare chose."""
    plans = plan_shares(roof)
    if plans.empty:
        return []
    lines = [
        "",
        f"numba_fused's candidate plans, each timed in the same rounds (one thread). Chosen on "
        f"this machine: **{roof['plan']}** ({roof['plan_source']}; docs/backends.md, "
        '"Plans"):',
        "",
    ]
    rows = [
        (
            f"**{r.plan}** (chosen)" if r.chosen else r.plan,
            format_seconds(r.median_s),
            f"{r.share:.0%} [{r.low:.0%}, {r.high:.0%}]",
        )
        for r in plans.itertuples()
    ]
    return lines + markdown_table(("plan", "median step", "share of the probe's rate"), rows, "lrr")


def plans_section(run: Run) -> list[str]:
    """The plan the compiled kernels chose at each point, and the seconds spent choosing."""
    plans = chosen_plans(run.table)
    if plans.empty:
        return []
    lines = [
        "## The compiled kernels' plans",
        "",
        "Chosen on this machine for each size class at first use, by timing the candidates on "
        "a sample of X, then kept on disk for this CPU and this code (docs/backends.md, "
        f'"Plans"). Timing candidates took {tuning_seconds(run.table):.1f} s over this run, '
        "outside every timed region.",
        "",
    ]
    rows = [
        (
            f"`{r.plan}`",
            ", ".join(r.backends),
            ", ".join(f"{m:,}×{n_x:,}" for m, n_x in r.points),
        )
        for r in plans.itertuples()
    ]
    return lines + markdown_table(("plan", "backends", "points (m×n_x)"), rows, "lll")


def plan_study_lines(runs: list[Run]) -> list[str]:
    """Each of the runs whose roof study timed numba_fused in its candidate plans: the paired
    roof with every candidate, and the plan chosen at each point."""
    lines = []
    for run in runs:
        if plan_shares(run.roof).empty:
            continue
        lines += [
            f"## Plans chosen where the kernels run: {describe.label(run)}",
            "",
            f"From `{run.source}`.",
            *paired_roof_section(run)[1:],
            "",
            *plans_section(run)[1:],
            "",
        ]
    return lines


def limit_lines(run: Run) -> list[str]:
    """The physical limit at each point beyond the cache, and each backend's distance from it."""
    limits = physical_limit(run.table, run.bandwidth_Bps, run.cache_bytes)
    if limits.empty:
        return []
    # Interpreted loops stay tens to thousands of times above it: left out, they would only
    # widen the table.
    backends = [b for b in limits.columns if b != "limit_s" and limits[b].min() <= NEAR_LIMIT]
    lines = [
        "",
        f"The physical limit per point: the time to read X once at the measured read bandwidth "
        f"({format_rate(run.bandwidth_Bps)}, {run.threads} thread(s)); each backend's time as a "
        f"multiple of it (1.0x would be the memory bus and nothing else); backends within "
        f"{NEAR_LIMIT}x of it somewhere.",
        "",
    ]
    rows = [
        (f"{m:,}", f"{n_x:,}", format_seconds(row["limit_s"]))
        + tuple(f"{row[b]:.2f}x" if pd.notna(row[b]) else "–" for b in backends)
        for (m, n_x), row in limits.iterrows()
    ]
    return lines + markdown_table(("m", "n_x", "limit", *backends), rows, "r" * (3 + len(backends)))


def targets_section(runs: list[Run]) -> list[str]:
    """The compiled backends' targets, judged in every run (each on its own thread count)."""
    met = {True: "yes", False: "**no**", None: "not measured"}
    lines = [
        "## Targets for the compiled backends",
        "",
    ]
    rows, peer_won = [], False
    for run in runs:
        targets = compiled_targets(
            run.table, run.threads, run.bandwidth_Bps, run.cache_bytes, run.roof
        )
        rows += [
            (f"{describe.label(run)} (`{run.source}`)", target, measured, met[ok])
            for target, measured, ok in targets
        ]
        peer_won |= any(PEER in target and ok is False for target, _, ok in targets)
    lines += markdown_table(("run", "target", "measured", "met"), rows)
    if peer_won:
        lines += [
            "",
            f"Where `{PEER}` beats our compiled loops, XLA has fused the step's elementwise work "
            "into single loops with SIMD exp and log1p, and its matrix-vector products stream X "
            "at close to the read bandwidth, so its two reads of X can cost less than our one "
            "read plus per-example work; the physical-limit table above shows each backend's "
            "distance from one read of X at those points.",
        ]
    return lines


def out_of_core_section(runs: list[Run]) -> list[str]:
    """Each run that read a store on disk: dask's overhead in memory, its stores' share of the
    disk, targets."""
    runs = [run for run in runs if run.table["data_source"].eq(DataSource.DISK).any()]
    if not runs:
        return []
    lines = [
        "## Beyond memory: dask in memory and from disk",
        "",
        "dask steps each chunk of examples with numba_fused's kernel: in memory, what it adds "
        "to numba_fused's time is dask's own cost (building and running a few tasks per chunk). "
        "From a store (`impls.make_store`, data written chunk by chunk, never all in memory) "
        "the step is held against the disk: before each timed round the harness reads the "
        "store's files once, cold, and evicts them from the page cache, so each round has its "
        "own disk rate and the step reads from the disk, not from memory.",
    ]
    for run in runs:
        lines += ["", f"### {describe.label(run)} (`{run.source}`)", ""]
        lines += [
            f"Memory: {_gib(run.memory_total_bytes)}; disk probe: "
            + (
                f"{format_rate(run.disk_read_Bps)} (a 1 GiB file read cold)."
                if run.disk_read_Bps
                else "not run."
            ),
        ]
        lines += _overhead_lines(dask_overhead(run.table))
        lines += _disk_lines(disk_points(run.table, run.memory_total_bytes), run)
        met = {True: "yes", False: "**no**", None: "not measured"}
        targets = out_of_core_targets(run.table, run.memory_total_bytes)
        rows = [(target, measured, met[ok]) for target, measured, ok in targets]
        lines += ["", *markdown_table(("target", "measured", "met"), rows)]
    return lines


def _gib(size: int | None) -> str:
    return f"{size / 2**30:.3g} GiB" if size else "not recorded"


def _overhead_lines(overhead: pd.DataFrame) -> list[str]:
    if overhead.empty:
        return []
    lines = [
        "",
        "dask in memory against numba_fused (time ratio with its 95% interval over the passes; "
        "the difference is dask's cost per step):",
        "",
    ]
    rows = [
        (f"{r.m:,}", f"{r.n_x:,}", format_seconds(r.dask_s), format_seconds(r.numba_fused_s))
        + (f"{r.ratio:.2f}x [{r.ratio_low:.2f}, {r.ratio_high:.2f}]",)
        + (format_seconds(r.dask_s - r.numba_fused_s) if r.dask_s > r.numba_fused_s else "–",)
        for r in overhead.itertuples()
    ]
    columns = ("m", "n_x", "dask", "numba_fused", "ratio", "dask's cost")
    return lines + markdown_table(columns, rows, "rrrrrr")


def _disk_lines(disk: pd.DataFrame, run: Run) -> list[str]:
    if disk.empty:
        return []
    made = {(s["m"], s["n_x"]): s.get("make_s") for s in run.stores}
    lines = [
        "",
        "Steps from a store on disk, against the disk's rate for the same store read cold just "
        "before each round (share: geometric mean over the passes, 95% interval):",
        "",
    ]
    rows = [
        (r.backend, f"{r.m:,}", f"{r.n_x:,}", f"{r.bytes / 1e9:.3g} GB")
        + ("yes" if r.beyond_ram else "no", format_seconds(r.median_s))
        + (format_rate(r.rate_Bps), format_rate(r.disk_Bps))
        + (f"{r.share:.0%} [{r.share_low:.0%}, {r.share_high:.0%}]",)
        + (format_seconds(make_s) if (make_s := made.get((r.m, r.n_x))) else "(found)",)
        for r in disk.itertuples()
    ]
    columns = ("backend", "m", "n_x", "store", "larger than RAM", "time per step", "read rate")
    columns += ("disk rate", "share of the disk's rate", "store written in")
    return lines + markdown_table(columns, rows, "lrrrlrrrrr")


def skipped_section(table: pd.DataFrame) -> list[str]:
    skipped = table[table["status"] != Status.MEASURED]
    if skipped.empty:
        return ["## Skipped points", "", "None: every point of the grid was measured."]
    lines = [
        "## Skipped points",
        "",
        f"{len(skipped)} of {len(table)} points were not run. Predicted times are predictions "
        "from the cost model of the points measured before them, not measurements.",
        "",
    ]
    rows = [
        (backend, "; ".join(f"m={r.m:,}, n_x={r.n_x:,}: {r.reason}" for r in points.itertuples()))
        for backend, points in skipped.groupby("backend", sort=False)
    ]
    return lines + markdown_table(("backend", "points skipped, and why"), rows)


def _time_and_speedup(row: pd.Series, column: str) -> str:
    if row.status != Status.MEASURED:
        return row.status
    speedup = row[column]
    text = format_seconds(row.median_s)
    return f"{text} ({speedup:.3g}x)" if pd.notna(speedup) else text


def _charts(run: Run, plots_dir: Path, reference: str) -> tuple[dict[str, Path], list[str]]:
    made, problems = {}, []
    for name, chart in charts.CHARTS.items():
        try:
            made[name] = charts.save(chart(run.table, run, reference), plots_dir, name)
        except Exception as exc:  # one chart failing must not stop the others
            problems.append(f"chart {name} was not made: {exc}")
    return made, problems


def _out_of_core_chart(runs: list[Run], plots_dir: Path, problems: list[str]) -> dict:
    """The chart of the first run that read a store, if any did."""
    for run in runs:
        if run.table["data_source"].eq(DataSource.DISK).any():
            try:
                return {
                    "out_of_core": charts.save(
                        charts.out_of_core(run.table, run, ""), plots_dir, "out_of_core"
                    )
                }
            except Exception as exc:  # as for the other charts
                problems.append(f"chart out_of_core was not made: {exc}")
    return {}


@dataclass(frozen=True)
class Beside:
    """What a report sets beside its run: lines that open it (a run of yours against ours, or
    the atlas), the atlas of our runs after the roof (our report), every run we report (our
    page only), and how to make it again."""

    opening: tuple[str, ...] = ()
    atlas: tuple[str, ...] = ()
    every_run: tuple[str, ...] = ()
    again: str = "python -m bench report RUN.json"


def build(
    judged: list[Judged],
    plots_dir: Path,
    report: Path,
    reference: str = DEFAULT_REFERENCE,
    beside: Beside = Beside(),
) -> list[str]:
    """Make every chart and the report; returns the problems (charts or verdicts not made).

    ``judged``: the run reported on, then further runs whose data beyond memory are shown
    beside it; each judged once.
    """
    run, others = judged[0].run, tuple(each.run for each in judged[1:])
    measured = len(run.measured)
    if measured < 2:
        raise ResultsError(f"{run.source}: fewer than 2 measured points; nothing to chart")
    made, problems = _charts(run, plots_dir, reference)
    made |= _out_of_core_chart([run, *others], plots_dir, problems)
    problems += [
        f"verdict on {label} was not made: {failure.why}"
        for label, failure in judged[0].failures.items()
        if not failure.left_out
    ]
    relative = Path(os.path.relpath(plots_dir, report.parent))
    lines = [
        "# Report: does vectorizing the gradient step pay?",
        "",
        f"From `{run.source}` ({describe.label(run)}): {measured} points measured, "
        f"{len(run.table) - measured} skipped. Made again by `{beside.again}`.",
        "",
        *_section(beside.opening),
        *verdict_section(judged[0].verdicts, judged[0].failures),
        "",
        *_section(tuple(yours_section(run))),
        *_section(tuple(placement_section(run))),
        *cost_model_section(judged[0].models),
        "",
        *roofline_section(run),
        "",
        *paired_roof_section(run),
        "",
        *_section(tuple(plans_section(run))),
        *targets_section([run]),
        "",
        *_section(beside.atlas),
        *out_of_core_section([run, *others]),
        "",
        *lecture_section(run),
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


def _section(lines: tuple[str, ...]) -> list[str]:
    return [*lines, ""] if lines else []
