"""What a report sets beside its run: the atlas of every CPU we measured, and a run of yours
against ours of the same CPU model (or the atlas, when we have no run of it)."""

from ..analysis import describe
from ..analysis.agreement import differences, merged
from ..analysis.atlas import Placed, between_runs, claims_by_cpu, comparable
from ..analysis.verdicts import Judged, Verdict
from ..records import EXAMPLE_POINT, STEADY_TIMING
from ..results import Run
from ..settings import NUMPY_PLACEMENT, ONE_PROCESS, UNRECORDED
from ..units import format_ratio, markdown_table

WELCH = (
    "Welch's 95% interval of the ratio of two runs' speedups comes from both runs' passes: two "
    "runs whose intervals carry all that differs between them differ beyond it at about 5% of "
    "points (docs/method.md)."
)


def counts_text(verdict: Verdict) -> str:
    return " · ".join(str(n) for n in verdict.count("class").values())


def interval_text(value: float, low: float, high: float) -> str:
    if value != value:
        return "not measured"
    if low != low:
        return f"{format_ratio(value)}x"
    return f"{format_ratio(value)}x [{format_ratio(low)}, {format_ratio(high)}]"


def atlas_lines(runs: list[Placed]) -> list[str]:
    """The claims on every CPU (the first run of each CPU stands for it), how each run was
    measured, and how far the runs of one CPU differ from each other."""
    shown = first_of_each_cpu(runs)
    m, n_x = EXAMPLE_POINT
    lines = [
        "## Atlas: the claims on every CPU we have measured",
        "",
        "One run per CPU model, each on its own machine, never pooled. Counts are points "
        'holds · fails · inconclusive under the reading "~Nx" (N/2 to 2N); speedups are '
        "geometric means over passes with 95% intervals.",
        "",
    ]
    rows, last = [], None
    for row in claims_by_cpu(shown).itertuples():
        first = row.cpu != last
        last = row.cpu
        rows.append(
            (
                row.cpu if first else "",
                f"`{row.source}`" if first else "",
                row.claim,
                f"{row.holds} · {row.fails} · {row.inconclusive}",
                interval_text(row.example, row.example_low, row.example_high),
                f"{format_ratio(row.largest)}x at m={row.largest_m:,}, n_x={row.largest_n_x:,}",
            )
        )
    columns = ("CPU", "run", "claim", "holds · fails · inconclusive")
    columns += (f"at m={m:,}, n_x={n_x:,}", "largest")
    lines += markdown_table(columns, rows, "lllrrr")
    lines += ["", *how_measured_lines([placed.judged for placed in runs])]
    lines += ["", *between_lines(runs)]
    return lines


def first_of_each_cpu(runs: list[Placed]) -> list[Placed]:
    """The first run of each CPU, in the order the CPUs first appear."""
    first: dict[str, Placed] = {}
    for placed in runs:
        first.setdefault(placed.cpu, placed)
    return list(first.values())


def how_measured_lines(every: list[Judged]) -> list[str]:
    """Each run's conditions beside its precision: which runs were quiet, how steadily their
    machine timed fixed work, where X started, and how wide that left the intervals."""
    claims = list(dict.fromkeys(v.claim for each in every for v in each.verdicts))
    lines = [
        "How each run was measured, and the median width (95% interval's high over low) of its "
        f"speedups per claim, in the order above. A quiet reference run recorded its neighbours "
        f"at every point, had none busy, and timed fixed work steadily (at most "
        f"{STEADY_TIMING:.0%} spread).",
        "",
    ]
    rows = []
    for each in every:
        run, by_claim = each.run, {v.claim: v for v in each.verdicts}
        widths = [
            f"{median_width(by_claim[claim]):.3g}" if claim in by_claim else "—" for claim in claims
        ]
        rows.append(
            (
                f"`{run.source}`",
                run.commit[:8],
                passes_text(run),
                neighbours_text(run),
                "not recorded"
                if describe.steal(run) is None
                else f"{describe.steal(run):.1%} of a core",
                "not timed"
                if describe.timing_noise(run) is None
                else f"{describe.timing_noise(run):.1%}",
                placed_text(run),
                ", ".join(widths),
                "yes" if describe.quiet(run) else "no",
            )
        )
    columns = ("run", "commit", "passes", "beside other work", "stolen, on average")
    columns += ("fixed work's spread", "where X starts", "median widths", "quiet reference")
    return lines + markdown_table(columns, rows, "llllrrrll")


def placed_text(run: Run) -> str:
    """Where a run put X, in a table cell."""
    if run.settings.placement == NUMPY_PLACEMENT:
        return "as numpy would"
    if run.settings.placement == UNRECORDED:
        return "where numpy put it, unrecorded"
    return f"{run.settings.x_offset} B past a page"


def median_width(verdict: Verdict) -> float:
    points = verdict.points
    return float((points["high"] / points["low"]).median())


def passes_text(run: Run) -> str:
    settings = run.settings
    passes = f"{settings.passes}-{settings.max_passes}" if settings.until else f"{settings.passes}"
    return f"{passes}, {'one process' if settings.processes == ONE_PROCESS else 'a process each'}"


