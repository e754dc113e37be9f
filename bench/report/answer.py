"""The README's answer, written from a run between two markers, so prose and data cannot drift."""

from pathlib import Path

from ..analysis import describe
from ..analysis.lecture import LECTURE_MS, lecture_table
from ..analysis.placement import best_placement
from ..analysis.speedups import reference_widths, speedups
from ..analysis.verdicts import COURSE_BASELINE, Judged, Verdict
from ..cost_model import CostModel
from ..placement import MMAP_OFFSET, MMAP_THRESHOLD
from ..readme import ReadmeError, replace_section
from ..records import EXAMPLE_POINT, ROOF_POINT, STEADY_TIMING, Status
from ..results import Run
from ..settings import NUMPY_PLACEMENT, UNRECORDED, Settings
from ..units import format_ratio, format_seconds, markdown_table
from .yours import summary_lines

START = "<!-- answer:start: written by `nox -s report` from the result files; not by hand -->"
END = "<!-- answer:end -->"

__all__ = ["ReadmeError", "answer_lines", "write_answer"]


def _interval(row) -> str:
    return _interval_of(row.speedup, row.low, row.high)


def _at(run: Run, backend: str, reference: str, point: tuple[int, int]) -> str | None:
    rows = speedups(run.table, backend, reference)
    rows = rows[(rows["m"] == point[0]) & (rows["n_x"] == point[1]) & ~rows["predicted"]]
    return _interval(next(rows.itertuples())) if len(rows) else None


def _verdict_rows(verdicts: list[Verdict]) -> list[tuple[str, ...]]:
    def counts(v: Verdict, reading: str) -> str:
        return " · ".join(f"{n} {name}" for name, n in v.count(reading).items())

    return [
        (
            v.claim.label,
            f"{v.claim.backend} vs {v.claim.baseline}"
            f"{' (the loop the course timed)' if v.claim.baseline == COURSE_BASELINE else ''}",
            f"{format_ratio(v.points['speedup'].min())}x … "
            f"{format_ratio(v.points['speedup'].max())}x",
            counts(v, "class"),
            counts(v, "class_at_least"),
        )
        for v in verdicts
    ]


def _costs(models: dict) -> str | None:
    costs = [
        f"`{name}` {models[name].per_element_s / 2 * 1e9:.3g} ns"
        for name in ("course_two_loop", "two_loop", "one_loop", "vectorized", "numba_fused")
        if isinstance(models.get(name), CostModel)
    ]
    return ", ".join(costs) if costs else None


def conditions(run: Run) -> str:
    """Whether the run was quiet: what a reader must know before trusting its intervals."""
    facts = run.neighbours
    if describe.busy_points(run) is None or facts is None:
        return (
            "The run did not record what else the machine ran (made before the harness measured "
            "it), so it cannot count as a quiet reference run. " + timing_text(run)
        )
    waited = " (each point waited for it: --wait-for-quiet)" if run.settings.wait_for_quiet else ""
    busy = describe.busy_points(run)
    if busy:
        return (
            f"Measured beside other work at {busy} of {len(run.measured)} points "
            f"(other processes kept at least {facts['busy_cores']:g} of a core busy, up to "
            f"{facts['others_cpu_max']:.2f}){waited}: not a quiet reference run; its intervals "
            "are wider and its verdicts less certain than a quiet machine's. " + timing_text(run)
        )
    seen = (
        f"other processes used at most {facts['others_cpu_max']:.2f} of a core over any point "
        f"(median {facts['others_cpu_median']:.2f}); the hypervisor stole at most "
        f"{facts['steal_cpu_max']:.2f}"
    )
    if describe.steal(run) is not None:
        seen += f" ({describe.steal(run):.3f} on average)"
    if describe.steady(run):
        return f"Measured on a quiet machine{waited}: {seen}. {timing_text(run)}"
    return f"No other work seen on the machine{waited}: {seen}. {timing_text(run)}"


def timing_text(run: Run) -> str:
    """How steadily the machine timed the calibration kernels' fixed work."""
    noise = describe.timing_noise(run)
    if noise is None:
        return "It timed no calibration kernels, so how steadily the machine timed is not known."
    spread = (
        f"the calibration kernels' rounds spread {noise:.1%} (IQR over median, steadiest window"
    )
    if describe.steady(run):
        return f"Fixed work timed steadily: {spread}; at most {STEADY_TIMING:.0%})."
    return (
        f"But fixed work timed unsteadily: {spread}; over {STEADY_TIMING:.0%}), so the host was "
        "busy in a way no process here shows (another VM on the same physical cores, say): not "
        "a quiet reference run, and its intervals are wider than a quiet machine's."
    )


def placement_text(settings: Settings) -> str:
    """Where the run put X: the kernels read it faster 32-byte aligned, fastest on a page."""
    if settings.placement == NUMPY_PLACEMENT:
        return (
            "where numpy would put it (a new array of its size, in a fresh process: "
            f"{MMAP_OFFSET} bytes past a page boundary from {MMAP_THRESHOLD // 1024} KiB up, "
            "else a heap slot at any multiple of 16, drawn for each size and pass)"
        )
    if settings.placement == UNRECORDED:
        return (
            "wherever numpy's allocator put it (a run made before the placement was a "
            "setting: 16-byte aligned, 32-byte aligned only by chance, which could differ "
            "from pass to pass)"
        )
    aligned = "32-byte aligned" if settings.x_offset % 32 == 0 else "not 32-byte aligned"
    return f"{settings.x_offset} bytes past a page boundary (`--x-offset`; {aligned})"


