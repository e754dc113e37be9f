"""Your functions in the report and the answer: each against the loops, point by point."""

from ..analysis.yours import BASELINES, READINGS, counts, yours
from ..records import EXAMPLE_POINT
from ..results import Run
from ..units import format_ratio, markdown_table


def _interval(row) -> str:
    if row.low != row.low:
        return f"{format_ratio(row.speedup)}x"
    return f"{format_ratio(row.speedup)}x [{format_ratio(row.low)}, {format_ratio(row.high)}]"


def _origin(run: Run, name: str) -> str:
    record = next(added for added in run.settings.added if added.function == name)
    if record.path is None:
        return "defined in Python"
    return f"from `{record.path}`, SHA-256 {record.sha256[:12]}…"


def summary_lines(run: Run) -> list[str]:
    """Per function and baseline: its speedups over the grid, at the example point, and its
    classes under each of the course's numbers (the answer's lines, and the section's)."""
    table = yours(run)
    m, n_x = EXAMPLE_POINT
    lines = []
    for name in run.settings.added_names:
        said = []
        for baseline, points in table[table["function"] == name].groupby("baseline", sort=False):
            at = points[(points["m"] == m) & (points["n_x"] == n_x)]
            example = (
                f"; at m={m:,}, n_x={n_x:,}: {_interval(next(at.itertuples()))}" if len(at) else ""
            )
            classes = "; ".join(
                f'read as "{label}": '
                + " · ".join(f"{n} {c}" for c, n in counts(points, label).items())
                for label in READINGS
            )
            said.append(
                f"over `{baseline}` {format_ratio(points['speedup'].min())}x … "
                f"{format_ratio(points['speedup'].max())}x{example} ({classes})"
            )
        if not said:
            said = [f"not measured beside {' or '.join(f'`{b}`' for b in BASELINES)}"]
        lines.append(f"Your function `{name}` ({_origin(run, name)}): " + "; ".join(said) + ".")
    return lines


def yours_section(run: Run) -> list[str]:
    """REPORT.md's section on the users' functions: the summary, then every point."""
    if not run.settings.added:
        return []
    table = yours(run)
    lines = [
        "## Your functions against the loops",
        "",
        "Each function you added, checked against the high-precision reference before it was "
        "timed, then timed at every point beside the backends: its speedup over each meaning "
        'of "the loop", with 95% intervals, and its classes under each of the course\'s '
        "numbers (holds · fails · inconclusive).",
        "",
        *(f"- {line}" for line in summary_lines(run)),
    ]
    for name, points in table.groupby("function", sort=False):
        found = {(r.baseline, r.m, r.n_x): r for r in points.itertuples()}
        baselines = [b for b in BASELINES if b in set(points["baseline"])]
        rows = [
            (f"{m:,}", f"{n_x:,}")
            + tuple(
                _interval(found[(b, m, n_x)]) if (b, m, n_x) in found else "–" for b in baselines
            )
            for m, n_x in sorted({(r.m, r.n_x) for r in points.itertuples()})
        ]
        columns = ("m", "n_x", *(f"`{name}` over `{b}`" for b in baselines))
        lines += ["", *markdown_table(columns, rows, "rr" + "r" * len(baselines))]
    return lines
