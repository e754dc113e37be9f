"""results/runs.toml: the index of our runs, checked as data."""

import json
import re

import pytest

from bench import index
from bench.results import ResultsError


def test_our_index_names_one_reference_and_files_made_by_the_commits_it_says():
    ours = index.load()
    assert ours.reference.role == index.Role.REFERENCE
    assert ours.ordered()[0] == ours.reference
    for entry in ours.runs:
        document = json.loads(entry.path.read_text())
        assert document["commit_info"]["id"].startswith(entry.commit), entry.path
    for trials in ours.trials:
        assert "outcomes" in json.loads(trials.path.read_text()), trials.path
    # Every committed run file is reported, so none is kept without a reason.
    committed = {
        path
        for path in index.RESULTS.rglob("*.json")
        if "trials" not in path.name and path.parent != index.RESULTS
    }
    assert committed == {entry.path for entry in ours.runs}


ENTRY = 'path = "a.json"\ncpu = "C"\ncommit = "abc"\nmeasured = "m"\nwhy = "w"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[runs]]\n" + ENTRY + 'role = "cpu"\n', "0 runs have role = 'reference'"),
        ("[[runs]]\n" + ENTRY + 'role = "boss"\n', "runs[0].role must be one of"),
        ('[[runs]]\npath = "a.json"\nrole = "reference"\n', "runs[0].cpu must be a non-empty"),
        ("runs = 3\n", "runs must be an array of tables"),
        ("[[runs\n", "not a readable TOML index"),
        (
            "[[runs]]\n" + ENTRY + 'role = "reference"\n[[runs]]\n' + ENTRY + 'role = "cpu"\n',
            "2 runs stand for C in the atlas",
        ),
    ],
)
def test_a_bad_index_is_refused_naming_the_entry_and_field(tmp_path, text, message):
    path = tmp_path / "runs.toml"
    path.write_text(text)
    with pytest.raises(ResultsError, match=re.escape(message)):
        index.load(path)


def test_a_missing_index_says_so(tmp_path):
    with pytest.raises(ResultsError, match="no index of our runs here"):
        index.load(tmp_path / "runs.toml")
