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
    now = time.perf_counter()
    monkeypatch.setattr(neighbours, "sample", lambda: neighbours.Sample(now, 11.5, 0.0, 5.0))
    watch = neighbours.Watch(neighbours.Sample(now - 1.0, 10.0, 0.0, 4.0))
    seen = watch.read()
    assert seen["others_cpu"] == pytest.approx(0.5) and seen["busy"] is True
    # All of it this process's own:
    monkeypatch.setattr(neighbours, "sample", lambda: neighbours.Sample(now, 11.5, 0.0, 5.5))
    assert watch.read()["others_cpu"] == 0 and watch.read()["busy"] is False


def test_a_tick_that_lands_on_a_short_point_is_read_over_the_moments_before_it(monkeypatch):
    # A 5 ms point during which the kernel's counters moved one tick (10 ms) more than this
    # process's own time: alone it reads as 2 cores, over the 0.3 s since the sample before
    # it as 0.03.
    earlier = neighbours.Sample(0.0, 10.0, 0.0, 4.0)
    start = neighbours.Sample(0.295, 10.30, 0.0, 4.30)
    monkeypatch.setattr(neighbours, "sample", lambda: neighbours.Sample(0.300, 10.315, 0.0, 4.305))
    assert neighbours.Watch(start).read()["others_cpu"] == pytest.approx(2.0)
    seen = neighbours.Watch(start, (earlier,)).read()
    assert seen["others_cpu"] == pytest.approx(0.01 / 0.3) and seen["busy"] is False


def test_the_neighbourhood_keeps_just_the_samples_a_window_needs(monkeypatch):
    clock = iter([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    monkeypatch.setattr(neighbours, "sample", lambda: neighbours.Sample(next(clock), 0.0, 0.0, 0.0))
    hood = neighbours.Neighbourhood()
    watches = [hood.watch() for _ in range(6)]
    # At 0.5 s the newest sample at least 0.25 s old is the one at 0.2 s.
    assert [s.at for s in watches[-1].before] == [0.2, 0.3, 0.4]
    assert watches[0].before == ()


def test_a_busy_neighbour_is_seen_over_a_short_point_too(busy_neighbour):
    hood = neighbours.Neighbourhood()
    hood.watch()
    time.sleep(neighbours.MIN_WINDOW_S + 0.05)
    seen = hood.watch().read()  # a point of a few microseconds
    assert seen["busy"] is True


def test_waiting_for_quiet_gives_up_with_what_it_saw(busy_neighbour):
    said = []
    with pytest.raises(neighbours.StayedBusy, match=r"stayed busy for \d+ s: other processes"):
        neighbours.wait_for_quiet(patience_s=1.0, say=said.append)
    assert said and "Waiting for a quiet machine" in said[0]


def test_waiting_for_quiet_returns_once_the_neighbour_stops(busy_neighbour):
    waited = neighbours.wait_for_quiet(patience_s=BURN_S + 20)
    assert waited >= 1.0  # it waited for the neighbour rather than ignoring it
