"""What else the machine did while a point was timed: other processes' CPU time, steal, clock.

On a 2-core machine one busy neighbour takes the other core, the memory
bandwidth and the caches the timed step shares; its intervals then widen
and its verdicts move. A ``Watch`` started before a point and read after it
says how many cores other processes kept busy over the point's wall time
(the system's busy time from ``/proc/stat``, through psutil, less this
process's own), how much the hypervisor stole, and the CPU's clock. A point
is ``busy`` where the others' share reaches BUSY_CORES.

The kernel counts that CPU time in ticks (1/100 s): over a 5 ms point one tick
that lands on it reads as 2 cores. So a point is read over at least
MIN_WINDOW_S ending where it ends: a short one together with the moments
before it (a ``Neighbourhood`` keeps the samples of the points before).
"""

import time
from collections import deque
from dataclasses import dataclass, field

import psutil

# Other processes' CPU time over a point's wall time, in cores, from which the point counts as
# measured beside other work: well above a quiet machine's, well below one CPU-bound
# neighbour's (docs/tuning.md).
BUSY_CORES = 0.25
# --wait-for-quiet: how long to look at the machine each time, and how long to wait in all.
# It looks only before a point that follows a busy (or unwatched) one: a point measured
# quietly says the machine was quiet up to the next.
QUIET_SAMPLE_S = 0.5
QUIET_PATIENCE_S = 300.0
# The shortest window a point's neighbours are read over: (2 cores + this process) × 1 tick
# of miscount is then at most 0.12 cores, under BUSY_CORES (docs/tuning.md).
MIN_WINDOW_S = 0.25


def _system_busy_s() -> tuple[float, float]:
    """(CPU seconds every core spent busy, seconds stolen by the hypervisor) since boot."""
    times = psutil.cpu_times()
    busy = times.user + times.nice + times.system + times.irq + times.softirq
    return busy, getattr(times, "steal", 0.0)


def _own_s() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass(frozen=True)
class Sample:
    """The counters at one moment: wall clock, the system's busy and stolen CPU seconds since
    boot, and this process's own CPU seconds."""

    at: float
    system: float
    steal: float
    own: float


def sample() -> Sample:
    busy, steal = _system_busy_s()
    return Sample(time.perf_counter(), busy, steal, _own_s())


@dataclass
class Watch:
    """Started when made; ``read()`` gives what happened beside this process since, or since
    the latest of ``before`` at least MIN_WINDOW_S before the read, where the watch is younger."""

    start: Sample = field(default_factory=lambda: sample())
    before: tuple[Sample, ...] = ()

    def read(self) -> dict:
        """{"others_cpu", "steal_cpu": cores on average over the window, "busy": bool,
        "clock_mhz": the CPU's clock now, where the system tells}."""
        end = sample()
        start = self._window_start(end.at)
        wall = max(end.at - start.at, 1e-9)
        others = max(0.0, (end.system - start.system - (end.own - start.own)) / wall)
        frequency = psutil.cpu_freq() if hasattr(psutil, "cpu_freq") else None
        return {
            "others_cpu": others,
            "steal_cpu": max(0.0, (end.steal - start.steal) / wall),
            "busy": others >= BUSY_CORES,
            "clock_mhz": frequency.current if frequency else None,
        }

    def _window_start(self, end: float) -> Sample:
        """The point's own start where it is long enough, else the latest earlier sample that
        makes the window MIN_WINDOW_S long, else the earliest there is."""
        if end - self.start.at >= MIN_WINDOW_S:
            return self.start
        old_enough = [s for s in self.before if end - s.at >= MIN_WINDOW_S]
        return old_enough[-1] if old_enough else (*self.before, self.start)[0]


class Neighbourhood:
    """The samples of this process's recent points, so that each new point's watch can reach
    back MIN_WINDOW_S."""

    def __init__(self) -> None:
        self.samples: deque[Sample] = deque()

    def watch(self) -> Watch:
        now = sample()
        # Keep the samples of the last window and the newest one older than it.
        while len(self.samples) > 1 and now.at - self.samples[1].at >= MIN_WINDOW_S:
            self.samples.popleft()
        watch = Watch(now, tuple(self.samples))
        self.samples.append(now)
        return watch


def others_cpu_over(seconds: float) -> float:
    """Other processes' CPU time over the next few seconds, in cores (this process waits)."""
    watch = Watch()
    time.sleep(seconds)
    return watch.read()["others_cpu"]


class StayedBusy(RuntimeError):
    """The machine did not become quiet within QUIET_PATIENCE_S."""


def wait_for_quiet(patience_s: float = QUIET_PATIENCE_S, say=print) -> float:
    """Return once other processes use less than BUSY_CORES over a QUIET_SAMPLE_S look, with
    the seconds waited; StayedBusy if they do not within patience_s."""
    started = time.perf_counter()
    said = False
    while True:
        others = others_cpu_over(QUIET_SAMPLE_S)
        waited = time.perf_counter() - started
        if others < BUSY_CORES:
            return waited
        if waited >= patience_s:
            raise StayedBusy(
                f"the machine stayed busy for {waited:.0f} s: other processes used "
                f"{others:.2f} cores in the last {QUIET_SAMPLE_S:g} s (quiet: under "
                f"{BUSY_CORES:g}); stop them and run again with --resume"
            )
        if not said:
            say(f"Waiting for a quiet machine: other processes use {others:.2f} cores ...")
            said = True
