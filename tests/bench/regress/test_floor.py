"""What the check says it cannot see here: the ladder of this CPU model, or how to measure one."""

import json

from bench.regress.floor import floor_lines, ladder_here
from tests.bench.analysis.test_trials import LADDER, ladder_document


def test_your_ladder_of_this_cpu_gives_each_tests_floor(tmp_path):
    yours = tmp_path / "regress-trials.json"
    yours.write_text(json.dumps(ladder_document(LADDER)))
    lines = floor_lines("CPU", yours)
    assert "10/10/10/10 checks per rung" in lines[0] and str(yours) in lines[0]
    assert lines[1:] == ["  numba: 1.03x", "  vectorized: 1.10x", "  all backends: 1.05x"]


def test_a_ladder_of_another_cpu_does_not_count(tmp_path):
    yours = tmp_path / "regress-trials.json"
    yours.write_text(json.dumps(ladder_document(LADDER)))
    assert ladder_here("Another CPU", yours) is None
    (line,) = floor_lines("Another CPU", yours)
    assert line.startswith("No ladder measured on this CPU (Another CPU)")
    assert "python -m bench trials --ladder" in line


def test_a_damaged_trials_file_is_passed_over(tmp_path):
    yours = tmp_path / "regress-trials.json"
    yours.write_text("{not json")
    assert ladder_here("CPU", yours) is None
