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


def test_this_processs_own_work_is_not_counted_as_a_neighbours():
    watch = neighbours.Watch()
    deadline = time.perf_counter() + 1.0
    while time.perf_counter() < deadline:  # one core busy, in this process
        pass
    # The other core is free; what remains is the kernel's and the test runner's own noise.
    assert watch.read()["others_cpu"] < 0.9


def test_waiting_for_quiet_gives_up_with_what_it_saw(busy_neighbour):
    said = []
    with pytest.raises(neighbours.StayedBusy, match=r"stayed busy for \d+ s: other processes"):
        neighbours.wait_for_quiet(patience_s=1.0, say=said.append)
    assert said and "Waiting for a quiet machine" in said[0]


def test_waiting_for_quiet_returns_once_the_neighbour_stops(busy_neighbour):
    waited = neighbours.wait_for_quiet(patience_s=BURN_S + 20)
    assert waited >= 1.0  # it waited for the neighbour rather than ignoring it
