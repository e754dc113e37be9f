"""The dask backend on dask.distributed clusters: memory-limited, stalled, and deployed with the
``dask`` command line as a user would, one worker killed mid-step.

Every cluster here is closed by its context manager or fixture, also when a test fails, and every
step is held to a short progress timeout, so nothing waits for ever.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import impls
from impls.dask_chunks import StepStalled

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

# A stalled step fails in this long here, instead of the backend's default minute.
PROGRESS_TIMEOUT = "20s"


@pytest.fixture(autouse=True)
def short_progress_timeout():
    with dask.config.set({"lrbench.dask.progress-timeout": PROGRESS_TIMEOUT}):
        yield


def local_cluster(**options) -> "distributed.LocalCluster":
    return distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, dashboard_address=None, **options
    )


def warm_worker_rss_bytes(store_path) -> int:
    """What a worker holds once it has imported the dask backend's modules and stepped a store:
    numba, zarr and the compiled kernel alone take about 300 MB on some machines."""
    X, Y = impls.open_store(store_path)
    with local_cluster(memory_limit=0) as cluster, distributed.Client(cluster) as client:
        impls.gradient(np.zeros(X.shape[0]), 0.0, X, Y, backend="dask")
        return max(client.run(lambda: psutil.Process().memory_info().rss).values())


@pytest.mark.timeout(180)  # two clusters start; a 600 MB store is written, then read thrice
def test_a_cluster_whose_worker_holds_a_fraction_of_the_store_steps_it(tmp_path):
    # 600 MB of X in 20 MB chunks; the one worker may hold its own footprint, measured here,
    # plus 120 MB before dask pauses it, so the test means the same on every machine.
    path = impls.make_store(tmp_path / "big.zarr", 750_000, 100, chunk_m=25_000)
    footprint = warm_worker_rss_bytes(path)
    pause = dask.config.get("distributed.worker.memory.pause")
    limit = int((footprint + 120e6) / pause)
    X, Y = impls.open_store(path)
    w = np.random.default_rng(2).standard_normal(100) * 0.1
    with local_cluster(memory_limit=limit) as cluster, distributed.Client(cluster):
        workers = list(cluster.scheduler.workers)
        result = impls.gradient(w, 0.1, X, Y, backend="dask")
        assert list(cluster.scheduler.workers) == workers  # none was killed and replaced
    # Against vectorized in memory (the reference itself is held to small stores elsewhere).
    expected = impls.gradient(w, 0.1, np.asarray(X), np.asarray(Y), backend="vectorized")
    np.testing.assert_allclose(result.dw, expected.dw, rtol=1e-9, atol=1e-12)
    assert result.db == pytest.approx(expected.db, rel=1e-9, abs=1e-12)
    assert result.cost == pytest.approx(expected.cost, rel=1e-12)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    return impls.make_store(tmp_path_factory.mktemp("s") / "p.zarr", 20_000, 10, chunk_m=2_000)


def test_a_step_whose_only_worker_is_paused_for_memory_says_so_within_its_timeout(small_store):
    # What hung the test suite once: a worker above dask's pause threshold before it has
    # read anything. A fresh worker process holds more than 100 MB; the nanny's kill is off.
    X, Y = impls.open_store(small_store)
    with (
        dask.config.set(
            {
                "lrbench.dask.progress-timeout": "2s",
                "distributed.worker.memory.terminate": False,
            }
        ),
        local_cluster(memory_limit="100MB") as cluster,
        distributed.Client(cluster),
        pytest.raises(
            StepStalled,
            match=r"none of its 10 remaining chunks \(of 10\) in 2 s: worker .* is paused "
            r"\(for memory.*\), holding \d+ MB of its 100 MB limit",
        ),
    ):
        impls.gradient(np.zeros(10), 0.0, X, Y, backend="dask")


def test_a_step_on_a_cluster_without_workers_says_so(small_store):
    X, Y = impls.open_store(small_store)
    with (
        dask.config.set({"lrbench.dask.progress-timeout": "1s"}),
        distributed.LocalCluster(n_workers=0, dashboard_address=None) as cluster,
        distributed.Client(cluster),
        pytest.raises(StepStalled, match="the cluster has no workers"),
    ):
        impls.gradient(np.zeros(10), 0.0, X, Y, backend="dask")


# ---- a cluster deployed as a user would: the dask command line on 127.0.0.1 -----------------

START_TIMEOUT_S = 60  # the scheduler's file and both workers' registration


class DeployedCluster:
    """A scheduler and two workers, each its own process started with ``python -m dask``,
    listening on 127.0.0.1 only; every process is killed when the fixture ends."""

    def __init__(self, folder):
        self.folder = folder
        self.scheduler_file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen] = []

    def start(self, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"process-{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "dask", *args], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()  # the child holds its own descriptor
        self.processes.append(process)
        return process

    def __enter__(self) -> "DeployedCluster":
        local = ["--host", "127.0.0.1", "--no-dashboard", "--scheduler-file"]
        self.start("scheduler", "--port", "0", *local, str(self.scheduler_file))
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.scheduler_file.exists():
            if time.monotonic() > deadline or self.processes[0].poll() is not None:
                raise RuntimeError(f"the dask scheduler did not start: {self.logs()}")
            time.sleep(0.1)
        self.address = json.loads(self.scheduler_file.read_text())["address"]
        for _ in range(2):  # no nanny: a killed worker stays dead, as a lost machine would
            self.start("worker", *local, str(self.scheduler_file), "--nthreads", "1", "--no-nanny")
        with distributed.Client(self.address, timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT_S)
        return self

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.folder.glob("process-*.log")))

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.wait(timeout=30)


@pytest.fixture
def deployed_cluster(tmp_path):
    with DeployedCluster(tmp_path) as cluster:
        yield cluster


@pytest.mark.timeout(180)  # three processes import dask, numba and zarr; a sweep starts
def test_a_sweep_runs_the_dask_backend_on_a_deployed_cluster_and_says_so(
    deployed_cluster, tmp_path
):
    from bench.results import Run

    command = [
        *(sys.executable, "-m", "bench", "--m", "20000", "--nx", "10", "--passes", "1"),
        *("--backends", "vectorized,dask", "--stores", "always", "--no-report"),
        *("--dask-scheduler", deployed_cluster.address),
        *("--results-dir", str(tmp_path / "results"), "--store-dir", str(tmp_path / "stores")),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stderr[-3000:]
    run = Run.load(tmp_path / "results" / "latest.json")
    assert run.settings.dask_scheduler == deployed_cluster.address
    table = run.table.set_index("backend")
    assert table.loc["dask", "status"] == "measured"
    assert table.loc["dask", "data_source"] == "cluster"
    assert table.loc["vectorized", "data_source"] == "memory"


@pytest.mark.timeout(180)  # as above, plus up to three steps of a 160 MB store
def test_a_worker_killed_mid_step_leaves_the_right_answer_or_a_clear_error(
    deployed_cluster, tmp_path
):
    path = impls.make_store(tmp_path / "p.zarr", 400_000, 50, chunk_m=2_000)  # 200 chunks
    X, Y = impls.open_store(path)
    w = np.random.default_rng(4).standard_normal(50) * 0.2
    expected = impls.gradient(w, 0.1, np.asarray(X), np.asarray(Y), backend="vectorized")
    with distributed.Client(deployed_cluster.address, timeout=START_TIMEOUT_S) as client:
        pids = client.run(os.getpid)
        victim = sorted(pids)[0]
        killed = threading.Event()

        def kill_while_it_works() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if client.processing(workers=[victim]).get(victim):
                    os.kill(pids[victim], signal.SIGKILL)
                    killed.set()
                    return
                time.sleep(0.005)

        killer = threading.Thread(target=kill_while_it_works, daemon=True)
        killer.start()
        for _ in range(3):  # the step may finish before the killer sees a task; try again
            try:
                result = impls.gradient(w, 0.1, X, Y, backend="dask")
            except (StepStalled, distributed.KilledWorker) as exc:
                result = exc
            if killed.is_set():
                break
        killer.join(timeout=5)
        assert killed.is_set(), "the worker was never caught working"
        assert victim not in client.scheduler_info(n_workers=-1)["workers"]
    print(f"a worker killed mid-step: {type(result).__name__}: {str(result)[:300]}")
    if isinstance(result, Exception):  # allowed: a clear error, within the timeout
        assert "worker" in str(result)
    else:  # dask ran the lost chunks again on the other worker
        np.testing.assert_allclose(result.dw, expected.dw, rtol=1e-9, atol=1e-12)
        assert result.db == pytest.approx(expected.db, rel=1e-9, abs=1e-12)
        assert result.cost == pytest.approx(expected.cost, rel=1e-12)
