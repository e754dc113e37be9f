"""Machine facts and the warnings a reader of the numbers must see."""

import os
from importlib.metadata import version

from bench import machine


def facts(**changes):
    base = {
        "cpu_simd": ["avx2", "avx512f"],
        "threads_requested": 1,
        "numba_threads": 1,
        "blas": [{"library": "libopenblas.so", "architecture": "Haswell", "num_threads": 1}],
        "environment": {},
    }
    return base | changes


def test_no_warning_for_a_plain_single_threaded_run():
    assert machine.warnings_for(facts()) == []


def test_a_forced_openblas_kernel_is_named():
    (coretype, l2) = machine.warnings_for(
        facts(environment={"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "1048576"})
    )
    assert "OPENBLAS_CORETYPE=Haswell is set" in coretype
    assert "Haswell kernel although this CPU supports AVX-512" in coretype
    assert "OPENBLAS_L2_SIZE=1048576" in l2


def test_thread_counts_other_than_requested_are_named():
    warnings = machine.warnings_for(facts(threads_requested=2, numba_threads=2))
    assert warnings == ["libopenblas.so runs 1 threads, not the 2 requested."]


def test_collect_records_what_decides_a_timing(monkeypatch):
    # A variable of a recorded family that changes nothing (OPENBLAS_* are never touched here).
    monkeypatch.setenv("NUMBA_LRBENCH_PROBE", "1")
    monkeypatch.setenv("UNRELATED_VARIABLE", "1")
    collected = machine.collect(threads=1)
    assert collected["cpu_count"] == os.cpu_count()
    assert collected["threads_requested"] == 1
    assert collected["versions"]["numpy"] == version("numpy")
    assert collected["versions"]["numba"] == version("numba")
    assert all(isinstance(size, int) and size > 0 for size in collected["cache_bytes"].values())
    assert collected["environment"]["NUMBA_LRBENCH_PROBE"] == "1"
    assert "UNRELATED_VARIABLE" not in collected["environment"]


def test_collect_warns_when_threads_differ_from_those_requested():
    # No machine here runs 4,096 numba threads: the facts must say so in their warnings.
    collected = machine.collect(threads=4096)
    expected = f"numba runs {collected['numba_threads']} threads, not the 4096 requested"
    assert any(warning.startswith(expected) for warning in collected["warnings"])


def test_the_cpu_is_named_by_family_and_model_where_cpuinfo_has_them():
    assert machine.cpu_id({"cpu family": "25", "model": "17"}) == {"cpu_id": "family 25 model 17"}
    assert machine.cpu_id({"model name": "Apple M2"}) == {}
    assert machine.cpu_name().startswith(machine.collect(threads=1)["cpu_model"])
