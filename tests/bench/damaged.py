"""Damaged result files, made from the committed fixture: every command must refuse each one
with exit 2 and a message naming the problem (and the file)."""

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
RUN = FIXTURES / "run_small.json"


def _edit(change):
    def make(path: Path) -> None:
        document = json.loads(RUN.read_text())
        change(document)
        path.write_text(json.dumps(document))

    return make


def _truncated(path: Path) -> None:
    path.write_text(RUN.read_text()[:500])


def _first_gradient(document: dict) -> dict:
    return next(b for b in document["benchmarks"] if b.get("group") is None)


# name: (how to damage the file, what the message must say)
CASES = {
    "missing field": (
        _edit(lambda d: _first_gradient(d)["stats"].pop("q1")),
        r"benchmarks\[\d+\]\.stats\.q1 is missing",
    ),
    "wrong type": (
        _edit(lambda d: _first_gradient(d)["params"].update(m="ten")),
        r"benchmarks\[\d+\]\.params\.m must be a positive integer; got 'ten'",
    ),
    "no benchmarks": (
        _edit(lambda d: d.update(benchmarks=[])),
        "benchmarks is empty: the run measured nothing",
    ),
    "unknown schema version": (
        _edit(lambda d: d["lrbench"].update(schema_version=7)),
        "schema version 7 is not one this harness reads",
    ),
    "truncated JSON": (_truncated, "not a readable JSON results file"),
    "missing machine facts": (
        _edit(lambda d: d["machine_info"].pop("lrbench")),
        "machine_info.lrbench is missing",
    ),
    "unknown data source": (
        _edit(lambda d: _first_gradient(d).setdefault("extra_info", {}).update(data_source="tape")),
        r"benchmarks\[\d+\]\.extra_info\.data_source must be one of memory, disk, cluster",
    ),
    "a store without its size": (
        _edit(lambda d: d["lrbench"].update(stores=[{"m": 10, "n_x": 2, "make_s": 1.0}])),
        r"lrbench\.stores\[0\]\.bytes is missing",
    ),
    "a roof study's round times not a list": (
        _edit(
            lambda d: d["machine_info"]["lrbench"].update(
                roof={"bytes_X": 800, "seconds": {"1": {"probe": 0.1}}}
            )
        ),
        r"machine_info\.lrbench\.roof\.seconds\.1\.probe must be a list",
    ),
    "missing file": (lambda path: None, "no such results file"),
}
