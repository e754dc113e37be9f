"""The charts, drawn from a run's tidy table and its facts (PNG and SVG).

Skipped points are drawn as what they are: hollow markers at a predicted
value, labelled "predicted", never as measurements. Every chart is captioned
with the CPU, BLAS kernel, threads and versions of the run it shows.
"""

import io
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ..analysis import describe  # noqa: E402
from ..analysis.out_of_core import disk_points, store_bytes  # noqa: E402
from ..analysis.speedups import speedups  # noqa: E402
from ..analysis.verdicts import CLAIMS  # noqa: E402
from ..files import write_atomic  # noqa: E402
from ..records import DataSource, Status  # noqa: E402
from ..results import Run  # noqa: E402
from ..units import format_ratio  # noqa: E402
from . import style  # noqa: E402


class ChartError(ValueError):
    """The results do not hold what a chart needs; the message says what is missing."""


def caption(run: Run) -> str:
    facts = run.facts
    blas = facts["blas"] or [{}]
    kernel = (
        f"{blas[0].get('internal_api', '?')} {blas[0].get('version', '')} "
        f"({blas[0].get('architecture', '?')} kernel)"
    )
    versions = facts["versions"]
    return (
        f"{describe.cpu(run)}, {facts['cpu_count']} cores · BLAS: {kernel} · {run.dtype}, "
        f"{run.threads} thread(s) · numpy {versions.get('numpy', '?')}, "
        f"numba {versions.get('numba', '?')}"
    )


def _backends(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table["backend"]))


def _finish(fig, run: Run, title: str) -> None:
    fig.suptitle(title, fontsize=13)
    # Keep a strip at the bottom free of axes for the caption.
    fig.get_layout_engine().set(rect=(0, 0.035, 1, 0.965))
    fig.text(0.5, 0.005, caption(run), ha="center", va="bottom", fontsize=8, color="0.35")


def _predicted_legend_entries(reference: str) -> list[Line2D]:
    return [
        Line2D(
            [], [], marker="o", color="0.3", linestyle="-", label="measured (bars: 95% interval)"
        ),
        Line2D(
            [],
            [],
            marker="o",
            color="0.3",
            markerfacecolor="none",
            linestyle=":",
            label=f"predicted: {reference} skipped, its predicted time used",
        ),
    ]


