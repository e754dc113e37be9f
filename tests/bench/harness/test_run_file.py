"""The run file's own records, on a planner and fakes: what a sweep writes beside pytest's JSON."""

from types import SimpleNamespace

import impls
from bench.harness.neighbours import BUSY_CORES
from bench.harness.planner import Planner
from bench.harness.run_file import RunFile, neighbour_facts
from bench.harness.settings import build_settings
from bench.records import SCHEMA_VERSION


def run_file(plan: Planner) -> RunFile:
    state = SimpleNamespace(
        plan=plan,
        first_call_s={"two_loop": 0.25},
        stores=SimpleNamespace(shelf=SimpleNamespace(facts=lambda: []), disk_probe=None),
    )
    journal = SimpleNamespace(benchmarks=lambda: [])
    return RunFile(plan.settings, journal, state, closes=True, point_cores={1})


def lrbench(plan: Planner) -> dict:
    output: dict = {}
    run_file(plan).pytest_benchmark_update_json(config=None, benchmarks=[], output_json=output)
    return output["lrbench"]


def test_the_records_name_the_schema_the_settings_and_each_backends_contract():
    settings = build_settings("quick")
    written = lrbench(Planner(settings, available=lambda: 1 << 30))
    assert written["schema_version"] == SCHEMA_VERSION
    assert written["settings"] == settings.as_dict()
    assert written["first_call_s"] == {"two_loop": 0.25}
    assert len(written["order"]) == len(settings.points())
    for name in settings.backend_names:
        contract = impls.BACKENDS[name]
        assert written["backends"][name] == {
            "description": contract.description,
            "passes_over_x": contract.passes_over_x,
        }


def test_an_unfinished_sweep_lists_every_point_left_and_its_skips():
    plan = Planner(build_settings("quick"), available=lambda: 1 << 30)
    plan.record_measured(1, "two_loop", 1000, 100, 0.01)
    plan.decide(1, "two_loop", 100_000, 1000)  # over the budget: skipped
    done = plan.points[:3]  # what earlier processes of the sweep finished
    for point in done:
        plan.replay({"point": list(point), "benchmark": {"stats": {"median": 0.01}}})
    written = lrbench(plan)
    assert [tuple(point) for point in written["incomplete"]["left"]] == [
        tuple(point) for point in plan.not_finished()
    ]
    assert len(written["incomplete"]["left"]) == len(plan.points) - len(done)
    assert [s["backend"] for s in written["skipped"]] == ["two_loop"]
    assert written["skipped"][0]["status"] == "skipped-budget"


def test_neighbour_facts_count_busy_points_and_take_the_median_and_worst():
    info = [(0.1, False, 0.0), (1.2, True, 0.02), (0.3, False, 0.01), (0.2, False, 0.0)]
    benchmarks = [
        {"extra_info": {"others_cpu": o, "busy": b, "steal_cpu": s}} for o, b, s in info
    ] + [{"extra_info": {}}, {"extra_info": None}]  # points that recorded nothing
    assert neighbour_facts(benchmarks) == {
        "busy_cores": BUSY_CORES,
        "points": 4,
        "busy_points": 1,
        "others_cpu_median": 0.3,  # the upper median of four
        "others_cpu_max": 1.2,
        "steal_cpu_max": 0.02,
    }


def test_neighbour_facts_of_a_run_that_recorded_none_are_empty():
    assert neighbour_facts([{"extra_info": {}}]) == {
        "busy_cores": BUSY_CORES,
        "points": 0,
        "busy_points": 0,
        "others_cpu_median": None,
        "others_cpu_max": None,
        "steal_cpu_max": None,
    }
