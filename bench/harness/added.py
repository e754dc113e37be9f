"""Your own gradient step, written the course's way, as a backend: checked before any timing.

A function ``step(w, b, X, Y)`` as the course writes it (w of shape (n_x, 1), X (n_x, m), Y
(1, m)) returning dw, db and the cost (as a tuple, or as the course's dict of "dw" and "db"
with the cost beside it). It joins a sweep from the command line (``--add FILE.py:FUNCTION``,
imported again in each pass's process, its file's SHA-256 checked there) or from Python
(``bench.compare``). Before anything is timed it must agree with the high-precision reference
(``bench.reference``) on small problems, and what a step allocates beyond X and Y is measured
(tracemalloc), not declared, so the sweep's memory guard knows it.
"""

import hashlib
import importlib.util
import sys
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import impls

from ..problem import weights
from ..reference import relative_errors
from .settings import OptionError

# Small problems the function must get right before it is timed: (m, n_x, seed).
CHECKS = ((7, 3, 1), (64, 17, 2), (300, 40, 3))
# How far from the reference a part may be, relative to what was summed: a float64 step in
# any order of summation is far within it; a wrong formula is far outside.
RTOL = 1e-6
# Where the memory a step allocates is measured: two sizes, to fit bytes ≈ a + c·m·n_x.
MEMORY_PROBES = ((400, 50), (1600, 50))


class AddedFunctionError(OptionError):
    """A function that cannot join the sweep: the message names the function and why."""