def best_placement_text(run: Run) -> str | None:
    """The ~300x claim's speedup at the example point with X on a page boundary, beside the
    run's own, if the placement study measured it."""
    study = best_placement(run)
    m, n_x = EXAMPLE_POINT
    here = study[(study["m"] == m) & (study["n_x"] == n_x) & (study["baseline"] == "two_loop")]
    here = here[here["backend"] == "vectorized"]
    if here.empty:
        return None
    row = next(here.itertuples())
    return (
        f"With X on a page boundary instead (the best placement for every kernel, not what "
        f"numpy gives), `vectorized` over `two_loop` there is "
        f"{_interval_of(row.at_best, row.at_best_low, row.at_best_high)}: its step takes "
        f"{_interval_of(row.effect, row.effect_low, row.effect_high)} as long with X where this "
        'run put it (REPORT.md, "Where X starts").'
    )


def _interval_of(value: float, low: float, high: float) -> str:
    return f"{format_ratio(value)}x [{format_ratio(low)}, {format_ratio(high)}]"


def _passes(run: Run) -> str:
    """How many passes each point had: the settings', or as many as --until needed."""
    if run.settings.until is None:
        return f"{run.settings.passes} pass(es)"
    reference = run.settings.reference_backend
    widths = reference_widths(run.table, reference)
    known = int((widths <= run.settings.until).sum())
    most = int(run.table["passes"].max())
    return (
        f"{run.settings.passes} to {most} passes (`--until {run.settings.until:g}`: more passes "
        f"where a speedup over {reference} was not yet known to {run.settings.until:g}x, its 95% "
        f"interval's high over low, at most {run.settings.max_passes}; {known} of "
        f"{len(widths)} speedups reached it)"
    )


def answer_lines(judged: Judged) -> list[str]:
    run, verdicts = judged.run, judged.verdicts
    points = int((run.table["status"] == Status.MEASURED).sum())
    lines = [
        f"From `{run.source}`: {describe.label(run)}; {points} points measured, each in "
        f"{_passes(run)} spread over the run, X {placement_text(run.settings)}. "
        "Speedups are medians "
        "with 95% intervals; a point **holds** when its whole interval lies inside the reading "
        '("~Nx": N/2 to 2N; "at least Nx"), **fails** when all of it lies outside. '
        + conditions(run),
        "",
        *markdown_table(
            ("claim", "compared", "speedups over the grid", "read as ~Nx", "read as at least Nx"),
            _verdict_rows(verdicts),
        ),
        "",
    ]
    m, n_x = EXAMPLE_POINT
    pairs = [("vectorized", "two_loop"), ("vectorized", COURSE_BASELINE), ("one_loop", "two_loop")]
    found = [(b, r, _at(run, b, r, EXAMPLE_POINT)) for b, r in pairs]
    said = [f"`{b}` over `{r}` {text}" for b, r, text in found if text]
    if said:
        best = best_placement_text(run)
        best = f" {best}" if best else ""
        lines += [f"At m={m:,}, n_x={n_x:,}: " + "; ".join(said) + "." + best, ""]
    lines += [line for added in summary_lines(run) for line in (added, "")]
    costs = _costs(judged.models)
    if costs:
        lines += [
            "Per multiply-add, from the fitted cost models (t ≈ a + p·m + c·m·n_x, c/2): "
            f"{costs}. Loops are not slow; interpreted loops are.",
            "",
        ]
    demo = lecture_table(run.lecture) if not run.lecture.empty else None
    if demo is not None and "loop_over_numpy" in set(demo["kernel"]):
        row = demo.set_index("kernel").loc["loop_over_numpy"]
        lecture = LECTURE_MS["loop_over_numpy"] / LECTURE_MS["numpy_dot"]
        lines += [
            f"The lecture's own demo (a {1_000_000:,}-element dot product, a `for` loop over "
            f"numpy arrays against `np.dot`): {format_seconds(row.seconds)} against "
            f"{format_seconds(demo.set_index('kernel').loc['numpy_dot', 'seconds'])}, "
            f"`np.dot` {format_ratio(row.dot_speedup)}x [{format_ratio(row.dot_speedup_low)}, "
            f"{format_ratio(row.dot_speedup_high)}] faster (the lecture: "
            f"{LECTURE_MS['loop_over_numpy']:g} ms against {LECTURE_MS['numpy_dot']:g} ms, "
            f"{lecture:.0f}x).",
            "",
        ]
    m, n_x = ROOF_POINT
    large = [
        (b, _at(run, b, "two_loop", ROOF_POINT))
        for b in ("vectorized", "numba_fused", "numba_parallel")
    ]
    large = [f"`{b}` {text}" for b, text in large if text]
    if large:
        lines += [
            f"At m={m:,}, n_x={n_x:,} ({run.itemsize * m * n_x / 1e6:,.0f} MB of X), over "
            "`two_loop`: " + "; ".join(large) + ". REPORT.md explains each number.",
            "",
        ]
    return lines


def write_answer(judged: Judged, readme: Path) -> None:
    """Replace what stands between the markers in readme with the answer from a judged run."""
    replace_section(readme, START, END, answer_lines(judged))
