"""Time a base commit's backends and HEAD's on this machine, interleaved round by round.

Each side runs in worker processes of its own (``worker.py``) importing
``impls`` from its own tree: the base from a ``git worktree`` of the base
commit, the head from the working tree (or a worktree of ``--head``). A
phase starts several pairs of workers (a base and a head worker each) and
gives its rounds to them in turn, because one process can be slower than
another for its whole life (where its data and code landed): the pairs turn
that into spread the statistics see (``paired.py``). Every worker is pinned
to the same core while timed, with BLAS, OpenMP and numba held to one
thread. Each round visits every cell (backend × point) in a fresh random
order and times base and head in alternating short batches (which side goes
first is random too), so a drift of the machine's speed hits both sides of a
pair alike (Abedi & Brecht, ICPE 2017). A side's time in a round is its
fastest batch: on a VM a Python loop's speed can switch between two levels far
apart, for tens of milliseconds at a time (docs/tuning.md), and the fastest
batch of each side is, nearly always, one taken at the fast level. Before each
round both workers of its pair copy X to the same random offset in a page (a
multiple of 16 bytes, as numpy's allocator gives): the kernels read X faster
when it starts on a 32-byte boundary, which a process's allocation history
would otherwise fix for its whole life; placed anew each round, and alike on
both sides, it is spread the rounds average out instead of an offset.
"""

import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..placement import OFFSET_STEP, PAGE
from ..problem import weights
from ..records import EXAMPLE_POINT

WORKER = Path(__file__).with_name("worker.py")
PROBE_POINT = EXAMPLE_POINT
# Where compiled and numpy backends are measured: in the cache, then X (80 MB in float64)
# well beyond any last-level cache we have seen; interpreted loops get smaller points.
FAST_POINTS = (EXAMPLE_POINT, (100_000, 100))
SLOW_POINTS = ((100, 10), (1_000, 10))
FAST_CALL_S = 0.002  # at PROBE_POINT: a backend this quick gets FAST_POINTS
BATCH_S = 0.003
BATCHES = 5
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
COST_RTOL = 1e-6
# A worker's reply to one request (a round of batches, or making the data and compiling) comes
# within seconds; a worker silent this long is hung, and the check says so instead of waiting.
REPLY_TIMEOUT_S = 600
GIT_TIMEOUT_S = 300


class CheckError(Exception):
    """The two sides cannot be compared (exit 2); the message says why."""


def git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, timeout=GIT_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        raise CheckError(f"git {' '.join(args)}: no answer in {GIT_TIMEOUT_S} s") from None
    if done.returncode:
        raise CheckError(f"git {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def repository_root(start: Path) -> Path:
    try:
        return Path(git(start, "rev-parse", "--show-toplevel"))
    except (CheckError, FileNotFoundError) as exc:
        raise CheckError(f"{start} is not inside a git repository ({exc})") from None


def resolve(repo: Path, ref: str) -> str:
    """The commit ``ref`` names; a CheckError (exit 2) when there is none."""
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except CheckError:
        hint = ""
        if (repo / ".git" / "shallow").exists():
            hint = " (this clone is shallow: fetch the history, e.g. fetch-depth: 0)"
        raise CheckError(f"unknown ref {ref!r}: no such commit in {repo}{hint}") from None


@contextlib.contextmanager
def worktree(repo: Path, commit: str) -> Iterator[Path]:
    """A detached checkout of ``commit`` in a temporary folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"lrbench-{commit[:8]}-"))
    git(repo, "worktree", "add", "--detach", "--force", str(folder), commit)
    try:
        yield folder
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(folder)],
            cwd=repo,
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
        )
        git(repo, "worktree", "prune")


@dataclass
class Side:
    """One of the two trees compared: where its ``impls`` lives and what it is."""

    name: str  # "base" or "head"
    root: Path
    label: str  # commit, or "working tree"
    slowdown: dict[str, float] = field(default_factory=dict)  # the trials' test switch


def pinned_cpu() -> int | None:
    """The core both workers share: the last one this process may use (None: no affinity)."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cores = sorted(os.sched_getaffinity(0))
    return cores[-1] if len(cores) > 1 else None


class Worker:
    """A worker process and its request/reply channel."""

    def __init__(self, side: Side):
        self.side = side
        # Lives as long as the worker; closed in close().
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        env = os.environ | dict.fromkeys(THREAD_VARIABLES, "1") | {"NUMBA_NUM_THREADS": "1"}
        env.pop("PYTHONPATH", None)
        switches = [f"{name}={factor}" for name, factor in side.slowdown.items()]
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), str(side.root), *switches],
            cwd=side.root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.backends: list[str] = []
        self.impls_path = ""

    def hello(self) -> None:
        message = self.receive()
        self.backends, self.impls_path = message["backends"], message["impls"]

    def pin(self, cpu: int | None) -> None:
        if cpu is not None:
            os.sched_setaffinity(self.process.pid, {cpu})

    def receive(self) -> dict:
        # One reply per request, so nothing waits in the pipe's buffer beyond this line.
        ready, _, _ = select.select([self.process.stdout], [], [], REPLY_TIMEOUT_S)
        if not ready:
            self.process.kill()
            raise CheckError(
                f"the {self.side.name} ({self.side.label}) worker sent nothing for "
                f"{REPLY_TIMEOUT_S} s and was stopped"
            )
        line = self.process.stdout.readline()
        if not line:
            self.stderr.seek(0)
            tail = "\n".join(self.stderr.read().strip().splitlines()[-8:])
            raise CheckError(f"the {self.side.name} ({self.side.label}) worker stopped:\n{tail}")
        message = json.loads(line)
        if "error" in message:
            raise CheckError(
                f"the {self.side.name} ({self.side.label}) cannot be timed: its impls failed:\n"
                + message["error"].strip()
            )
        return message

    def send(self, op: str, **arguments) -> None:
        self.process.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.process.stdin.flush()

    def request(self, op: str, **arguments) -> dict:
        self.send(op, **arguments)
        return self.receive()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.write('{"op": "quit"}\n')
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process.stdout.close()
        self.stderr.close()


