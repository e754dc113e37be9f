"""Cost models, regimes and verdicts, on synthetic results whose answer is known."""

import numpy as np
import pandas as pd
import pytest

from bench.analysis.speedups import speedups
from bench.analysis.verdicts import (
    CLAIMS,
    Claim,
    NoVerdict,
    classify,
    fit_models,
    judge,
    regime,
    size_where_claim_holds,
    verdict,
    verdict_document,
)
from bench.cost_model import CostModel

MS = [10, 100, 1000, 10_000, 100_000]
NXS = [1, 10, 100, 1000]
# Known costs: two_loop 40 ns per element + 0.5 µs per example; vectorized 10 µs + 0.1 ns/element;
# one_loop 2 µs per example + 1 ns per element.
TRUE = {
    "two_loop": CostModel(0.0, 5e-7, 4e-8, 0.0, 0),
    "one_loop": CostModel(0.0, 2e-6, 1e-9, 0.0, 0),
    "vectorized": CostModel(1e-5, 0.0, 1e-10, 0.0, 0),
}


def synthetic_table(skip_two_loop_above=None) -> pd.DataFrame:
    rows = []
    for backend, model in TRUE.items():
        for m in MS:
            for n_x in NXS:
                t = float(model.predict(m, n_x))
                row = dict(
                    backend=backend,
                    m=m,
                    n_x=n_x,
                    elements=m * n_x,
                    status="measured",
                    median_s=t,
                    q1_s=0.95 * t,
                    q3_s=1.05 * t,
                    predicted_s=None,
                    bytes_X=8 * m * n_x,
                    passes_over_x=2 if backend == "vectorized" else 1,
                )
                if backend == "two_loop" and skip_two_loop_above and m * n_x > skip_two_loop_above:
                    row |= dict(
                        status="skipped-budget",
                        median_s=np.nan,
                        q1_s=np.nan,
                        q3_s=np.nan,
                        predicted_s=t,
                    )
                rows.append(row)
    return pd.DataFrame(rows)


def test_models_recover_the_true_costs():
    models = fit_models(synthetic_table())
    assert models["vectorized"].overhead_s == pytest.approx(1e-5, rel=1e-6)
    assert models["vectorized"].per_element_s == pytest.approx(1e-10, rel=1e-6)
    assert models["vectorized"].per_example_s == 0  # not kept: it does not fit clearly better
    assert models["one_loop"].per_example_s == pytest.approx(2e-6, rel=1e-6)
    assert models["two_loop"].per_element_s == pytest.approx(4e-8, rel=1e-6)


def test_too_few_points_give_a_reason_not_a_model():
    table = synthetic_table()
    table = table[(table.backend != "one_loop") | (table.m == 10) & (table.n_x < 10)]
    assert fit_models(table)["one_loop"] == "too few measured points to fit (1)"


def test_speedups_use_predictions_only_where_labelled():
    table = synthetic_table(skip_two_loop_above=1e6)
    points = speedups(table, "vectorized").set_index(["m", "n_x"])
    big = points.loc[(100_000, 1000)]
    assert big["predicted"]
    assert big["speedup"] == pytest.approx(
        TRUE["two_loop"].predict(100_000, 1000) / TRUE["vectorized"].predict(100_000, 1000)
    )
    assert np.isnan(big["low"])
    small = points.loc[(10, 1)]
    assert not small["predicted"]
    assert small["low"] == pytest.approx(small["speedup"] * 0.95 / 1.05)


def test_verdict_on_the_300x_claim_matches_the_known_answer():
    table = synthetic_table()
    models = fit_models(table)
    result = verdict(CLAIMS[0], table, models, bandwidth_Bps=None)
    expected = {
        (m, n): TRUE["two_loop"].predict(m, n) / TRUE["vectorized"].predict(m, n) >= 300
        for m in MS
        for n in NXS
    }
    got = {(r.m, r.n_x): r.holds for r in result.points.itertuples()}
    assert got == expected
    assert 0 < sum(expected.values()) < len(expected)
    assert result.statement.startswith(
        f"The speedup reaches 300x at {sum(expected.values())} of {len(expected)}"
    )
    assert "a ratio of 400x" in result.reasons[0]  # 40 ns / 0.1 ns per element
    assert "10 µs per step" in result.reasons[1]


