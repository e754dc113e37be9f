"""The Run type: validation at the door, the tidy table, derived numbers, schema versions."""

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from bench.analysis import describe
from bench.files import write_atomic
from bench.result_file import compact
from bench.results import ResultsError, Run

from .damaged import CASES, FIXTURES, RUN


@pytest.fixture(scope="module")
def run():
    return Run.load(RUN)


def pass_medians(run, backend, m, n_x):
    """Each pass's median of one point, in pass order, read straight from the document."""
    benches = [
        b
        for b in run.to_document()["benchmarks"]
        if {k: b["params"].get(k) for k in ("backend", "m", "n_x")}
        == dict(backend=backend, m=m, n_x=n_x)
    ]
    return [b["stats"]["median"] for b in sorted(benches, key=lambda b: b["params"]["pass_number"])]


def test_one_row_per_point_measured_or_skipped(run):
    table = run.table
    gradient = [b for b in run.to_document()["benchmarks"] if b["group"] is None]
    passes = run.settings.passes
    assert len(gradient) == passes * 7  # each measured point once per pass
    skipped = run.to_document()["lrbench"]["skipped"]
    assert len(table) == len(gradient) // passes + len(skipped) == 16
    assert (table.loc[table["status"] == "measured", "passes"] == passes).all()
    assert not table.duplicated(["backend", "m", "n_x"]).any()
    assert table["status"].value_counts().to_dict() == {"skipped-budget": 9, "measured": 7}
    assert list(table["backend"].unique()) == ["two_loop", "one_loop", "vectorized", "numba"]
    assert (table["elements"] == table["m"] * table["n_x"]).all()
    assert (table["bytes_X"] == 8 * table["elements"]).all()


def test_measured_rows_sum_up_their_passes(run):
    table = run.table
    row = table[(table.backend == "numba") & (table.m == 100) & (table.n_x == 10)].iloc[0]
    medians = pass_medians(run, "numba", 100, 10)
    assert row["pass_medians_s"] == tuple(medians) and len(medians) == 3
    assert row["median_s"] == pytest.approx(sorted(medians)[1])
    assert row["q1_s"] <= row["median_s"] <= row["q3_s"]
    assert row["iqr_s"] == pytest.approx(row["q3_s"] - row["q1_s"])
    assert row["rounds"] > 0 and row["mode"] == "calibrated"


def test_skipped_rows_say_why_and_give_the_prediction(run):
    skipped = run.table[run.table["status"] == "skipped-budget"]
    assert skipped["median_s"].isna().all()
    assert (skipped["predicted_s"] > 0).all()
    assert skipped["reason"].str.startswith("skipped-budget: predicted").all()


def test_backend_facts_come_from_the_file_not_from_impls(run):
    assert run.backends["vectorized"]["passes_over_x"] == 2
    passes = run.table.groupby("backend")["passes_over_x"].first().to_dict()
    assert passes == {"two_loop": 1, "one_loop": 1, "vectorized": 2, "numba": 1}


def test_derived_numbers(run):
    probe = run.facts["read_bandwidth"]
    assert run.dtype == "float64" and run.itemsize == 8 and run.threads == 1
    assert run.bandwidth_Bps == probe["one_thread_Bps"]
    assert (
        replace(run, settings=replace(run.settings, threads=2)).bandwidth_Bps
        == (probe["all_threads_Bps"])
    )
    level, size = run.last_level_cache
    assert size == max(run.facts["cache_bytes"].values())
    # The measured cache is the one that matters; the reported one is kept beside it.
    assert run.cache_bytes == run.measured_cache_bytes == run.facts["cache_probe"]["cache_bytes"]
    unprobed = replace(run, facts={k: v for k, v in run.facts.items() if k != "cache_probe"})
    assert unprobed.cache_bytes == size
    assert describe.label(run) == f"{describe.cpu(run)}, float64, 1 thread(s)"
    assert describe.cpu(run).startswith(run.facts["cpu_model"])
    # Two VMs of one model name, other CPUs: the family and model keep their runs apart.
    named = {"cpu_model": "Intel(R) Xeon(R) Processor", "cpu_simd": ["avx2", "avx512f"]}
    assert describe.cpu(replace(run, facts=named)) == "Intel(R) Xeon(R) Processor (AVX-512)"
    assert describe.cpu(replace(run, facts=named | {"cpu_id": "family 6 model 167"})) == (
        "Intel(R) Xeon(R) Processor (family 6 model 167, AVX-512)"
    )
    float32 = replace(run, settings=replace(run.settings, dtype="float32"))
    assert float32.itemsize == 4


