"""results/report.html: the answer, its charts and tables in one page that works offline.

Built with bokeh, with every script, style and datum inline, so the page
makes no request when viewed (``file://`` will do). It says what REPORT.md
and the README's answer say, from the same analysis: the answer first (the
README's text), then one tab per reported run (labelled with its CPU and
settings; runs of different CPUs are never pooled): the speedup heatmap,
whose cells give on hover the speedup, its 95% interval, its class under
each reading, both backends' times, where the data came from and whether the
point was predicted, skipped or measured beside other work; speedup against
m and against n_x with 95% bands (a click on a legend entry hides that
backend); time per step and throughput with the memory roof and the
measured cache; the verdict tables and the lecture's demo. Between the
answer and the tabs, your run against ours (a report of yours); after the
tabs, the atlas of every CPU we measured and every run we report (ours).
"""

from pathlib import Path

import markdown
import numpy as np
import pandas as pd
from bokeh.embed import file_html
from bokeh.layouts import column, gridplot, row
from bokeh.models import (
    ColorBar,
    ColumnDataSource,
    Div,
    HoverTool,
    LogColorMapper,
    Span,
    TabPanel,
    Tabs,
)
from bokeh.palettes import Viridis256
from bokeh.plotting import figure
from bokeh.resources import INLINE

from ..analysis import describe
from ..analysis.speedups import speedups
from ..analysis.verdicts import CLAIMS, Judged
from ..files import write_atomic
from ..records import Status
from ..results import Run
from ..units import format_ratio, format_seconds
from . import style
from .answer import answer_lines
from .markdown import lecture_section, machine_section, placement_section, verdict_section
from .yours import yours_section

PAGE_NAME = "report.html"
LINKED = ("REPORT.md", "latest.csv", "verdict.json")
WIDTH = 1100


# Each Div renders in a shadow root of its own, so its tables carry their own style.
TABLE_STYLE = (
    "<style>table{border-collapse:collapse;margin:6px 0}"
    "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}</style>"
)


def html(lines: list[str]) -> str:
    """Markdown lines (the report's own sections) as HTML."""
    return TABLE_STYLE + markdown.markdown("\n".join(lines), extensions=["tables"])


def _source(frame: pd.DataFrame, **options) -> ColumnDataSource:
    """A bokeh data source from a frame's columns (bokeh's own conversion of a frame calls a
    pandas API that pandas has deprecated)."""
    return ColumnDataSource(data=frame.reset_index(drop=True).to_dict("list"), **options)


def _backends(run: Run) -> list[str]:
    return list(dict.fromkeys(run.table["backend"]))


def heatmap_backend(run: Run, reference: str) -> str | None:
    """The backend the heatmap sets against the reference: vectorized, else the first other."""
    others = [b for b in _backends(run) if b != reference]
    return "vectorized" if "vectorized" in others else (others[0] if others else None)


def heatmap_cells(run: Run, backend: str, reference: str, verdicts) -> pd.DataFrame:
    """One row per (m, n_x) of the run's grid: what the heatmap shows and says on hover."""
    table = run.table.set_index(["backend", "m", "n_x"])
    found = speedups(run.table, backend, reference).set_index(["m", "n_x"])
    claim = next(
        (v for v in verdicts if (v.claim.backend, v.claim.baseline) == (backend, reference)), None
    )
    classes = claim.points.set_index(["m", "n_x"]) if claim is not None else pd.DataFrame()
    rows = []
    for m in sorted(run.table["m"].unique()):
        for n_x in sorted(run.table["n_x"].unique()):
            cell = {"m": f"{m:,}", "n_x": f"{n_x:,}", "speedup": np.nan, "interval": "–"}
            own = table.loc[(backend, m, n_x)] if (backend, m, n_x) in table.index else None
            base = table.loc[(reference, m, n_x)] if (reference, m, n_x) in table.index else None
            cell["own_time"] = _time(own)
            cell["reference_time"] = _time(base)
            cell["data_source"] = own["data_source"] if own is not None else "–"
            busy = [r is not None and r.get("busy") is True for r in (own, base)]
            cell["busy"] = "yes" if any(busy) else "no"
            cell["class"] = cell["class_at_least"] = "–"
            if (m, n_x) in found.index:
                point = found.loc[(m, n_x)]
                cell["speedup"] = point["speedup"]
                if point["predicted"]:
                    cell["status"] = f"predicted: {reference} was skipped, its predicted time used"
                    cell["label"] = f"~{format_ratio(point['speedup'])}x predicted"
                else:
                    cell["status"] = str(Status.MEASURED)
                    if point["low"] == point["low"]:
                        cell["interval"] = (
                            f"[{format_ratio(point['low'])}, {format_ratio(point['high'])}]"
                        )
                    cell["label"] = f"{format_ratio(point['speedup'])}x"
                if (m, n_x) in classes.index:
                    cell["class"] = classes.loc[(m, n_x), "class"]
                    cell["class_at_least"] = classes.loc[(m, n_x), "class_at_least"]
            else:
                cell["status"] = _not_run(own, base)
                cell["label"] = "not run"
            if cell["busy"] == "yes":
                cell["label"] += " *"
            rows.append(cell)
    return pd.DataFrame(rows)


