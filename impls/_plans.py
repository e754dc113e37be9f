"""Plans chosen on the machine that runs them: timed at first use, kept on disk.

A kernel with several ways of doing one step (``numba_fused``: which layout it reads, how
many bytes a block, how many examples a group) names them as candidates. ``choose`` times
each on a sample of the caller's own data, in a few interleaved rounds, and keeps the
fastest for the (CPU, kernel code, size class) in a JSON file, so that later processes and
sweeps reuse it without timing: FFTW's wisdom, ATLAS's install-time tuning. A change of CPU
or of the kernels' code makes every kept plan unknown, so it is timed again.

``LRBENCH_PLAN`` forces plans by name (a comma-separated list; the first that is a candidate
for the problem is used), for reproducing a recorded run. ``LRBENCH_PLAN_CACHE`` names the
file (``none``: keep plans in this process only). docs/tuning.md has the rules' measurements.
"""

import hashlib
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import numba
import numpy as np

from ._types import PlanChoice

__all__ = ["PlanChoice", "choose", "code_identity", "cpu_identity", "fastest", "time_candidates"]

PLAN_ENV = "LRBENCH_PLAN"
CACHE_ENV = "LRBENCH_PLAN_CACHE"
NO_CACHE = "none"
FILE_VERSION = 1
# Each candidate is timed in this many rounds, candidates interleaved, its fastest kept: the
# work never changes, so anything slower than the fastest round measured interference.
ROUNDS = 5
# A timing repeats a call until it lasts this long, so microsecond steps are measured too.
MIN_TIMING_S = 5e-3
# At most this long timing one size class's candidates: rounds are cut to fit (at least one).
BUDGET_S = 3.0

# How a choice was made (``PlanChoice.source``).
TUNED, CACHED, FORCED, ONLY = "tuned", "cached", "forced", "only candidate"

_chosen: dict[str, PlanChoice] = {}  # this process's choices, by cache key


def cpu_identity() -> str:
    """What identifies this CPU for a plan: LLVM's name and features for it, and the kernel's
    own description of the processor (model, stepping, cache sizes)."""
    from llvmlite import binding

    parts = [binding.get_host_cpu_name(), binding.get_host_cpu_features().flatten()]
    try:
        first = Path("/proc/cpuinfo").read_text().split("\n\n")[0]
    except OSError:
        first = platform.processor()
    keys = ("vendor_id", "cpu family", "model", "model name", "stepping", "cache size")
    parts += [line for line in first.splitlines() if line.split(":")[0].strip() in keys]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def code_identity(modules: Iterable[ModuleType]) -> str:
    """What identifies the kernels' code: the modules' source and numba's and numpy's versions."""
    digest = hashlib.sha256(f"{numba.__version__} {np.__version__}".encode())
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def cache_path() -> Path | None:
    """The plans' file: ``LRBENCH_PLAN_CACHE``, else the user's cache folder (None: no file)."""
    named = os.environ.get(CACHE_ENV)
    if named == NO_CACHE:
        return None
    if named:
        return Path(named)
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return home / "lr-vectorization-bench" / "plans.json"


def forced() -> tuple[str, ...]:
    """The plans ``LRBENCH_PLAN`` forces, in order of preference (none if unset)."""
    return tuple(name.strip() for name in os.environ.get(PLAN_ENV, "").split(",") if name.strip())


def fastest(seconds: Mapping[str, float]) -> str:
    """The candidate of least time; a tie goes to the earlier name, so the choice is
    deterministic."""
    return min(sorted(seconds), key=lambda name: seconds[name])


def _timed(run: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        run()
    return (time.perf_counter() - start) / calls


def time_candidates(
    runs: Mapping[str, Callable[[], object]], budget_s: float = BUDGET_S
) -> dict[str, float]:
    """Each candidate's seconds a call in its fastest round: one untimed call each (compiles,
    pages in), one more to size the rounds, then rounds with the candidates interleaved, as
    many as fit the budget (at least one). Sized by the first call, a compilation made the
    rounds one, and the choice that of a single noisy call."""
    first = {}
    for name, run in runs.items():
        run()
        first[name] = max(_timed(run, 1), 1e-9)
    calls = {name: max(1, int(MIN_TIMING_S / seconds)) for name, seconds in first.items()}
    per_round = sum(calls[name] * first[name] for name in runs)
    rounds = max(1, min(ROUNDS, int(budget_s / per_round)))
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for round_number in range(rounds):
        names = list(runs)
        names = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in names:
            seconds[name].append(_timed(runs[name], calls[name]))
    return {name: min(times) for name, times in seconds.items()}


def _read(path: Path) -> dict:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("version") != FILE_VERSION:
        return {}
    plans = document.get("plans")
    return plans if isinstance(plans, dict) else {}


def _keep(path: Path, key: str, entry: dict) -> None:
    """Add one plan to the file, written whole to a temporary file and renamed over it."""
    plans = _read(path) | {key: entry}
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as out:
        json.dump({"version": FILE_VERSION, "plans": plans}, out, indent=1, sort_keys=True)
    os.replace(out.name, path)


def choose(
    size_class: str,
    names: tuple[str, ...],
    make_runs: Callable[[], Mapping[str, Callable[[], object]]],
    code: str,
) -> PlanChoice:
    """The plan for a problem of this size class, among ``names``: forced, kept, or timed now
    (``make_runs`` gives, for each name, a call of one step on a sample, made only if timed)."""
    wanted = [name for name in forced() if name in names]
    if wanted:
        return PlanChoice(wanted[0], FORCED, 0.0, {})
    if len(names) == 1:
        return PlanChoice(names[0], ONLY, 0.0, {})
    key = f"{cpu_identity()}/{code}/{size_class}/{','.join(names)}"
    if key in _chosen:
        return _chosen[key]
    path = cache_path()
    kept = _read(path).get(key) if path else None
    if isinstance(kept, dict) and kept.get("plan") in names:
        choice = PlanChoice(kept["plan"], CACHED, 0.0, dict(kept.get("seconds", {})))
    else:
        start = time.perf_counter()
        seconds = time_candidates(make_runs())
        tuning_s = time.perf_counter() - start
        choice = PlanChoice(fastest(seconds), TUNED, tuning_s, seconds)
        if path:
            entry = {
                "plan": choice.plan,
                "seconds": seconds,
                "tuning_s": tuning_s,
                "size_class": size_class,
                "tuned_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            _keep(path, key, entry)
    _chosen[key] = choice._replace(source=CACHED, tuning_s=0.0)  # timed once a process
    return choice


def forget() -> None:
    """Drop this process's choices (the file is read again on the next choice)."""
    _chosen.clear()
