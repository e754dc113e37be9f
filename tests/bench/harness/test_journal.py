"""The sweep's journal: appended as points finish, read back for --resume, refused when foreign."""

import json

import pytest

from bench.harness import journal as journal_module
from bench.harness.journal import Journal, header
from bench.harness.settings import OptionError, build_settings

MACHINE = {"cpu_model": "a CPU", "cpu_count": 2}


def quick_header(**machine) -> dict:
    return header(build_settings("quick", m="10,20", nx="2").as_dict(), MACHINE | machine)


def test_entries_written_are_read_back_in_order_and_a_torn_last_line_is_dropped(tmp_path):
    path = tmp_path / "journal.jsonl"
    journal = Journal.start(path, quick_header())
    journal.append({"nodeid": "a", "benchmark": {"name": "a"}})
    journal.append({"nodeid": "b", "benchmark": None, "point": [1, "x", 10, 2]})
    with path.open("a") as f:  # what a kill in the middle of a write leaves
        f.write('{"nodeid": "c", "bench')
    again = Journal.resume(path, quick_header())
    assert list(again.entries) == ["a", "b"]
    assert again.benchmarks() == [{"name": "a"}]


def test_a_new_sweep_replaces_an_unfinished_journal(tmp_path, capsys):
    path = tmp_path / "journal.jsonl"
    Journal.start(path, quick_header()).append({"nodeid": "a"})
    Journal.start(path, quick_header())
    assert len(path.read_text().splitlines()) == 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"settings": build_settings("quick", m="10,30", nx="2").as_dict()}, "settings.m"),
        ({"code": "another digest"}, "code"),
        ({"machine": MACHINE | {"cpu_model": "another CPU"}}, "machine.cpu_model"),
    ],
)
def test_resume_refuses_another_sweeps_journal_and_names_what_differs(tmp_path, change, named):
    path = tmp_path / "journal.jsonl"
    Journal.start(path, quick_header()).append({"nodeid": "a"})
    with pytest.raises(OptionError, match=rf"--resume: .* other .*{named}: .* then, .* now"):
        Journal.resume(path, quick_header() | change)


def test_resume_without_a_journal_says_there_is_nothing_to_resume(tmp_path):
    with pytest.raises(OptionError, match="no unfinished sweep here"):
        Journal.resume(tmp_path / "journal.jsonl", quick_header())
    (tmp_path / "journal.jsonl").write_text("not json\n")
    with pytest.raises(OptionError, match="not a journal this version can read"):
        Journal.resume(tmp_path / "journal.jsonl", quick_header())


def test_the_code_digest_changes_with_any_edit_of_impls_or_bench(tmp_path):
    for folder in journal_module.CODE_FOLDERS:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.py").write_text("x = 1\n")
    before = journal_module.code_digest(tmp_path)
    (tmp_path / "bench" / "a.py").write_text("x = 2\n")
    assert journal_module.code_digest(tmp_path) != before
    assert json.dumps(quick_header())  # stored as JSON, compared as JSON