def _time(point) -> str:
    if point is None:
        return "not in this run"
    if point["status"] == Status.MEASURED:
        return format_seconds(point["median_s"])
    return f"{point['status']}: {point['reason']}"


def _not_run(own, base) -> str:
    reasons = [p["reason"] for p in (own, base) if p is not None and p["status"] != Status.MEASURED]
    return "; ".join(reasons) or "not in this run"


def heatmap(run: Run, reference: str, verdicts, name: str):
    backend = heatmap_backend(run, reference)
    if backend is None:
        return Div(text=f"<p>No backend but {reference} was run.</p>")
    cells = heatmap_cells(run, backend, reference, verdicts)
    finite = cells["speedup"].dropna()
    low, high = (max(finite.min(), 1e-2), finite.max()) if len(finite) else (1.0, 10.0)
    mapper = LogColorMapper(Viridis256, low=low, high=high, nan_color="#dddddd")
    # White on the dark third of viridis, black elsewhere.
    share = np.log(cells["speedup"].clip(lower=low) / low) / max(np.log(high / low), 1e-9)
    cells["text_color"] = np.where(share < 0.35, "white", "black")
    plot = figure(
        x_range=list(dict.fromkeys(cells["m"])),
        y_range=list(dict.fromkeys(cells["n_x"])),
        title=f"{backend} over {reference}: speedup per point (hover a cell; * beside other work)",
        x_axis_label="m (examples)",
        y_axis_label="n_x (features)",
        width=WIDTH,
        height=110 + 70 * cells["n_x"].nunique(),
        tools="hover,save",
        toolbar_location="right",
    )
    source = _source(cells, name=f"{name}-cells")
    plot.rect(
        "m",
        "n_x",
        1,
        1,
        source=source,
        name=name,
        line_color="white",
        fill_color={"field": "speedup", "transform": mapper},
    )
    plot.text(
        "m",
        "n_x",
        text="label",
        source=source,
        text_align="center",
        text_baseline="middle",
        text_font_size="9pt",
        text_color="text_color",
    )
    plot.add_layout(ColorBar(color_mapper=mapper, title="speedup (×)"), "right")
    plot.select_one(HoverTool).tooltips = [
        ("m, n_x", "@m, @n_x"),
        ("speedup", "@speedup{0.[000]}x"),
        ("95% interval", "@interval"),
        ("'~Nx' reading", "@class"),
        ("'at least Nx' reading", "@class_at_least"),
        (backend, "@own_time"),
        (reference, "@reference_time"),
        ("data from", "@data_source"),
        ("status", "@status"),
        ("beside other work", "@busy"),
    ]
    return plot


def speedup_panels(run: Run, reference: str, x: str, panel: str, xlabel: str):
    """Speedup against x, one small chart per value of panel, a band per backend."""
    backends = [b for b in _backends(run) if b != reference]
    colors = style.colors(_backends(run))
    points = {b: speedups(run.table, b, reference) for b in backends}
    points = {b: found[~found["predicted"]] for b, found in points.items()}
    values = style.panel_values(v for p in points.values() for v in p[panel])
    charts = []
    for value in values:
        plot = log_log(f"{panel} = {value:,}", xlabel, f"speedup over {reference}", 360, 300)
        for backend, found in points.items():
            here = found[found[panel] == value].sort_values(x)
            if here.empty:
                continue
            source = _source(here)
            plot.varea(
                x,
                "low",
                "high",
                source=source,
                fill_color=colors[backend],
                fill_alpha=0.15,
                legend_label=backend,
            )
            plot.line(x, "speedup", source=source, color=colors[backend], legend_label=backend)
            plot.scatter(x, "speedup", source=source, color=colors[backend], legend_label=backend)
        for claim in CLAIMS:
            if claim.baseline == reference:
                plot.add_layout(
                    Span(
                        location=claim.factor,
                        dimension="width",
                        line_dash="dashed",
                        line_color="gray",
                    )
                )
        if plot.legend:
            plot.legend.click_policy = "hide"
            plot.legend.label_text_font_size = "8pt"
        charts.append(plot)
    return gridplot(charts, ncols=3) if charts else Div(text="<p>No speedups to show.</p>")


