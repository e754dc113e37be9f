"""The machine-fact schema: what a run file's facts are held to, and what writes them."""

import copy
import json

import pytest

from bench import machine
from bench.machine_facts import FACTS, shown, undeclared
from bench.results import ResultsError, Run
from tests.bench.damaged import RUN


def load_with(**facts) -> Run:
    document = json.loads(RUN.read_text())
    document["machine_info"]["lrbench"] = copy.deepcopy(document["machine_info"]["lrbench"] | facts)
    return Run.from_document(document, "edited")


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"numba_threads": "two"}, r"machine_info\.lrbench\.numba_threads must be a positive"),
        ({"python": 3.11}, r"machine_info\.lrbench\.python must be a string"),
        (
            {"read_bandwidth": {"one_thread_Bps": "fast", "all_threads_Bps": 1e10}},
            r"machine_info\.lrbench\.read_bandwidth\.one_thread_Bps must be a finite number",
        ),
        ({"cache_bytes": {"L2": -1}}, r"machine_info\.lrbench\.cache_bytes\.L2 must be a positive"),
        (
            {"neighbours": {"busy_cores": 0.25, "points": 3}},
            r"machine_info\.lrbench\.neighbours\.busy_points is missing",
        ),
    ],
)
def test_a_fact_of_the_wrong_kind_is_refused_by_name(facts, message):
    with pytest.raises(ResultsError, match=message):
        load_with(**facts)


def test_a_required_fact_missing_is_named_and_an_optional_one_may_be():
    document = json.loads(RUN.read_text())
    del document["machine_info"]["lrbench"]["blas"]
    with pytest.raises(ResultsError, match=r"machine_info\.lrbench\.blas is missing"):
        Run.from_document(document, "edited")
    assert load_with(cache_probe={"cache_bytes": None}).measured_cache_bytes is None
    assert load_with(numpy_blas=None).facts["numpy_blas"] is None


def test_what_the_machine_collects_is_declared_with_every_required_fact():
    facts = machine.collect(threads=1)
    assert undeclared(facts) == []
    assert {key for key, fact in FACTS.items() if fact.required} <= set(facts)


def test_a_fact_is_shown_as_declared_and_unknown_when_absent():
    assert shown({"cpu_count": 2}, "cpu_count") == "2 cores"
    assert shown({}, "cpu_count") == "? cores"
    assert shown({"environment": {"OMP_NUM_THREADS": "1"}}, "environment") == (
        "`OMP_NUM_THREADS=1`"
    )
    assert shown({"blas": []}, "blas") == "none found"
    assert undeclared({"cpu_model": "x", "cpu_speed": 1}) == ["cpu_speed"]
