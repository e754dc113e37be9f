"""How far a sweep is: points done and the time left, as numbers from the planner's
predictions; ``line`` makes the line the sweep prints after each point."""

import time
from dataclasses import dataclass, field
from typing import NamedTuple

from ..settings import PassPoint
from ..units import clock
from .planner import CALIBRATE_BELOW_S, Planner, pedantic_rounds

# A store's point reads the store untimed before its first round (writing it, its expected
# answer, the first call) and once more before every round (the paired disk rate).
UNTIMED_READS = 3


class Reading(NamedTuple):
    """Where the sweep is: points done of all, seconds since it began, seconds predicted left."""

    done: int
    total: int
    elapsed_s: float
    left_s: float


@dataclass
class Progress:
    plan: Planner
    done: int = 0
    # When the sweep began (a pass's process is told, and moves this back).
    started: float = field(default_factory=time.perf_counter)

    def count(self, point: PassPoint) -> None:
        """A point an earlier process finished (from the journal) counts as done."""
        if point.pass_number <= self.plan.settings.passes or point in self.plan.until_points:
            self.done += 1

    def advance(self) -> Reading:
        """One more point done: how far the sweep is now. The time left is what the points
        still to run are expected to take, at the pace of the sweep so far once its first
        pass is done: a process per pass, first calls, data and calibration take time the
        rounds do not, several times the rounds' own in the quick preset (docs/tuning.md)."""
        self.done += 1
        points = self.plan.points
        elapsed = time.perf_counter() - self.started
        expected = [self.expected_point_seconds(*point) for point in points]
        done_s = sum(expected[: self.done])
        first_pass = sum(1 for point in points if point.pass_number == 1)
        pace = elapsed / done_s if self.done >= first_pass and done_s > 0 else 1.0
        return Reading(self.done, len(points), elapsed, pace * sum(expected[self.done :]))

    def expected_point_seconds(self, pass_number: int, backend: str, m: int, n_x: int) -> float:
        """Rough wall time a point will take in a pass: 0 if skipped, else its rounds."""
        plan, point = self.plan, (backend, m, n_x)
        if point in plan.skips:
            return 0.0
        known = plan.step_s.get(point)
        from_store = plan.from_store(backend, m, n_x)
        step = known if known is not None else plan.predicted_step(backend, m, n_x)
        if step is None or (step < CALIBRATE_BELOW_S and not from_store):
            return plan.settings.max_time_s
        if known is None and plan.skip(backend, m, n_x, step):
            return 0.0
        # Later passes skip the untimed work before the first round (the first call, and for a
        # store making it and its expected answer, about a read each).
        untimed = 0.0 if known is not None else step * (UNTIMED_READS if from_store else 1)
        per_round = 2 * step if from_store else step
        return untimed + per_round * pedantic_rounds(step, plan.settings.passes)


def line(reading: Reading, message: str) -> str:
    """The progress line after a point: count, elapsed time and the predicted remainder."""
    done, total, elapsed, left = reading
    return (
        f"[{done:>{len(str(total))}}/{total} {clock(elapsed)} elapsed, ~{clock(left)} left, "
        f"predicted] {message}"
    )
