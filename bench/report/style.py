"""What the charts (matplotlib) and the page (bokeh) draw alike: a backend's colour, and which
values of a grid get a panel of their own."""

import numpy as np

# The category-10 palette (matplotlib's tab10, bokeh's Category10_10), a colour per backend in
# the order the run lists them.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
# Panels a chart of speedups gives the values of its second size at most (the ends kept).
MAX_PANELS = 5


def colors(backends: list[str]) -> dict[str, str]:
    return {backend: PALETTE[i % len(PALETTE)] for i, backend in enumerate(backends)}


def panel_values(values, limit: int = MAX_PANELS) -> list:
    """The sorted distinct values, evenly thinned to at most limit, both ends kept."""
    values = sorted(set(values))
    if len(values) <= limit:
        return values
    return [values[i] for i in np.linspace(0, len(values) - 1, limit).round().astype(int)]
