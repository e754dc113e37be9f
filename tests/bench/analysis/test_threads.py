"""The thread-fairness check: CPU time over wall time against the run's thread count."""

import numpy as np
import pandas as pd

from bench.analysis.threads import over_threaded, thread_check


def table(ratios: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"backend": b, "m": 1000, "n_x": 100, "cpu_per_wall": r} for b, r in ratios.items()]
    )


def test_backends_within_their_threads_pass():
    text = thread_check(table({"vectorized": 1.01, "jax": 1.2}), threads=1)
    assert text.startswith("CPU time / wall time of a step: at most 1.20 (jax at m=1,000")
    assert text.endswith("every backend kept to it.")


def test_a_backend_using_more_cores_is_named():
    data = table({"vectorized": 1.0, "jax": 1.9})
    assert list(over_threaded(data, threads=1)["backend"]) == ["jax"]
    assert "**jax used more** at 1 point(s)" in thread_check(data, threads=1)
    assert over_threaded(data, threads=2).empty


def test_runs_without_the_measurement_say_nothing():
    assert thread_check(table({"vectorized": np.nan}), threads=1) is None