@dataclass(frozen=True)
class Cell:
    backend: str
    m: int
    n_x: int
    calls: int  # per batch


@contextlib.contextmanager
def workers(sides: list[Side], pairs: int = 1) -> Iterator[list[list[Worker]]]:
    """``pairs`` pairs of workers (base, head), all started at once (they import and compile
    on both cores before any is pinned and timed)."""
    started: list[list[Worker]] = []
    try:
        for _ in range(pairs):
            started.append([])  # appended first, so a worker that fails to start is closed too
            started[-1].extend(Worker(side) for side in sides)
        for worker in flat(started):
            worker.hello()
        yield started
    finally:
        for worker in flat(started):
            worker.close()


def flat(pairs: list[list[Worker]]) -> list[Worker]:
    return [worker for pair in pairs for worker in pair]


def check_backends(pair: list[Worker], wanted: list[str] | None) -> tuple[list[str], list[str]]:
    """The backends to compare, and those only in head (new: reported, not compared)."""
    base, head = (set(w.backends) for w in pair)
    if wanted:
        for name in wanted:
            for worker, names in zip(pair, (base, head), strict=True):
                if name not in names:
                    raise CheckError(
                        f"backend {name!r} is missing in the {worker.side.name} "
                        f"({worker.side.label}); it has: {', '.join(worker.backends)}"
                    )
        return wanted, []
    common = [name for name in pair[1].backends if name in base]
    if not common:
        raise CheckError("the base and the head have no backend in common")
    return common, [name for name in pair[1].backends if name not in base]


def prepare(some: list[Worker], points: list[tuple], seed: int, dtype: str) -> list[float]:
    """Prepare the same points in every worker given; the slowest first call per point.

    The data are each side's ``impls.make_problem``; the weights and b are the sweep's
    (``bench.problem``), sent to all, so both sides and the sweep step the same problem."""
    parameters = {n_x: weights(n_x, seed, dtype) for _, _, n_x in points}
    w = {str(n_x): parameter[0].tolist() for n_x, parameter in parameters.items()}
    b = {str(n_x): parameter[1] for n_x, parameter in parameters.items()}
    # One worker of each side alone first: a backend that times its plans at first use
    # (impls._plans) times them on a quiet machine and keeps them; then every other worker at
    # once, numba compiling in each process, the plans read from where they were kept.
    replies = []
    for group in ([some[0]], some[1:2], some[2:]):
        for worker in group:
            worker.send("prepare", points=points, seed=seed, dtype=dtype, w=w, b=b)
        replies += [worker.receive() for worker in group]
    for worker, reply in zip(some[1:], replies[1:], strict=True):
        costs = zip(points, replies[0]["cost"], reply["cost"], strict=True)
        for (name, m, n_x), first, other in costs:
            if not np.isclose(first, other, rtol=COST_RTOL, atol=0):
                raise CheckError(
                    f"the {some[0].side.name} and the {worker.side.name} disagree at {name} "
                    f"m={m} n_x={n_x} (cost {first!r} against {other!r}): they do not compute "
                    "the same step on the same data"
                )
    return [max(calls) for calls in zip(*(r["first_call_s"] for r in replies), strict=True)]


def slowest(pair: list[Worker], index: int, calls: int, batches: int) -> float:
    """Seconds per call at a prepared point: the slower side's fastest batch."""
    return max(min(w.request("time", point=index, calls=calls, batches=batches)["s"]) for w in pair)


