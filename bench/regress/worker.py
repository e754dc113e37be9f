"""One side of an A/B check: times one tree's backends on command, in a process of its own.

Run by path (``python worker.py ROOT``), never imported by the check: it puts
ROOT first on ``sys.path`` and imports ``impls`` from there, so the base
commit's backends run with nothing of HEAD's code in the process. It needs of
``impls`` only what every commit since the backend contract has:
``BACKENDS[name].prepare/gradient`` and ``make_problem(m, n_x, seed, dtype)``; the
weights and b come with the request, from the check.

The check drives two workers in turn, one line of JSON per request and per
reply on stdin/stdout, so that it alone decides the interleaved order of
base and head. (pytest-benchmark times a whole session in one process; it
cannot hand the clock back and forth between two processes round by round.)

Requests: ``prepare`` (data, layouts, each backend's untimed first call, where
numba compiles), ``place`` (X copied to a given offset in a page, the layouts
made again from it: untimed), ``time`` (batches of calls at one prepared
point), ``quit``.

Why ``place``: a step's speed depends on where X starts (``bench/placement.py``, loaded
here by its path: this process imports nothing of ``bench`` from the tree it times).
"""

import json
import os
import sys
import time
import traceback


def slowed(gradient, factor: float, clock=time.perf_counter):
    """The step, then a busy wait of (factor - 1) times its own duration.

    The trials' test switch: exactly ``factor`` times the step's wall time at
    every size. (Repeating the step on a share of the examples would also
    repeat its fixed overhead, so a "1.25x" slowdown came out at 1.4-1.9x.)
    """

    def step(w, b, data):
        start = clock()
        result = gradient(w, b, data)
        until = start + (clock() - start) * factor
        while clock() < until:
            pass
        return result

    return step


def placement():
    """bench/placement.py of the checking tree, loaded by its path."""
    from importlib import util

    bench = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(bench, "placement.py")
    spec = util.spec_from_file_location("lrbench_placement", path)
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Server:
    """A worker process's side: its tree's problems and steps, timed on request."""

    def __init__(self, impls, slowdown: dict[str, float]):
        self.impls = impls
        self.slowdown = slowdown
        self.points: list[tuple] = []  # (step, args) per prepared point
        self.sources: list[tuple] = []  # (backend, (m, n_x)) per prepared point
        self.problems: dict[tuple, tuple] = {}  # (X, Y, w, b) per (m, n_x)
        self.placement = placement()

    def prepare(self, points: list, seed: int, dtype: str, w: dict, b: dict) -> dict:
        """Each point's data (this tree's ``make_problem``) and first call; w and b by n_x,
        as the check sends them (the sweep's, so every side steps the same problem)."""
        import numpy as np

        problems, first_call_s, results = self.problems, [], []
        for name, m, n_x in points:
            if (m, n_x) not in problems:
                X, Y = self.impls.make_problem(m, n_x, seed, dtype)
                problems[m, n_x] = (X, Y, np.asarray(w[str(n_x)], dtype=dtype), b[str(n_x)])
            X, Y, weights, bias = problems[m, n_x]
            backend = self.impls.BACKENDS[name]
            step = backend.gradient
            factor = self.slowdown.get(name, self.slowdown.get("*"))
            if factor:
                step = slowed(step, factor)
            args = (weights, bias, backend.prepare(X, Y))
            start = time.perf_counter()
            result = step(*args)
            first_call_s.append(time.perf_counter() - start)
            results.append(float(result.cost))
            self.points.append((step, args))
            self.sources.append((name, (m, n_x)))
        return {"first_call_s": first_call_s, "cost": results}

    def place(self, offset: int) -> dict:
        """Every problem's X copied to start ``offset`` bytes into a page, and every point's
        data prepared from that copy again; the offsets reached, per problem."""
        where = self.placement
        self.points = [(step, None) for step, _ in self.points]  # the old layouts go first
        copies = {key: where.placed(X, offset) for key, (X, *_) in self.problems.items()}
        for index, (name, key) in enumerate(self.sources):
            _, Y, weights, bias = self.problems[key]
            data = self.impls.BACKENDS[name].prepare(copies[key], Y)
            self.points[index] = (self.points[index][0], (weights, bias, data))
        return {"offsets": [where.offset_in_page(X) for X in copies.values()]}

    def time(self, point: int, calls: int, batches: int) -> dict:
        """Seconds per call of each batch of ``calls`` back-to-back calls."""
        step, args = self.points[point]
        seconds = []
        for _ in range(batches):
            start = time.perf_counter()
            for _ in range(calls):
                step(*args)
            seconds.append((time.perf_counter() - start) / calls)
        return {"s": seconds}


def serve(root: str, slowdown: dict[str, float]) -> None:
    sys.path.insert(0, root)
    from threadpoolctl import threadpool_limits

    import impls

    where = os.path.realpath(impls.__file__)
    if not where.startswith(os.path.realpath(root) + os.sep):
        raise ImportError(f"impls was imported from {where}, not from {root}")
    server = Server(impls, slowdown)
    reply({"impls": where, "backends": list(impls.BACKENDS)})
    for line in sys.stdin:
        request = json.loads(line)
        op = request.pop("op")
        if op == "quit":
            return
        if op == "prepare":
            answer = server.prepare(**request)
            # After the first calls: numba loads another BLAS when it compiles.
            threadpool_limits(limits=1)
        elif op == "place":
            answer = server.place(**request)
        else:
            answer = server.time(**request)
        reply(answer)


def reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    root, *switches = argv
    slowdown = {}
    for switch in switches:  # BACKEND=FACTOR or *=FACTOR, from the trials only
        name, _, factor = switch.partition("=")
        slowdown[name] = float(factor)
    try:
        serve(root, slowdown)
    except Exception:
        reply({"error": traceback.format_exc(limit=4)})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
