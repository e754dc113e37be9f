"""A result file read and validated, and written back: the one place that knows its shape.

A result file is pytest-benchmark's JSON with our additions: machine facts
under ``machine_info["lrbench"]`` and, under ``lrbench``, the schema version,
the sweep's settings, the skipped points, each backend's first (compiling)
call and each backend's contract facts. ``parse`` validates the whole
document once, naming the file and the field at fault, and returns its parts
(``Parts``); ``bench.results.Run`` is built from them.

Schema versions: 1 (no ``lrbench.schema_version``; settings as a JSON string
in ``lrbench.sweep``; no backend facts) is brought to 2's shape first, in one
place (``_update_to_2``, asv's ``update_to_N``); 2 is what the harness writes
now. Any other version is refused, never guessed at. The record vocabulary
itself is ``bench.records``.
"""

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .files import write_atomic
from .machine_facts import EVERY_MEMBER, FACTS
from .records import BEST_PLACEMENT, CALIBRATION, LECTURE, POINT_NUMBERS, DataSource, Status
from .settings import DTYPES, ONE_PROCESS, Settings

READABLE_SCHEMAS = (1, 2)
# Version 1 files carry no backend facts; this is what that harness assumed.
V1_PASSES_OVER_X = {"vectorized": 2}
STATS_OF_CALIBRATION = ("min", "iqr", "median")
STATS = ("median", "q1", "q3", "iqr", "min", "max", "stddev")


class ResultsError(ValueError):
    """A results file that is missing, malformed or cannot be used; the message says which."""


class Parts(NamedTuple):
    """A validated document's parts, each in the shape its reader needs."""

    settings: Settings
    facts: dict
    backends: dict[str, dict]
    first_call_s: dict[str, float]
    measured: list[dict]  # a row per point and pass
    skipped: list[dict]  # a row per skipped point
    lecture: list[dict]
    placed: list[dict]
    calibration: dict[str, float]  # each calibration kernel's fastest round
    calibration_spreads: list[float]  # each window's IQR over median
    stores: list[dict]
    unfinished: list[tuple[int, str, int, int]]
    schema_version: int
    commit: str
    made: str


def read_document(path: str | os.PathLike) -> dict:
    """The JSON object in a results file; ResultsError if it is missing or not JSON."""
    path = Path(path)
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such results file (run `nox -s bench` first)") from None
    except IsADirectoryError:
        raise ResultsError(f"{path}: is a folder, not a results file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: not a readable JSON results file: {exc}") from None
    if not isinstance(document, dict):
        raise ResultsError(f"{path}: not a results file (a JSON object was expected)")
    return document


def parse(document: dict, source: str) -> Parts:
    """Every field checked (ResultsError names ``source`` and the field at fault)."""
    check = _Checker(source)
    version = _schema_version(document, check)
    shaped = _update_to_2(document, check) if version == 1 else document
    extra = shaped["lrbench"]
    backends = _backend_facts(extra, check)
    measured, lecture, placed, calibration, spreads = _benchmarks(shaped, check)
    skipped = check.get(extra, "skipped", "list", "lrbench")
    skipped = [_skipped_row(s, f"lrbench.skipped[{i}]", check) for i, s in enumerate(skipped)]
    first_call = check.get(extra, "first_call_s", "dict", "lrbench")
    for name in first_call:
        check.get(first_call, name, "number", "lrbench.first_call_s")
    unknown = sorted({row["backend"] for row in measured + skipped} - backends.keys())
    if unknown:
        raise check.fail(f"backend(s) {', '.join(unknown)} measured but not in lrbench.backends")
    _check_points(measured, skipped, check)
    return Parts(
        settings=_settings(extra, check),
        facts=_facts(shaped, check),
        backends=backends,
        first_call_s=first_call,
        measured=measured,
        skipped=skipped,
        lecture=lecture,
        placed=placed,
        calibration=calibration,
        calibration_spreads=spreads,
        stores=_stores(extra, check),
        unfinished=_unfinished(extra, check),
        schema_version=version,
        commit=document.get("commit_info", {}).get("id") or "?",
        made=document.get("datetime") or "?",
    )


def write_document(path: str | os.PathLike, document: dict) -> None:
    """The file, with every round's time compacted (``compact``), written whole."""
    write_atomic(path, json.dumps(compact(document), indent=1))