def choose_cells(
    pairs: list[list[Worker]],
    backends: list[str],
    seed: int,
    dtype: str,
    say: Callable[[str], None],
) -> tuple[list[tuple[int, Cell]], dict[str, float]]:
    """Two points per backend, by its speed at PROBE_POINT in the first pair, as (prepared
    index, cell) pairs; every pair prepares the same points in the same order.

    Also returns each backend's first call (numba compiles there), reported apart.
    """
    pair = pairs[0]
    probes = [(name, *PROBE_POINT) for name in backends]
    first_call_s = prepare(flat(pairs), probes, seed, dtype)
    probe_s = [slowest(pair, index, calls=1, batches=3) for index in range(len(probes))]
    wanted = [
        (name, m, n_x)
        for name, seconds in zip(backends, probe_s, strict=True)
        for m, n_x in (FAST_POINTS if seconds <= FAST_CALL_S else SLOW_POINTS)
    ]
    extra = [point for point in wanted if point not in probes]
    prepare(flat(pairs), extra, seed, dtype)
    prepared = probes + extra
    cells = []
    for point in wanted:
        index = prepared.index(point)
        seconds = slowest(pair, index, calls=1, batches=2)
        cells.append((index, Cell(*point, calls=max(1, round(BATCH_S / seconds)))))
    say(
        "First calls (numba compiles here; untimed): "
        + ", ".join(f"{n} {s:.2g} s" for n, s in zip(backends, first_call_s, strict=True))
    )
    return cells, dict(zip(backends, first_call_s, strict=True))


def rounds(
    pairs: list[list[Worker]],
    cells: list[tuple[int, Cell]],
    count: int,
    rng: np.random.Generator,
    say: Callable[[str], None],
    phase: str,
    enough: Callable[[pd.DataFrame], bool] | None = None,
) -> pd.DataFrame:
    """``count`` rounds over ``cells``, the pairs taking turns round by round: one row per
    round and cell, base and head seconds and the pair that timed them. ``enough``: asked
    after every turn of all pairs from the second on; True ends the rounds there."""
    rows = []
    started = time.perf_counter()
    for number in range(1, count + 1):
        pair_index = (number - 1) % len(pairs)
        pair = pairs[pair_index]
        offset = OFFSET_STEP * int(rng.integers(PAGE // OFFSET_STEP))  # as numpy could place X
        for worker in pair:
            worker.request("place", offset=offset)
        for position in rng.permutation(len(cells)):
            index, cell = cells[position]
            first = int(rng.integers(2))
            batches: dict[int, list[float]] = {0: [], 1: []}
            for turn in range(2 * BATCHES):  # base and head alternate, batch by batch
                side = (first + turn) % 2
                reply = pair[side].request("time", point=index, calls=cell.calls, batches=1)
                batches[side] += reply["s"]
            seconds = {side: min(times) for side, times in batches.items()}
            rows.append(
                {
                    "phase": phase,
                    "pair": pair_index,
                    "round": number,
                    "backend": cell.backend,
                    "m": cell.m,
                    "n_x": cell.n_x,
                    "calls": cell.calls,
                    "base_s": seconds[0],
                    "head_s": seconds[1],
                    "head_first": first == 1,
                    "x_offset": offset,
                }
            )
        if number == 1 or number % 5 == 0 or number == count:
            say(f"  {phase}: round {number}/{count} ({time.perf_counter() - started:.0f} s)")
        turn_ended = number % len(pairs) == 0 and number >= 2 * len(pairs) and number < count
        if enough is not None and turn_ended and enough(pd.DataFrame(rows)):
            say(f"  {phase}: the answer is clear after round {number}/{count}; stopped there")
            break
    return pd.DataFrame(rows)


def measure(
    sides: list[Side],
    backends: list[str] | None,
    count: int,
    seed: int,
    dtype: str,
    rng: np.random.Generator,
    say: Callable[[str], None],
    phase: str,
    pairs: int = 1,
    enough: Callable[[pd.DataFrame], bool] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Start ``pairs`` fresh pairs of workers, choose the cells, run the rounds."""
    with workers(sides, pairs) as started:
        names, new = check_backends(started[0], backends)
        cells, first_call_s = choose_cells(started, names, seed, dtype, say)
        say(
            f"{phase}: {len(cells)} cells ({len(names)} backends × 2 points), {count} rounds "
            f"taken in turn by {pairs} pair(s) of fresh workers, base and head interleaved"
        )
        cpu = pinned_cpu()
        for worker in flat(started):  # one core for all: none gets a faster or quieter one
            worker.pin(cpu)
        table = rounds(started, cells, count, rng, say, phase, enough)
        context = {
            "backends": names,
            "new_in_head": new,
            "first_call_s": first_call_s,
            "impls": {w.side.name: w.impls_path for w in started[0]},
        }
    return table, context
