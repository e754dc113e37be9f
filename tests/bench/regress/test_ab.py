"""The interleaving at the heart of the regression check, on fake workers: which pair times
which round, where X is placed, and how base and head alternate."""

from pathlib import Path

import numpy as np
import pytest

from bench.placement import OFFSET_STEP, PAGE
from bench.regress import ab


class FakeWorker:
    """A worker that answers at once: each batch of a point takes the time it is told."""

    def __init__(self, name: str, seconds: dict[int, list[float]], backends=("a", "b")):
        self.side = ab.Side(name, Path("."), name)
        self.seconds = {point: iter(times) for point, times in seconds.items()}
        self.backends = list(backends)
        self.requests: list[tuple[str, dict]] = []

    def request(self, op: str, **arguments) -> dict:
        self.requests.append((op, arguments))
        if op == "time":
            return {"s": [next(self.seconds[arguments["point"]])]}
        return {}

    def send(self, op: str, **arguments) -> None:
        self.requests.append((op, arguments))

    def receive(self) -> dict:
        return self.reply

    def placed(self) -> list[int]:
        return [args["offset"] for op, args in self.requests if op == "place"]

    def timed(self) -> list[int]:
        return [args["point"] for op, args in self.requests if op == "time"]


CELLS = [(0, ab.Cell("a", 10, 2, calls=3)), (1, ab.Cell("b", 20, 4, calls=1))]


def pairs_of(count: int, rounds: int) -> list[list[FakeWorker]]:
    # Every batch of the base takes 2 s at point 0 and 4 s at point 1, the head 1 s and 8 s,
    # but for one slow batch (9 s) per cell and round that the fastest batch leaves out.
    batches = 2 * ab.BATCHES * rounds

    def times(fast: float) -> list[float]:
        return [9.0 if i % ab.BATCHES == 0 else fast for i in range(batches)]

    return [
        [
            FakeWorker("base", {0: times(2.0), 1: times(4.0)}),
            FakeWorker("head", {0: times(1.0), 1: times(8.0)}),
        ]
        for _ in range(count)
    ]


def test_the_pairs_take_the_rounds_in_turn_and_each_round_visits_every_cell():
    pairs = pairs_of(3, rounds=7)
    table = ab.rounds(pairs, CELLS, 7, np.random.default_rng(0), lambda _: None, "check")
    assert table.groupby("round")["pair"].first().tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert (table.groupby("round")["backend"].apply(sorted) == [["a", "b"]] * 7).all()
    # A side's time in a round is its fastest batch: the slow batch never counts.
    by_cell = table.groupby("backend")[["base_s", "head_s"]].agg(set)
    assert by_cell.loc["a"].tolist() == [{2.0}, {1.0}] and by_cell.loc["b"].tolist() == [
        {4.0},
        {8.0},
    ]


def test_both_workers_of_a_pair_place_x_alike_each_round_at_offsets_numpy_could_give():
    pairs = pairs_of(2, rounds=10)
    table = ab.rounds(pairs, CELLS, 10, np.random.default_rng(1), lambda _: None, "check")
    for base, head in pairs:
        assert base.placed() == head.placed() and len(base.placed()) == 5
    offsets = table.groupby("round")["x_offset"].first()
    assert all(o % OFFSET_STEP == 0 and 0 <= o < PAGE for o in offsets)
    assert offsets.nunique() > 1  # placed anew, round by round


def test_base_and_head_alternate_batch_by_batch_from_a_random_first_side():
    pairs = pairs_of(1, rounds=12)
    table = ab.rounds(pairs, CELLS, 12, np.random.default_rng(2), lambda _: None, "check")
    base, head = pairs[0]
    order = [op for op in base.requests + head.requests if op[0] == "time"]
    assert len(order) == 2 * ab.BATCHES * len(CELLS) * 12
    assert len(base.timed()) == len(head.timed())  # the same number of batches each
    assert 0 < table["head_first"].sum() < len(table)  # who starts is drawn


def test_backends_to_compare_are_those_of_both_and_a_missing_one_is_named():
    base = FakeWorker("base", {}, backends=("a", "b"))
    head = FakeWorker("head", {}, backends=("a", "b", "c"))
    assert ab.check_backends([base, head], None) == (["a", "b"], ["c"])
    with pytest.raises(ab.CheckError, match="backend 'c' is missing in the base"):
        ab.check_backends([base, head], ["c"])


def test_sides_that_compute_different_steps_cannot_be_compared():
    base, head = FakeWorker("base", {}), FakeWorker("head", {})
    base.reply = {"cost": [0.693], "first_call_s": [0.1]}
    head.reply = {"cost": [0.7], "first_call_s": [0.3]}
    with pytest.raises(ab.CheckError, match="disagree at a m=10 n_x=2"):
        ab.prepare([base, head], [("a", 10, 2)], seed=0, dtype="float64")
    head.reply = {"cost": [0.693], "first_call_s": [0.3]}
    assert ab.prepare([base, head], [("a", 10, 2)], seed=0, dtype="float64") == [0.3]


def test_rounds_end_after_a_whole_turn_of_the_pairs_once_the_answer_is_clear():
    pairs = pairs_of(3, rounds=15)
    asked = []

    def enough(table):
        asked.append(int(table["round"].max()))
        return len(asked) == 2

    said = []
    table = ab.rounds(pairs, CELLS, 15, np.random.default_rng(3), said.append, "check", enough)
    # Asked after each turn of all three pairs from the second on: rounds 6 and 9.
    assert asked == [6, 9] and table["round"].max() == 9
    assert said[-1] == "  check: the answer is clear after round 9/15; stopped there"
    full = ab.rounds(pairs_of(3, 15), CELLS, 15, np.random.default_rng(3), lambda _: None, "x")
    assert full["round"].max() == 15
