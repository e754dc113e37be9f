"""What else the machine did while a point was timed: other processes' CPU time, steal, clock.

On a 2-core machine one busy neighbour takes the other core, the memory
bandwidth and the caches the timed step shares; its intervals then widen
and its verdicts move. A ``Watch`` started before a point and read after it
says how many cores other processes kept busy over the point's wall time
(the system's busy time from ``/proc/stat``, through psutil, less this
process's own), how much the hypervisor stole, and the CPU's clock. A point
is ``busy`` where the others' share reaches BUSY_CORES.
"""

import time
from dataclasses import dataclass, field

import psutil

# Other processes' CPU time over a point's wall time, in cores, from which the point counts as
# measured beside other work. A quiet 2-core VM shows 0.00-0.05 (the kernel, the shell); one
# CPU-bound neighbour shows about 1.
BUSY_CORES = 0.25
# --wait-for-quiet: how long to look at the machine each time, and how long to wait in all.
# It looks only before a point that follows a busy (or unwatched) one: a point measured
# quietly says the machine was quiet up to the next.
QUIET_SAMPLE_S = 0.5
QUIET_PATIENCE_S = 300.0


def _system_busy_s() -> tuple[float, float]:
    """(CPU seconds every core spent busy, seconds stolen by the hypervisor) since boot."""
    times = psutil.cpu_times()
    busy = times.user + times.nice + times.system + times.irq + times.softirq
    return busy, getattr(times, "steal", 0.0)


def _own_s() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass
class Watch:
    """Started when made; ``read()`` gives what happened beside this process since."""

    started: float = field(default_factory=time.perf_counter)
    system: tuple[float, float] = field(default_factory=_system_busy_s)
    own: float = field(default_factory=_own_s)

    def read(self) -> dict:
        """{"others_cpu", "steal_cpu": cores on average since the start, "busy": bool,
        "clock_mhz": the CPU's clock now, where the system tells}."""
        wall = max(time.perf_counter() - self.started, 1e-9)
        busy, steal = _system_busy_s()
        own = _own_s() - self.own
        others = max(0.0, (busy - self.system[0] - own) / wall)
        frequency = psutil.cpu_freq() if hasattr(psutil, "cpu_freq") else None
        return {
            "others_cpu": others,
            "steal_cpu": max(0.0, (steal - self.system[1]) / wall),
            "busy": others >= BUSY_CORES,
            "clock_mhz": frequency.current if frequency else None,
        }


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