def neighbours_text(run: Run) -> str:
    if describe.busy_points(run) is None or run.neighbours is None:
        return "not recorded"
    return (
        f"{describe.busy_points(run)} of {len(run.measured)} points "
        f"(others ≤ {run.neighbours['others_cpu_max']:.2f} core)"
    )


def between_lines(runs: list[Placed]) -> list[str]:
    pairs = between_runs(runs)
    if pairs.empty:
        return []
    lines = [
        "### How far runs of one CPU differ",
        "",
        "Two runs of one CPU model with the same preset, dtype, threads and placement, over "
        "every claim's points measured in both: the share in the same class, the share whose "
        "speedups differ "
        f"by less than Welch's 95% interval, and the second run's speedups over the first's. "
        f"{WELCH}",
        "",
    ]
    rows = [
        (p.cpu, f"`{p.first}`", f"`{p.second}`", p.point_claims, f"{p.same_class:.0%}")
        + (f"{p.consistent:.0%}", f"{p.ratio_median:.3f}x [{p.ratio_min:.2f}, {p.ratio_max:.2f}]")
        for p in pairs.itertuples()
    ]
    columns = ("CPU", "first run", "second run", "point-claims", "same class")
    columns += ("within Welch's interval", "second / first: median [lowest, highest]")
    return lines + markdown_table(columns, rows, "lllrrrr")


def ours_for(run: Run, ours: list[Placed]) -> Placed | None:
    """Our run of the same CPU model (as the run files name it) and dtype and threads, the
    one with the same preset first; None if we have none."""
    candidates = [
        placed
        for placed in ours
        if describe.cpu(placed.judged.run) == describe.cpu(run)
        and (placed.judged.run.dtype, placed.judged.run.threads) == (run.dtype, run.threads)
    ]
    same_grid = [p for p in candidates if p.judged.run.settings.preset == run.settings.preset]
    return (same_grid or candidates or [None])[0]


def beside_ours_lines(yours: Judged, ours: list[Placed]) -> list[str]:
    """How a run of yours compares with ours of the same CPU model; else the atlas."""
    run = yours.run
    match = ours_for(run, ours)
    if match is None:
        return [
            "## Your run beside ours",
            "",
            f"We have no run of this CPU model ({describe.cpu(run)}, {run.dtype}, {run.threads} "
            "thread(s)): the atlas below shows the CPUs we have measured.",
            "",
            *atlas_lines(ours)[2:],
        ]
    theirs = match.judged
    lines = [
        "## Your run beside ours",
        "",
        f"Ours of this CPU model: `{theirs.run.source}` ({match.cpu}; commit "
        f"{theirs.run.commit[:8]}, {theirs.run.settings.preset} preset, "
        f"{'a' if describe.quiet(theirs.run) else 'not a'} quiet reference run). "
        "Per claim, over the points both runs measured: your classes and ours (holds · fails · "
        'inconclusive, "~Nx"), and at how many points your speedup differs from ours beyond '
        f"Welch's 95% interval. {WELCH}",
        "",
    ]
    by_claim = {v.claim: v for v in theirs.verdicts}
    rows, per_point = [], {}
    for mine in yours.verdicts:
        if mine.claim not in by_claim:
            continue
        both = merged(mine, by_claim[mine.claim])
        differ = differences(both)
        per_point[mine.claim.name] = differ.set_index(["m", "n_x"])
        rows.append(
            (
                mine.claim.name,
                len(both),
                counts_text(mine),
                counts_text(by_claim[mine.claim]),
                f"{(both['class_1'] == both['class_2']).mean():.0%}",
                f"{int(differ['differ'].sum())} of {len(differ)}",
            )
        )
    columns = ("claim", "points in both", "yours", "ours", "same class", "differ")
    lines += markdown_table(columns, rows, "lrrrrr")
    if not comparable(yours, theirs):
        lines += ["", f"(Ours is a {theirs.run.settings.preset} run: other sizes besides these.)"]
    return lines + ["", *point_lines(per_point)]


def point_lines(per_point: dict) -> list[str]:
    """Each point's ratio of your speedup over ours, per claim, bold where they differ."""
    if not per_point:
        return []
    sizes = sorted({size for table in per_point.values() for size in table.index})
    lines = [
        "Your speedup over ours at each point (ratio [Welch's 95% interval]; **bold**: they "
        "differ):",
        "",
    ]
    rows = []
    for m, n_x in sizes:
        cells = []
        for table in per_point.values():
            if (m, n_x) not in table.index:
                cells.append("—")
                continue
            r = table.loc[(m, n_x)]
            text = f"{r['ratio']:.3f} [{r['low']:.3f}, {r['high']:.3f}]"
            cells.append(f"**{text}**" if r["differ"] else text)
        rows.append((f"{m:,}", f"{n_x:,}", *cells))
    return lines + markdown_table(("m", "n_x", *per_point), rows, "rr" + "r" * len(per_point))
