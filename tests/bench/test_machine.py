"""Machine facts and the warnings a reader of the numbers must see."""

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


def test_collect_records_what_decides_a_timing():
    collected = machine.collect(threads=1)
    for key in (
        "cpu_model",
        "cpu_count",
        "cache_bytes",
        "versions",
        "blas",
        "numba_threads",
        "environment",
        "warnings",
    ):
        assert key in collected
    assert {"numpy", "numba"} <= collected["versions"].keys()