def log_log(title: str, x_label: str, y_label: str, width: int = 540, height: int = 380):
    """A chart with both axes logarithmic, as every chart here but the heatmap."""
    return figure(
        x_axis_type="log",
        y_axis_type="log",
        width=width,
        height=height,
        title=title,
        x_axis_label=x_label,
        y_axis_label=y_label,
        tools="pan,wheel_zoom,reset,save",
    )


def time_and_throughput(run: Run):
    """Time per step against m·n_x, and bytes of X per second with the memory roof and cache."""
    colors = style.colors(_backends(run))
    times = log_log("time per step", "m·n_x", "seconds")
    rates = log_log("throughput: bytes of X per second", "bytes of X", "bytes/s")
    measured = run.measured.assign(rate=lambda t: t["bytes_X"] / t["median_s"])
    for backend, points in measured.groupby("backend", sort=False):
        points = points.sort_values("elements")
        source = _source(points[["elements", "bytes_X", "median_s", "rate"]])
        for plot, y in ((times, "median_s"), (rates, "rate")):
            x = "elements" if plot is times else "bytes_X"
            plot.scatter(x, y, source=source, color=colors[backend], legend_label=backend)
    if run.bandwidth_Bps:
        rates.add_layout(
            Span(location=run.bandwidth_Bps, dimension="width", line_color="red", line_width=2)
        )
        rates.title.text += f"; red: memory roof {run.bandwidth_Bps / 1e9:.1f} GB/s"
    if run.cache_bytes:
        rates.add_layout(Span(location=run.cache_bytes, dimension="height", line_dash="dotted"))
        rates.title.text += f"; dotted: cache {run.cache_bytes / 2**20:.0f} MiB"
    for plot in (times, rates):
        plot.legend.click_policy = "hide"
        plot.legend.label_text_font_size = "8pt"
        plot.legend.location = "top_left"
    return row(times, rates)


def run_panel(judged: Judged, index: int, reference: str) -> TabPanel:
    run, verdicts, failures = judged.run, judged.verdicts, judged.failures
    parts = [
        Div(
            text=html([f"**{describe.label(run)}**, from `{Path(run.source).name}`.", ""]),
            width=WIDTH,
        ),
        heatmap(run, reference, verdicts, name=f"heatmap-{index}"),
        Div(text="<h3>Speedup against m</h3>"),
        speedup_panels(run, reference, "m", "n_x", "m (examples)"),
        Div(text="<h3>Speedup against n_x</h3>"),
        speedup_panels(run, reference, "n_x", "m", "n_x (features)"),
        Div(text="<h3>Time per step and throughput</h3>"),
        time_and_throughput(run),
        Div(text=html(verdict_section(verdicts, failures)), width=WIDTH),
    ]
    sections = (yours_section(run), placement_section(run))
    parts += [Div(text=html(section), width=WIDTH) for section in sections if section]
    if not run.lecture.empty:
        parts.append(Div(text=html(lecture_section(run)), width=WIDTH))
    parts.append(Div(text=html(machine_section(run)), width=WIDTH))
    title = f"{describe.cpu(run)}, {run.dtype}, {run.threads} thread(s)"
    return TabPanel(child=column(*parts), title=f"{index + 1}: {title}")


def write_page(
    tabs: list[Judged],
    results_dir: Path,
    reference: str,
    opening: list[str] = (),
    closing: list[str] = (),
) -> Path:
    """results_dir/report.html: the answer from the first run, the opening lines (your run
    against ours), a tab for each run given, and the closing lines (our atlas and every run
    we report)."""
    links = " · ".join(f'<a href="{name}">{name}</a>' for name in LINKED)
    parts = [
        Div(text="<h1>Does vectorizing logistic regression's gradient step pay?</h1>", width=WIDTH),
        Div(text=html(answer_lines(tabs[0])), width=WIDTH, name="answer"),
        Div(text=f"<p>Every number with its interval: {links}.</p>", width=WIDTH),
    ]
    if opening:
        parts.append(Div(text=html(list(opening)), width=WIDTH, name="opening"))
    parts.append(
        Tabs(tabs=[run_panel(tab, i, reference) for i, tab in enumerate(tabs)], name="runs")
    )
    if closing:
        parts.append(Div(text=html(list(closing)), width=WIDTH, name="closing"))
    path = results_dir / PAGE_NAME
    page = file_html(column(*parts), INLINE, "lr-vectorization-bench: the answer")
    write_atomic(path, page)
    return path
