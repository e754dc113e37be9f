"""The sweep's controlled variables, held at every point: the threads BLAS, OpenMP and numba
may use, the cores the process may run on, and each point's own peak memory."""

import os

import numba
import pytest
from threadpoolctl import threadpool_limits

from .. import machine
from . import bandwidth
from .stores import Shelf

AFFINITY = hasattr(os, "sched_setaffinity")  # Linux; elsewhere only the thread limits hold


class Limits:
    def __init__(self, threads: int, shelf: Shelf):
        self.threads = threads
        self.shelf = shelf
        self.limits: threadpool_limits | None = None
        self.all_cores = sorted(os.sched_getaffinity(0)) if AFFINITY else []
        # The cores every timed step may run on: as many as the sweep's threads.
        self.point_cores = set(self.all_cores[:threads])

    def pytest_configure(self, config: pytest.Config) -> None:
        bandwidth.compile_probes()  # loads what numba loads, before the limits below
        # Threads are a controlled variable: BLAS, OpenMP and numba all get the same number.
        self.limits = threadpool_limits(limits=self.threads)
        numba.set_num_threads(min(self.threads, numba.config.NUMBA_NUM_THREADS))

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # Again before every point: a BLAS loaded after the start (numba loads scipy's
        # OpenBLAS when it first compiles) would otherwise run on every core.
        threadpool_limits(limits=self.threads)
        # And the process's CPU affinity, which holds for thread pools threadpoolctl does not
        # know (XLA's sizes itself from the affinity when jax starts, inside a point).
        if self.point_cores:
            os.sched_setaffinity(0, self.point_cores)
        machine.reset_peak_rss()  # each point's peak memory is its own

    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        if self.point_cores:  # the bandwidth probe measures every core between points
            os.sched_setaffinity(0, self.all_cores)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.limits is not None:
            self.limits.restore_original_limits()
        self.shelf.release_all()  # also after an interrupted sweep
