"""Other work on the machine: measured over a point, waited out for a reference run."""

import subprocess
import sys
import time

import pytest

from bench.harness import neighbours

BURN_S = 3.0  # a neighbour that keeps a core busy this long, then stops by itself


@pytest.fixture
def busy_neighbour():
    burner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import time\nt = time.time()\nwhile time.time() - t < {BURN_S}: pass",
        ]
    )
    time.sleep(0.3)  # past its start-up
    yield burner
    burner.kill()
    burner.wait(timeout=10)


def test_a_cpu_bound_neighbour_is_seen_and_the_point_flagged_busy(busy_neighbour):
    watch = neighbours.Watch()
    time.sleep(1.0)
    seen = watch.read()
    assert seen["others_cpu"] >= neighbours.BUSY_CORES and seen["busy"] is True
    assert seen["steal_cpu"] >= 0


def test_this_processs_own_cpu_time_is_not_counted_as_a_neighbours(monkeypatch):
    # Over a second of wall time the system was busy for 1.5 CPU-seconds, this process for 1.0
    # of them: others kept half a core busy.
    monkeypatch.setattr(neighbours, "_system_busy_s", lambda: (11.5, 0.0))
    monkeypatch.setattr(neighbours, "_own_s", lambda: 5.0)
    watch = neighbours.Watch(started=time.perf_counter() - 1.0, system=(10.0, 0.0), own=4.0)
    seen = watch.read()
    assert seen["others_cpu"] == pytest.approx(0.5, rel=1e-2) and seen["busy"] is True
    monkeypatch.setattr(neighbours, "_own_s", lambda: 5.5)  # all of it this process's own
    assert watch.read()["others_cpu"] == 0 and watch.read()["busy"] is False


def test_waiting_for_quiet_gives_up_with_what_it_saw(busy_neighbour):
    said = []
    with pytest.raises(neighbours.StayedBusy, match=r"stayed busy for \d+ s: other processes"):
        neighbours.wait_for_quiet(patience_s=1.0, say=said.append)
    assert said and "Waiting for a quiet machine" in said[0]


def test_waiting_for_quiet_returns_once_the_neighbour_stops(busy_neighbour):
    waited = neighbours.wait_for_quiet(patience_s=BURN_S + 20)
    assert waited >= 1.0  # it waited for the neighbour rather than ignoring it
