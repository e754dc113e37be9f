"""Numbers as people read them: times, rates, sizes, and Markdown tables of them. Used by the
harness, the report and the regression check alike."""

from collections.abc import Iterable, Sequence


def format_seconds(seconds: float) -> str:
    """0.0123 -> '12.3 ms': three significant digits in the largest unit below the value; a
    negative difference of times keeps its sign (-0.00123 -> '-1.23 ms')."""
    if seconds < 0:
        return f"-{format_seconds(-seconds)}"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_rate(bytes_per_second: float | None) -> str:
    """25e9 -> '25 GB/s'; None or 0 -> 'not measured'."""
    return f"{bytes_per_second / 1e9:.3g} GB/s" if bytes_per_second else "not measured"


def clock(seconds: float) -> str:
    """Elapsed time as h:mm:ss."""
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


def format_ratio(value: float) -> str:
    """722.4 -> '722', 1834.2 -> '1,834', 0.2414 -> '0.241': three digits, no exponent."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def markdown_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], align: str = ""
) -> list[str]:
    """The lines of a Markdown table: the header, its rule (``align``: "l" or "r" per column,
    left where not given) and a line per row, each cell as ``str`` gives it."""
    rule = ["---:" if side == "r" else "---" for side in align.ljust(len(columns), "l")]
    return [_table_line(columns), _table_line(rule), *(_table_line(map(str, r)) for r in rows)]


def _table_line(cells: Iterable[str]) -> str:
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"
