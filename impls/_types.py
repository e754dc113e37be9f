"""What every backend returns (``Gradient``) and what every backend is (``Backend``)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np


class Gradient(NamedTuple):
    """One gradient step's output: ∂J/∂w, ∂J/∂b and the cost J itself."""

    dw: np.ndarray
    db: float
    cost: float


class PlanChoice(NamedTuple):
    """The plan a backend's ``prepare`` chose for one problem, and how it chose it."""

    plan: str  # the plan's name, as ``LRBENCH_PLAN`` takes it
    source: str  # "tuned" (timed now), "cached" (timed before), "forced", "only candidate"
    tuning_s: float  # seconds spent timing the candidates now (0 unless tuned)
    seconds: dict[str, float]  # each candidate's seconds a step on the sample, when timed


@dataclass(frozen=True)
class Plans:
    """The optional part of the contract for a backend that chooses among plans where it runs.

    - ``chosen(data) -> PlanChoice``: the plan ``prepare`` chose for this data.
    - ``names(X) -> tuple[str, ...]``: the plans ``prepare`` may choose among for this X.
    - ``prepare(X, Y, plan) -> data``: ``prepare`` with that plan, without choosing.
    """

    chosen: Callable[[Any], PlanChoice]
    names: Callable[[np.ndarray], tuple[str, ...]]
    prepare: Callable[[np.ndarray, np.ndarray, str], Any]


@dataclass(frozen=True)
class Backend:
    """The contract of a backend: everything a caller, or a benchmark, may know of it.

    - ``prepare(X, Y) -> data``: layout conversion of validated input (X of
      shape (n_x, m), examples as columns; Y of shape (m,)). Never timed.
    - ``gradient(w, b, data) -> Gradient``: one step; what a benchmark times.
      It must not modify its inputs, so repeated calls do identical work.
    - ``memory_bytes(m, n_x, itemsize)``: the bytes it holds for one problem
      beyond the caller's X and Y (its prepared copy and its temporaries), so a
      benchmark can skip a problem that would not fit.
    - ``passes_over_x``: how many times one step reads X from memory when X
      is larger than the cache; a roofline divides the read bandwidth by it.
    - ``description``: one line saying which loops it has and why it is as
      fast as it is.
    - ``lazy_input``: whether ``prepare`` takes lazy (dask) arrays as they are,
      checking their values itself as it goes; other backends get lazy input
      loaded into memory and checked first.
    - ``plans``: for a backend whose ``prepare`` chooses a plan on the machine
      (``Plans``), how to read and force that choice; None for the others.
    """

    name: str
    prepare: Callable[[np.ndarray, np.ndarray], Any]
    gradient: Callable[[np.ndarray, float, Any], Gradient]
    memory_bytes: Callable[[int, int, int], int]
    passes_over_x: int
    description: str
    lazy_input: bool = False
    plans: Plans | None = None

    def __post_init__(self) -> None:
        problems = []
        if not (isinstance(self.name, str) and self.name.isidentifier()):
            problems.append(f"name must be an identifier such as 'my_backend'; got {self.name!r}")
        problems += [
            f"{field} must be callable"
            for field in ("prepare", "gradient", "memory_bytes")
            if not callable(getattr(self, field))
        ]
        if isinstance(self.passes_over_x, bool) or not (
            isinstance(self.passes_over_x, int) and self.passes_over_x >= 1
        ):
            problems.append(f"passes_over_x must be an int ≥ 1; got {self.passes_over_x!r}")
        if not (isinstance(self.description, str) and self.description.strip()):
            problems.append("description must be a non-empty line of text")
        elif "\n" in self.description.strip():
            problems.append("description must be one line")
        if problems:
            raise ValueError(f"backend {self.name!r}: " + "; ".join(problems))


def copy_of_x(m: int, n_x: int, itemsize: int) -> int:
    """``memory_bytes`` of a backend that keeps one numpy copy of X (and small vectors)."""
    return itemsize * m * n_x + 8 * (m + n_x)