def compact(document: dict) -> dict:
    """The document with every round's time kept to 6 significant digits (nanoseconds at
    millisecond steps: finer than the timer's noise), so a run of a few thousand rounds per
    point stays a few megabytes."""

    def rounded(stats: dict) -> dict:
        if "data" not in stats:
            return stats
        return stats | {"data": [float(f"{t:.6g}") for t in stats["data"]]}

    benchmarks = [b | {"stats": rounded(b["stats"])} for b in document["benchmarks"]]
    return document | {"benchmarks": benchmarks}


def _check_points(measured: list[dict], skipped: list[dict], check: "_Checker") -> None:
    """Each point at most once per pass, and never both measured and skipped."""
    seen = set()
    for row in measured:
        key = (row["backend"], row["m"], row["n_x"], row["pass_number"])
        if key in seen:
            raise check.fail(
                f"point {row['backend']} m={row['m']} n_x={row['n_x']} appears more than once "
                f"in pass {row['pass_number']}"
            )
        seen.add(key)
    points = {key[:3] for key in seen}
    for row in skipped:
        key = (row["backend"], row["m"], row["n_x"])
        if key in points:
            raise check.fail(
                f"point {row['backend']} m={row['m']} n_x={row['n_x']} is both measured and skipped"
            )
        points.add(key)


# ---- each check names the file and the field

_KINDS = {
    "int": "an integer",
    "positive int": "a positive integer",
    "number": "a finite number ≥ 0",
    "str": "a string",
    "dict": "an object",
    "list": "a list",
    "bool": "true or false",
}