def test_calibration_takes_each_kernels_fastest_round_over_both_windows(run):
    windows = [b for b in run.to_document()["benchmarks"] if b["group"] == "calibration"]
    for kernel in ("python_loop", "numpy_kernels"):
        mins = [b["stats"]["min"] for b in windows if b["params"]["kernel"] == kernel]
        assert len(mins) == 2 and run.calibration[kernel] == min(mins)


def test_a_version_1_file_is_read_by_its_own_rules():
    old = Run.load(FIXTURES / "run_small_v1.json")
    assert old.schema_version == 1
    assert old.dtype == "float64" and old.threads == 1
    assert old.backends["vectorized"]["passes_over_x"] == 2
    assert old.backends["numba"]["passes_over_x"] == 1
    assert len(old.table) == 16 and set(old.table.columns) == set(Run.load(RUN).table.columns)


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_file_is_refused_naming_the_file_and_the_field(tmp_path, case):
    damage, message = CASES[case]
    path = tmp_path / "damaged.json"
    damage(path)
    with pytest.raises(ResultsError, match=message) as error:
        Run.load(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["lrbench"]["settings"].update(dtype="float16"), "settings.dtype must be one"),
        (lambda d: d["lrbench"]["backends"].pop("numba"), "numba measured but not in lrbench"),
        (lambda d: d["benchmarks"].append(d["benchmarks"][5]), "appears more than once in pass"),
        (lambda d: d["lrbench"].pop("skipped"), "lrbench.skipped is missing"),
        (lambda d: d["machine_info"]["lrbench"].update(cpu_count=0), "cpu_count must be a posi"),
        (lambda d: d["benchmarks"][5]["stats"].update(median=1e9), "median is not between"),
    ],
)
def test_inconsistent_files_are_refused(change, message):
    document = json.loads(RUN.read_text())
    change(document)
    with pytest.raises(ResultsError, match=message):
        Run.from_document(document, "edited")


def test_write_keeps_every_rounds_time_to_six_digits(run, tmp_path):
    document = json.loads(RUN.read_text())
    document["benchmarks"][0]["stats"]["data"] = [1.23456789e-6, 2.0]
    Run.from_document(document).write(tmp_path / "run.json")
    again = Run.load(tmp_path / "run.json")
    assert again.to_document()["benchmarks"][0]["stats"]["data"] == [1.23457e-6, 2.0]
    pd.testing.assert_frame_equal(again.table, run.table)
    assert compact(document)["benchmarks"][1] == document["benchmarks"][1]


def test_write_atomic_replaces_whole_files_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "latest.json"
    write_atomic(path, "old")
    write_atomic(path, b"new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["latest.json"]


def test_a_folder_is_not_a_results_file(tmp_path):
    with pytest.raises(ResultsError, match="is a folder"):
        Run.load(Path(tmp_path))


def test_files_from_before_the_stores_held_their_data_in_memory(run):
    assert set(run.table["data_source"]) == {"memory"}
    assert run.stores == [] and run.disk_read_Bps is None
    assert run.table["pass_disk_read_Bps"].isna().all()


def test_a_run_file_holds_the_dtypes_the_backends_take():
    # Defined twice across the layer boundary (results never imports impls): kept equal here.
    import impls
    from bench import settings

    assert settings.DTYPES == impls.DTYPES