@dataclass(frozen=True)
class AddedFunction:
    """Where a function a user added lives: its file and name (``FILE.py:FUNCTION``)."""

    path: Path
    name: str

    @classmethod
    def parse(cls, spec: str) -> "AddedFunction":
        """'steps.py:mine' -> the file (made absolute) and the function; an error names it."""
        file, _, name = spec.rpartition(":")
        if not file or not name.isidentifier():
            raise AddedFunctionError(
                f"--add {spec}: expected FILE.py:FUNCTION, e.g. my_steps.py:gradient_step"
            )
        path = Path(file).expanduser().resolve()
        if not path.is_file():
            raise AddedFunctionError(f"--add {spec}: no such file {path}")
        return cls(path, name)

    @property
    def spec(self) -> str:
        return f"{self.path}:{self.name}"

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def load(self) -> Callable:
        """The function, its file imported as a module of its own (an error names why not)."""
        module_name = f"lrbench_added_{hashlib.sha1(str(self.path).encode()).hexdigest()[:12]}"
        try:
            spec = importlib.util.spec_from_file_location(module_name, self.path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except Exception as exc:  # whatever the user's file raises on import
            raise AddedFunctionError(
                f"--add {self.spec}: cannot import {self.path.name}: {type(exc).__name__}: {exc}"
            ) from None
        function = getattr(module, self.name, None)
        if not callable(function):
            raise AddedFunctionError(
                f"--add {self.spec}: {self.path.name} has no function {self.name}"
            )
        return function


def as_gradient(result, n_x: int, where: str) -> impls.Gradient:
    """A course-style result (dw, db, cost), or ({"dw", "db"}, cost), or {"dw", "db", "cost"}, as
    a Gradient; an AddedFunctionError says what was wrong with it."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Mapping):
        result = {**result[0], "cost": result[1]}
    if isinstance(result, Mapping):
        missing = [key for key in ("dw", "db", "cost") if key not in result]
        if missing:
            raise AddedFunctionError(f"{where}: the result has no {', '.join(missing)}")
        result = (result["dw"], result["db"], result["cost"])
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise AddedFunctionError(
            f"{where}: returned {type(result).__name__}; expected dw, db, cost (a tuple, or the "
            "course's dict of dw and db with the cost)"
        )
    dw, db, cost = result
    dw = np.asarray(dw)
    if dw.size != n_x or dw.ndim > 2 or (dw.ndim == 2 and 1 not in dw.shape):
        raise AddedFunctionError(f"{where}: dw has shape {dw.shape}; expected ({n_x}, 1)")
    for part, value in (("db", db), ("cost", cost)):
        if np.size(value) != 1:
            raise AddedFunctionError(
                f"{where}: {part} has shape {np.shape(value)}; expected a number"
            )
    return impls.Gradient(
        dw.reshape(-1).astype(np.float64), float(np.ravel(db)[0]), float(np.ravel(cost)[0])
    )


def adapter(function: Callable, name: str) -> tuple[Callable, Callable]:
    """(prepare, gradient) with the contract's signatures around a course-style function: X as
    given, Y as a (1, m) row, w as an (n_x, 1) column; the result as a Gradient."""

    def prepare(X, Y):
        return X, np.asarray(Y).reshape(1, -1)

    def gradient(w, b, data):
        X, Y = data
        return as_gradient(function(w.reshape(-1, 1), b, X, Y), X.shape[0], name)

    gradient.__qualname__ = name
    return prepare, gradient


def check(function: Callable, name: str) -> None:
    """The function against the reference on small problems; an AddedFunctionError names the
    part that is wrong, the size and the relative error, or what the function raised."""
    prepare, _ = adapter(function, name)
    for m, n_x, seed in CHECKS:
        X, Y = impls.make_problem(m, n_x, seed)
        w, b = weights(n_x, seed)
        where = f"{name} at m={m}, n_x={n_x}"
        X_course, Y_course = prepare(X, Y)
        try:
            returned = function(w.reshape(-1, 1), b, X_course, Y_course)
        except Exception as exc:  # whatever the user's function raises
            raise AddedFunctionError(f"{where} raised {type(exc).__name__}: {exc}") from None
        result = as_gradient(returned, n_x, where)
        errors = relative_errors(result.dw, result.db, result.cost, w, b, X, Y)
        wrong = {part: error for part, error in errors.items() if not error <= RTOL}
        if wrong:
            said = ", ".join(
                f"{part} off by {error:.3g} (relative)" for part, error in wrong.items()
            )
            raise AddedFunctionError(
                f"{where} disagrees with the high-precision reference: {said}; at most {RTOL:g} "
                "is allowed. Nothing was timed."
            )


def measured_memory(function: Callable, name: str) -> Callable[[int, int, int], int]:
    """memory_bytes for the contract: what one step allocated at its peak beyond X and Y, at
    two sizes (tracemalloc, which sees numpy's allocations), as bytes ≈ a + c·m·n_x·itemsize."""
    prepare, gradient = adapter(function, name)
    peaks = []
    for m, n_x in MEMORY_PROBES:
        X, Y = impls.make_problem(m, n_x, seed=0)
        w, b = weights(n_x, 0)
        data = prepare(X, Y)
        tracemalloc.start()
        gradient(w, b, data)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    (m1, n1), (m2, n2) = MEMORY_PROBES
    slope = max(0.0, (peaks[1] - peaks[0]) / (8 * (m2 * n2 - m1 * n1)))  # per byte of X
    fixed = max(0, peaks[0] - slope * 8 * m1 * n1)

    def memory_bytes(m: int, n_x: int, itemsize: int) -> int:
        return int(fixed + slope * itemsize * m * n_x)

    return memory_bytes


def register(added: AddedFunction | None, function: Callable, name: str) -> impls.Backend:
    """Check the function, measure its memory and register it as a backend named ``name``."""
    if name in impls.BACKENDS:
        raise AddedFunctionError(
            f"--add {added.spec if added else name}: a backend named {name} exists already; "
            "rename your function"
        )
    check(function, name)
    prepare, gradient = adapter(function, name)
    where = f"from {added.path}" if added else "from Python"
    return impls.register(
        impls.Backend(
            name,
            prepare,
            gradient,
            measured_memory(function, name),
            passes_over_x=1,
            description=f"your function {name}, {where}",
        )
    )


def register_file(added: AddedFunction, sha256: str | None = None) -> impls.Backend:
    """A function from its file (in a pass's process: the same file the sweep checked)."""
    if sha256 is not None and added.sha256() != sha256:
        raise AddedFunctionError(f"--add {added.spec}: the file changed since the sweep began")
    return register(added, added.load(), added.name)
