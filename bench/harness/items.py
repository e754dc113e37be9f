"""What a sweep's test items carry: their parameters, the point they measure, their benchmark."""

import pytest


def point(item: pytest.Item) -> tuple[int, str, int, int] | None:
    """(pass, backend, m, n_x) of a gradient step's test, else None."""
    if param(item, "backend") is None:
        return None
    return tuple(item.callspec.params[k] for k in ("pass_number", "backend", "m", "n_x"))


def stats(item: pytest.Item) -> dict | None:
    """The test's benchmark as pytest-benchmark writes it, if it timed one."""
    fixture = item.funcargs.get("benchmark") if hasattr(item, "funcargs") else None
    found = getattr(fixture, "stats", None)
    return found.as_dict(include_data=True) if found else None


def param(item: pytest.Item, name: str):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(name) if callspec else None


def timed(item: pytest.Item) -> bool:
    """A gradient step's test, at a point of the grid or of the placement study."""
    return bool(param(item, "backend") or param(item, "study_backend"))