def _is(value: object, kind: str) -> bool:
    if kind in ("int", "positive int"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return ok and (kind == "int" or value > 0)
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok and math.isfinite(value) and value >= 0
    return isinstance(value, {"str": str, "dict": dict, "list": list, "bool": bool}[kind])


@dataclass
class _Checker:
    source: str

    def fail(self, message: str) -> ResultsError:
        return ResultsError(f"{self.source}: {message}")

    def get(self, obj: dict, key: str, kind: str, where: str, optional: bool = False):
        path = f"{where}.{key}" if where else key
        if key not in obj or (optional and obj[key] is None):
            if optional:
                return None
            raise self.fail(f"{path} is missing; was this file written by `python -m bench`?")
        value = obj[key]
        if not _is(value, kind):
            raise self.fail(f"{path} must be {_KINDS[kind]}; got {value!r:.60}")
        return value


def _schema_version(document: dict, check: _Checker) -> int:
    extra = document.get("lrbench")
    if not isinstance(extra, dict):
        raise check.fail(
            "lrbench is missing or not an object; was this file written by the harness?"
        )
    version = extra.get("schema_version", 1)
    if version not in READABLE_SCHEMAS or isinstance(version, bool):
        readable = " and ".join(map(str, READABLE_SCHEMAS))
        raise check.fail(
            f"schema version {version!r} is not one this harness reads ({readable}); "
            "use the version of lr-vectorization-bench that wrote it"
        )
    return version


def _update_to_2(document: dict, check: _Checker) -> dict:
    """A version 1 file in version 2's shape (asv's ``update_to_N``), so that every reader
    after this one reads one shape: its settings were a JSON string (one pass, float64), its
    points had no pass number (their one pass), it recorded no backend facts (what that
    harness assumed: two passes over X for vectorized, one for the rest)."""
    extra = document["lrbench"]
    text = check.get(extra, "sweep", "str", "lrbench")
    try:
        settings = json.loads(text)
    except json.JSONDecodeError as exc:
        raise check.fail(f"lrbench.sweep is not JSON: {exc}") from None
    if not isinstance(settings, dict):
        raise check.fail("lrbench.sweep must hold a JSON object")
    settings = {"dtype": "float64", "passes": 1} | settings
    backends = check.get(settings, "backends", "list", "lrbench.sweep")
    facts = {b: {"description": "", "passes_over_x": V1_PASSES_OVER_X.get(b, 1)} for b in backends}
    benchmarks = [
        bench | {"params": {"pass_number": 1} | bench["params"]}
        if isinstance(bench, dict) and isinstance(bench.get("params"), dict)
        else bench
        for bench in check.get(document, "benchmarks", "list", "")
    ]
    return document | {
        "benchmarks": benchmarks,
        "lrbench": extra | {"settings": settings, "backends": facts},
    }


def _settings(extra: dict, check: _Checker) -> Settings:
    settings = check.get(extra, "settings", "dict", "lrbench")
    # Runs from before fresh processes per pass (issue 20) ran every pass in one.
    settings = {"processes": ONE_PROCESS} | settings
    where = "lrbench.settings"
    check.get(settings, "preset", "str", where)
    for key in ("m", "n_x", "backends"):
        check.get(settings, key, "list", where)
    check.get(settings, "threads", "positive int", where)
    dtype = check.get(settings, "dtype", "str", where)
    if dtype not in DTYPES:
        raise check.fail(f"{where}.dtype must be one of {', '.join(DTYPES)}; got {dtype!r}")
    for index, added in enumerate(check.get(settings, "added", "list", where, optional=True) or []):
        at = f"{where}.added[{index}]"
        if not isinstance(added, dict) or set(added) - {"function", "path", "sha256"}:
            raise check.fail(f"{at} must be an object of function, path and sha256")
        check.get(added, "function", "str", at)
        for key in ("path", "sha256"):
            check.get(added, key, "str", at, optional=True)
    return Settings.from_dict(settings)


def _backend_facts(extra: dict, check: _Checker) -> dict:
    facts = check.get(extra, "backends", "dict", "lrbench")
    for name, contract in facts.items():
        where = f"lrbench.backends.{name}"
        if not isinstance(contract, dict):
            raise check.fail(f"{where} must be an object")
        check.get(contract, "description", "str", where)
        check.get(contract, "passes_over_x", "positive int", where)
    return facts


def _benchmarks(
    document: dict, check: _Checker
) -> tuple[list[dict], list[dict], list[dict], dict, list[float]]:
    """The gradient steps' rows (one per point and pass), the lecture demo's rows, the
    placement study's rows, each calibration kernel's fastest round and each calibration
    window's spread (IQR / median)."""
    benchmarks = check.get(document, "benchmarks", "list", "")
    if not benchmarks:
        raise check.fail("benchmarks is empty: the run measured nothing")
    measured, lecture, placed, calibration, spreads = [], [], [], {}, []
    for index, bench in enumerate(benchmarks):
        where = f"benchmarks[{index}]"
        if not isinstance(bench, dict):
            raise check.fail(f"{where} must be an object")
        if bench.get("group") == BEST_PLACEMENT:
            placed.append(_placed_row(bench, where, check))
        elif bench.get("group") == CALIBRATION:
            # The fastest round of all windows: the kernel's work never changes, so
            # anything above it measures interference, not the machine.
            kernel, fastest, spread = _calibration_stats(bench, where, check)
            calibration[kernel] = min(fastest, calibration.get(kernel, math.inf))
            spreads.append(spread)
        elif bench.get("group") == LECTURE:
            lecture.append(_lecture_row(bench, where, check))
        else:
            measured.append(_measured_row(bench, where, check))
    return measured, lecture, placed, calibration, spreads


def _measured_row(bench: dict, where: str, check: _Checker) -> dict:
    params = check.get(bench, "params", "dict", where)
    stats = check.get(bench, "stats", "dict", where)
    extra = check.get(bench, "extra_info", "dict", where, optional=True) or {}
    row = {
        "backend": check.get(params, "backend", "str", f"{where}.params"),
        "m": check.get(params, "m", "positive int", f"{where}.params"),
        "n_x": check.get(params, "n_x", "positive int", f"{where}.params"),
        "pass_number": check.get(params, "pass_number", "positive int", f"{where}.params"),
        "status": Status.MEASURED,
        **{f"{k}_s": check.get(stats, k, "number", f"{where}.stats") for k in STATS},
        "rounds": check.get(stats, "rounds", "positive int", f"{where}.stats"),
        **{
            key: check.get(extra, key, "str", f"{where}.extra_info", optional=True)
            for key in ("mode", "plan", "plan_source")
        },
        "data_source": _data_source(extra, f"{where}.extra_info", check),
        "reason": None,
    }
    for key in POINT_NUMBERS:
        row[key] = check.get(extra, key, "number", f"{where}.extra_info", optional=True)
    row["busy"] = check.get(extra, "busy", "bool", f"{where}.extra_info", optional=True)
    if not row["q1_s"] <= row["median_s"] <= row["q3_s"]:
        raise check.fail(f"{where}.stats: the median is not between q1 and q3")
    return row


def _data_source(obj: dict, where: str, check: _Checker) -> str:
    source = check.get(obj, "data_source", "str", where, optional=True) or DataSource.MEMORY
    if source not in set(DataSource):
        raise check.fail(f"{where}.data_source must be one of {', '.join(DataSource)}")
    return DataSource(source)


def _placed_row(bench: dict, where: str, check: _Checker) -> dict:
    """A point of the placement study: a backend's step with X on a page boundary, in a pass."""
    params = check.get(bench, "params", "dict", where)
    stats = check.get(bench, "stats", "dict", where)
    extra = check.get(bench, "extra_info", "dict", where)
    return {
        "backend": check.get(params, "study_backend", "str", f"{where}.params"),
        "m": check.get(params, "m", "positive int", f"{where}.params"),
        "n_x": check.get(params, "n_x", "positive int", f"{where}.params"),
        "pass_number": check.get(params, "pass_number", "positive int", f"{where}.params"),
        "median_s": check.get(stats, "median", "number", f"{where}.stats"),
        "x_offset": check.get(extra, "x_offset", "int", f"{where}.extra_info"),
    }


def _lecture_row(bench: dict, where: str, check: _Checker) -> dict:
    params = check.get(bench, "params", "dict", where)
    stats = check.get(bench, "stats", "dict", where)
    return {
        "kernel": check.get(params, "kernel", "str", f"{where}.params"),
        "pass_number": check.get(params, "pass_number", "positive int", f"{where}.params"),
        **{f"{k}_s": check.get(stats, k, "number", f"{where}.stats") for k in ("median", "min")},
    }


def _skipped_row(skip: object, where: str, check: _Checker) -> dict:
    if not isinstance(skip, dict):
        raise check.fail(f"{where} must be an object")
    return {
        "backend": check.get(skip, "backend", "str", where),
        "m": check.get(skip, "m", "positive int", where),
        "n_x": check.get(skip, "n_x", "positive int", where),
        "status": check.get(skip, "status", "str", where),
        "data_source": _data_source(skip, where, check),
        "predicted_s": check.get(skip, "predicted_s", "number", where, optional=True),
        "reason": check.get(skip, "reason", "str", where),
    }


def _calibration_stats(bench: dict, where: str, check: _Checker) -> tuple[str, float, float]:
    """A calibration window's kernel, fastest round and spread of rounds (IQR / median)."""
    params = check.get(bench, "params", "dict", where)
    stats = check.get(bench, "stats", "dict", where)
    kernel = check.get(params, "kernel", "str", f"{where}.params")
    fastest, iqr, median = (
        check.get(stats, key, "number", f"{where}.stats") for key in STATS_OF_CALIBRATION
    )
    return kernel, fastest, iqr / median if median > 0 else math.inf


def _facts(document: dict, check: _Checker) -> dict:
    machine = check.get(document, "machine_info", "dict", "")
    facts = check.get(machine, "lrbench", "dict", "machine_info")
    where = "machine_info.lrbench"
    for key, fact in FACTS.items():
        value = check.get(facts, key, fact.kind, where, optional=not fact.required)
        for member, kind in fact.members.items() if value is not None else ():
            names = value if member == EVERY_MEMBER else [member]
            for name in names:
                optional = kind.endswith("?")
                check.get(value, name, kind.rstrip("?"), f"{where}.{key}", optional=optional)
    for threads, times in (facts.get("roof") or {}).get("seconds", {}).items():
        for name in times:
            check.get(times, name, "list", f"{where}.roof.seconds.{threads}")
    return facts


def _stores(extra: dict, check: _Checker) -> list[dict]:
    stores = check.get(extra, "stores", "list", "lrbench", optional=True) or []
    for index, store in enumerate(stores):
        where = f"lrbench.stores[{index}]"
        if not isinstance(store, dict):
            raise check.fail(f"{where} must be an object")
        for key in ("m", "n_x", "bytes"):
            check.get(store, key, "positive int", where)
        check.get(store, "make_s", "number", where, optional=True)
    return stores


def _unfinished(extra: dict, check: _Checker) -> list[tuple[int, str, int, int]]:
    incomplete = check.get(extra, "incomplete", "dict", "lrbench", optional=True)
    if incomplete is None:
        return []
    left = check.get(incomplete, "left", "list", "lrbench.incomplete")
    for index, point in enumerate(left):
        kinds = (int, str, int, int)
        if not (isinstance(point, list) and [type(v) for v in point] == list(kinds)):
            raise check.fail(
                f"lrbench.incomplete.left[{index}] must be [pass, backend, m, n_x]; "
                f"got {point!r:.60}"
            )
    return [tuple(point) for point in left]