def test_verdict_when_a_claim_holds_everywhere_or_nowhere():
    table = synthetic_table()
    models = fit_models(table)
    low_claim = type(CLAIMS[0])("~1x", "vectorized", 0.5)
    assert verdict(low_claim, table, models, None).statement.startswith(
        "The speedup is at least 0.5x at every measured point"
    )
    high_claim = type(CLAIMS[0])("~1e6x", "vectorized", 1e6)
    assert verdict(high_claim, table, models, None).statement.startswith(
        "The speedup stays below 1e+06x at every measured point"
    )


def test_verdict_needs_common_points():
    table = synthetic_table()
    table = table[table.backend != "two_loop"]
    with pytest.raises(ValueError, match="no point where both vectorized and two_loop"):
        verdict(CLAIMS[0], table, fit_models(table), None)


def test_regimes():
    model = CostModel(1e-5, 0.0, 1e-10, 0.0, 0)
    assert regime(model, 10, 10, 1e-5, 1e10) == "overhead-bound"
    # 1e9 elements at 1e-10 s each: 0.1 s to move 8 GB = 80 GB/s, over half of 100 GB/s.
    assert regime(model, 1_000_000, 1000, 0.1, 100e9) == "memory-bound"
    assert regime(model, 1_000_000, 1000, 0.1, 1e12) == "compute-bound"
    assert regime(model, 1_000_000, 1000, 0.1, None) == "compute-bound"


def test_size_from_which_a_claim_holds():
    points = pd.DataFrame(
        dict(m=[10, 100, 1000, 10_000], n_x=[1, 1, 1, 1], holds=[False, True, False, True])
    )
    assert size_where_claim_holds(points) == 10_000
    assert np.isnan(size_where_claim_holds(points.assign(holds=False)))


@pytest.mark.parametrize(
    ("low", "high", "expected", "at_least"),
    [
        (160, 280, "holds", "fails"),  # inside 150-600 but below 300
        (310, 500, "holds", "holds"),
        (620, 900, "fails", "holds"),  # above the band, so not "~300x", but at least 300x
        (50, 120, "fails", "fails"),
        (100, 200, "inconclusive", "fails"),
        (250, 700, "inconclusive", "inconclusive"),
        (np.nan, np.nan, "inconclusive", "inconclusive"),  # a predicted point has no interval
    ],
)
def test_classes_come_from_the_whole_interval(low, high, expected, at_least):
    claim = Claim("~300x", "vectorized", 300.0)
    assert claim.band == (150.0, 600.0)
    assert classify(low, high, *claim.band) == expected
    assert classify(low, high, claim.factor) == at_least


def test_each_claim_is_judged_against_both_loops_and_written_point_by_point():
    table = synthetic_table()
    verdicts, failures = judge(table)
    # The synthetic run has no course loops: those verdicts say why they are missing.
    assert [v.claim.name for v in verdicts] == [
        "~300x (vectorized vs two_loop)",
        "~10x (one_loop vs two_loop)",
    ]
    assert failures == {
        "~300x (vectorized vs course_two_loop)": NoVerdict("course_two_loop not in this run", True),
        "~10x (course_one_loop vs course_two_loop)": NoVerdict(
            "course_one_loop, course_two_loop not in this run", True
        ),
    }
    document = verdict_document(verdicts)
    first = document["claims"][0]
    assert first["band"] == [150.0, 600.0] and first["baseline"] == "two_loop"
    assert len(first["points"]) == len(MS) * len(NXS)
    assert set(first["points"][0]) == {
        "m",
        "n_x",
        "speedup",
        "low",
        "high",
        "class",
        "class_at_least",
    }
    assert sum(first["counts"].values()) == len(first["points"])