def _speedup_panels(table: pd.DataFrame, reference: str, x: str, panel: str, xlabel: str):
    backends = [b for b in _backends(table) if b != reference]
    all_points = {b: speedups(table, b, reference) for b in backends}
    if not any(len(p) for p in all_points.values()):
        raise ChartError(f"no point where {reference} and another backend were both run")
    panels = style.panel_values(pd.concat(all_points.values())[panel])
    colors = style.colors(_backends(table))
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(
        rows,
        columns,
        # At least 10 wide: one panel still leaves room for the legend and the run's label.
        figsize=(max(5 * columns, 10), 4 * rows),
        squeeze=False,
        sharey=True,
        layout="constrained",
    )
    for ax, value in zip(axes.flat, panels, strict=False):
        for backend, points in all_points.items():
            here = points[points[panel] == value].sort_values(x)
            measured, predicted = here[~here["predicted"]], here[here["predicted"]]
            error = [measured["speedup"] - measured["low"], measured["high"] - measured["speedup"]]
            ax.errorbar(
                measured[x],
                measured["speedup"],
                yerr=np.clip(error, 0, None),
                marker="o",
                color=colors[backend],
                label=backend,
                capsize=2,
            )
            if len(predicted):
                joined = pd.concat([measured.tail(1), predicted])
                ax.plot(joined[x], joined["speedup"], ":", color=colors[backend])
                ax.plot(
                    predicted[x],
                    predicted["speedup"],
                    "o",
                    markerfacecolor="none",
                    color=colors[backend],
                )
        for factor, label in _claim_lines(reference).items():
            ax.axhline(factor, color="0.5", linestyle="--", linewidth=1)
            ax.annotate(
                f"claim {label}",
                (0.01, factor),
                xycoords=("axes fraction", "data"),
                fontsize=8,
                color="0.4",
                va="bottom",
            )
        ax.axhline(1, color="0.75", linewidth=0.8)
        ax.set(xscale="log", yscale="log", title=f"{panel} = {value:,}", xlabel=xlabel)
        ax.grid(True, which="major", alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel(f"speedup over {reference} (×, median time ratio)")
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    handles = [Line2D([], [], color=colors[b], marker="o", label=b) for b in backends]
    legend = handles + _predicted_legend_entries(reference)
    fig.legend(handles=legend, loc="outside right upper", fontsize=9)
    return fig


def _claim_lines(reference: str) -> dict[float, str]:
    """The claims made against this reference: a horizontal line each."""
    return {c.factor: c.label for c in CLAIMS if c.baseline == reference}


def speedup_vs_m(table: pd.DataFrame, run: Run, reference: str):
    fig = _speedup_panels(table, reference, "m", "n_x", "m (examples)")
    _finish(fig, run, f"Speedup over {reference}, by number of examples")
    return fig


def speedup_vs_nx(table: pd.DataFrame, run: Run, reference: str):
    fig = _speedup_panels(table, reference, "n_x", "m", "n_x (features)")
    _finish(fig, run, f"Speedup over {reference}, by number of features")
    return fig


def speedup_heatmap(table: pd.DataFrame, run: Run, reference: str):
    """vectorized over the reference (the course's claim), or the first other backend run."""
    others = [b for b in _backends(table) if b != reference]
    if not others:
        raise ChartError(f"no backend but {reference} was run")
    backend = "vectorized" if "vectorized" in others else others[0]
    points = speedups(table, backend, reference)
    if points.empty:
        raise ChartError(f"no point where {backend} and {reference} were both run")
    ms, nxs = sorted(table["m"].unique()), sorted(table["n_x"].unique())
    grid = points.pivot(index="n_x", columns="m", values="speedup").reindex(index=nxs, columns=ms)
    is_predicted = (
        points.pivot(index="n_x", columns="m", values="predicted")
        .reindex(index=nxs, columns=ms)
        .fillna(False)
        .astype(bool)
    )
    measured_grid = grid.where(~is_predicted)
    bounds = {
        (r.n_x, r.m): f"\n[{format_ratio(r.low)}–{format_ratio(r.high)}]"
        for r in points.itertuples()
        if r.low == r.low
    }
    fig, ax = plt.subplots(figsize=(1.5 * len(ms) + 3, 0.9 * len(nxs) + 2.5), layout="constrained")
    values = grid.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    # Speedups below 1e-2 share one colour; all of them below it leave one colour for all.
    norm = LogNorm(vmin=min(max(finite.min(), 1e-2), finite.max()), vmax=finite.max())
    image = ax.imshow(
        measured_grid.to_numpy(dtype=float),
        origin="lower",
        cmap="viridis",
        norm=norm,
        aspect="auto",
    )
    for (i, j), value in np.ndenumerate(values):
        if not np.isfinite(value):
            ax.text(j, i, "not run", ha="center", va="center", fontsize=7, color="0.5")
        elif is_predicted.iat[i, j]:
            ax.add_patch(
                plt.Rectangle(
                    (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.6", linewidth=0
                )
            )
            ax.text(
                j,
                i,
                f"~{value:.3g}x\npredicted",
                ha="center",
                va="center",
                fontsize=7,
                color="0.3",
                style="italic",
            )
        else:
            light = norm(value) < 0.6
            ax.text(
                j,
                i,
                f"{format_ratio(value)}x{bounds.get((nxs[i], ms[j]), '')}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if light else "black",
            )
    ax.set_xticks(range(len(ms)), [f"{m:,}" for m in ms], rotation=30)
    ax.set_yticks(range(len(nxs)), [f"{n:,}" for n in nxs])
    ax.set(xlabel="m (examples)", ylabel="n_x (features)")
    fig.colorbar(image, ax=ax, label=f"speedup of {backend} over {reference} (×)")
    title = f"{backend} / {reference} [95% interval]"
    claim = next((c for c in CLAIMS if (c.backend, c.baseline) == (backend, reference)), None)
    if claim:
        _outline_region(ax, measured_grid.to_numpy(dtype=float) >= claim.factor)
        title += f"; red border: median ≥ {claim.factor:g}x"
    _finish(fig, run, title)
    return fig


def _outline_region(ax, inside: np.ndarray) -> None:
    """Draw the border between cells inside the region and cells outside it (or the edge)."""
    rows, columns = inside.shape
    for i, j in zip(*np.nonzero(inside), strict=True):
        for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            ni, nj = i + di, j + dj
            if 0 <= ni < rows and 0 <= nj < columns and inside[ni, nj]:
                continue
            if di:  # the edge between rows i and ni
                ax.plot([j - 0.5, j + 0.5], [i + di / 2] * 2, color="red", linewidth=2.5)
            else:
                ax.plot([j + dj / 2] * 2, [i - 0.5, i + 0.5], color="red", linewidth=2.5)


def _scatter_by_backend(ax, table: pd.DataFrame, y: Callable[[pd.DataFrame, bool], pd.Series]):
    colors = style.colors(_backends(table))
    for backend in _backends(table):
        rows = table[table["backend"] == backend]
        measured = rows[rows["status"] == Status.MEASURED]
        skipped = rows[(rows["status"] != Status.MEASURED) & rows["predicted_s"].notna()]
        trend = measured.assign(y=y(measured, False)).groupby("elements")["y"].median()
        ax.plot(trend.index, trend.to_numpy(), "-", color=colors[backend], alpha=0.6)
        ax.plot(
            measured["elements"],
            y(measured, False),
            "o",
            color=colors[backend],
            label=backend,
            markersize=5,
        )
        if len(skipped):
            ax.plot(
                skipped["elements"],
                y(skipped, True),
                "o",
                markerfacecolor="none",
                color=colors[backend],
                markersize=5,
            )
    ax.set(xscale="log", yscale="log")
    ax.grid(True, which="major", alpha=0.3)


def time_per_step(table: pd.DataFrame, run: Run, reference: str):
    if (table["status"] == Status.MEASURED).sum() == 0:
        raise ChartError("no measured point")
    fig, ax = plt.subplots(figsize=(9, 6), layout="constrained")

    def seconds(rows, predicted):
        return rows["predicted_s"] if predicted else rows["median_s"]

    _scatter_by_backend(ax, table, seconds)
    ax.set(xlabel="problem size m·n_x (elements of X)", ylabel="time per gradient step (s, median)")
    handles, _ = ax.get_legend_handles_labels()
    hollow = Line2D(
        [],
        [],
        marker="o",
        color="0.3",
        markerfacecolor="none",
        linestyle="",
        label="predicted (point skipped: over budget or memory)",
    )
    ax.legend(handles=[*handles, hollow], fontsize=9)
    _finish(fig, run, "Time per step: fixed overhead at small sizes, then linear growth")
    return fig


def _roof(ax, bytes_per_second: float, label: str, style: str = "-") -> None:
    ax.axhline(
        bytes_per_second, color="black", linewidth=1.5 if style == "-" else 1, linestyle=style
    )
    ax.annotate(
        label, (0.01, bytes_per_second), xycoords=("axes fraction", "data"), va="bottom", fontsize=8
    )


def throughput(table: pd.DataFrame, run: Run, reference: str):
    if (table["status"] == Status.MEASURED).sum() == 0:
        raise ChartError("no measured point")
    fig, ax = plt.subplots(figsize=(9, 6), layout="constrained")

    def bytes_per_second(rows, predicted):
        return rows["bytes_X"] / (rows["predicted_s"] if predicted else rows["median_s"])

    _scatter_by_backend(ax, table, bytes_per_second)
    handles, _ = ax.get_legend_handles_labels()
    roof = run.bandwidth_Bps
    if roof:
        _roof(ax, roof, f"memory read bandwidth, {run.threads} thread(s): {roof / 1e9:.3g} GB/s")
        passes_over_x = table.groupby("backend", sort=False)["passes_over_x"].first()
        for backend, passes in passes_over_x[passes_over_x > 1].items():
            _roof(ax, roof / passes, f"roof for {backend} (reads X {passes} times)", "--")
    else:
        ax.text(
            0.5,
            0.98,
            "no bandwidth probe in these results",
            transform=ax.transAxes,
            ha="center",
            va="top",
            color="red",
        )
    caches = []
    if run.last_level_cache:
        level, size = run.last_level_cache
        caches.append((size, f"{level} cache as reported"))
    if run.measured_cache_bytes and run.measured_cache_bytes != (caches[0][0] if caches else 0):
        caches.append((run.measured_cache_bytes, "cache as measured"))
    for size, what in caches:
        ax.axvline(size / run.itemsize, color="0.4", linestyle=":")
        ax.annotate(
            f" X fills the {what} ({size / 2**20:.3g} MiB)",
            (size / run.itemsize, 0.02),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            color="0.3",
            rotation=90,
            va="bottom",
        )
    ax.set(
        xlabel="problem size m·n_x (elements of X)", ylabel="bytes of X processed per second (B/s)"
    )
    ax.legend(handles=handles, fontsize=9, loc="lower right")
    _finish(fig, run, "Throughput against the memory roof")
    return fig


def out_of_core(table: pd.DataFrame, run: Run, reference: str):
    """Time per step and bytes per second against the bytes a step reads, by where the data
    were: numpy and numba in memory, dask in memory and from disk; cache and RAM marked."""
    disk = disk_points(table, run.memory_total_bytes)
    if disk.empty:
        raise ChartError("no point read from a store on disk")
    measured = table[table["status"] == Status.MEASURED].assign(bytes=lambda t: store_bytes(t))
    measured = measured[measured["bytes"] >= disk["bytes"].min() / 100]
    fig, (times, rates) = plt.subplots(1, 2, figsize=(12, 5.5), layout="constrained")
    series = measured.groupby(["backend", "data_source"], sort=False)
    colors = style.colors(list(series.groups))
    for (backend, source), rows in series:
        rows = rows.sort_values("bytes")
        look = dict(color=colors[(backend, source)], label=f"{backend} ({source})")
        dashed = "--" if source == DataSource.DISK else "-"
        times.plot(rows["bytes"], rows["median_s"], "o" + dashed, **look)
        rates.plot(rows["bytes"], rows["bytes"] / rows["median_s"], "o" + dashed, **look)
    rates.plot(disk["bytes"], disk["disk_Bps"], "kx", label="disk read of the same store (paired)")
    if run.disk_read_Bps:
        _roof(
            rates,
            run.disk_read_Bps,
            f"disk probe (1 GiB file): {run.disk_read_Bps / 1e9:.3g} GB/s",
            ":",
        )
    if run.bandwidth_Bps:
        _roof(
            rates, run.bandwidth_Bps, f"memory read bandwidth: {run.bandwidth_Bps / 1e9:.3g} GB/s"
        )
    for ax in (times, rates):
        for size, what in ((run.cache_bytes, "cache"), (run.memory_total_bytes, "RAM")):
            if size:
                ax.axvline(size, color="0.4", linestyle=":")
                ax.annotate(
                    f" {what} ({size / 2**30:.3g} GiB)",
                    (size, 0.02),
                    xycoords=("data", "axes fraction"),
                    fontsize=8,
                    color="0.3",
                    rotation=90,
                    va="bottom",
                )
        ax.set(xscale="log", yscale="log", xlabel="bytes a step reads (X and Y)")
        ax.grid(True, which="major", alpha=0.3)
    times.set(ylabel="time per gradient step (s, median)")
    rates.set(ylabel="bytes read per second (B/s)")
    rates.legend(fontsize=8, loc="center left")
    _finish(fig, run, "Beyond memory: in memory, then from a store on disk")
    return fig


CHARTS: dict[str, Callable] = {
    "speedup_vs_m": speedup_vs_m,
    "speedup_vs_nx": speedup_vs_nx,
    "speedup_heatmap": speedup_heatmap,
    "time_per_step": time_per_step,
    "throughput": throughput,
}


# What each format would stamp that changes between two drawings of one run.
SAME_BYTES = {"png": {"Software": None}, "svg": {"Date": None}}


def save(fig, out_dir: Path, name: str) -> Path:
    """PNG (for the report and README) and SVG (for print), each written whole; the PNG's path.
    The same run draws the same bytes: no date in the files, the SVG's ids from a fixed salt."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for kind in ("png", "svg"):
        buffer = io.BytesIO()
        with plt.rc_context({"svg.hashsalt": name}):
            fig.savefig(buffer, format=kind, dpi=110, metadata=SAME_BYTES[kind])
        write_atomic(out_dir / f"{name}.{kind}", buffer.getvalue())
    plt.close(fig)
    return out_dir / f"{name}.png"
