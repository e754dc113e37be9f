"""The trials: scenarios run round-robin, outcomes counted, the table written from the file."""

import json
import subprocess

from bench import cli
from bench.analysis.trials import counts
from bench.regress import ab, trials


def fake_checks(monkeypatch, exits):
    """Replace the real check: the n-th call exits as told and names a backend if it fails."""
    calls = iter(exits)
    seen = []

    def one_check(base, head, scenario, seed, out_dir, args):
        seen.append((scenario.name, head == base))
        fake_checks.thresholds.append((args.threshold, args.floor))
        code = next(calls)
        regressed = ["vectorized"] if code == 1 else []
        outcome = {"exit": code, "seconds": 30.0}
        if code == 2:
            return outcome | {"error": "cannot compare"}
        return outcome | {
            "regressed": regressed,
            "ratios": {"vectorized": 1.1},
            "check_seconds": 29,
        }

    monkeypatch.setattr(trials, "one_check", one_check)
    return seen


fake_checks.thresholds = []  # each check's (threshold, floor), as the trials asked


def test_scenarios_run_round_robin_and_are_counted(monkeypatch, tmp_path, capsys):
    seen = fake_checks(monkeypatch, [0, 1, 0, 1, 0])
    out = tmp_path / "trials.json"
    args = ["--aa-runs", "3", "--runs", "2", "--only", "A/A", "vectorized 1.10x", "--out", str(out)]
    assert cli.main(["trials", *args]) == 0
    assert [name for name, _ in seen] == ["A/A (no change)", "vectorized 1.10x"] * 2 + [
        "A/A (no change)"
    ]
    assert all(same for _, same in seen)  # the head is the base commit, never the working tree
    rows = {row["scenario"]: row for row in counts(json.loads(out.read_text()))}
    assert rows["A/A (no change)"]["alarms"] == 0 and rows["A/A (no change)"]["checks"] == 3
    assert rows["vectorized 1.10x"]["alarms"] == 2
    table = capsys.readouterr().out
    assert "| A/A (no change) | 3 | 0 false alarms | 0% |" in table
    assert "| vectorized 1.10x | 2 | 2 detections | 100% | 1.100x | vectorized (2) |" in table


def test_the_ladder_slows_every_backend_by_each_rung_with_a_threshold_below_them(
    monkeypatch, tmp_path
):
    fake_checks.thresholds = []
    seen = fake_checks(monkeypatch, [0] * 5)
    out = tmp_path / "ladder.json"
    assert cli.main(["trials", "--ladder", "--aa-runs", "1", "--runs", "1", "--out", str(out)]) == 0
    assert [name for name, _ in seen] == ["A/A (no change)"] + [
        f"all backends {factor:.2f}x" for factor in trials.LADDER
    ]
    assert set(fake_checks.thresholds) == {trials.LADDER_CHECK}
    context = json.loads(out.read_text())["context"]
    assert (context["threshold"], context["floor"]) == trials.LADDER_CHECK
    fake_checks.thresholds = []
    fake_checks(monkeypatch, [0])
    assert cli.main(["trials", "--aa-runs", "1", "--only", "A/A", "--out", str(out)]) == 0
    assert fake_checks.thresholds == [(1.05, 1.02)]  # the check's own


def test_an_unusable_check_makes_a_non_zero_exit(monkeypatch, tmp_path):
    fake_checks(monkeypatch, [2])
    args = ["--aa-runs", "1", "--only", "A/A", "--out", str(tmp_path / "t.json")]
    assert cli.main(["trials", *args]) == 2


def test_tables_are_printed_one_per_file_in_the_order_named(monkeypatch, tmp_path, capsys):
    fake_checks(monkeypatch, [0])
    out = tmp_path / "t.json"
    cli.main(["trials", "--aa-runs", "1", "--only", "A/A", "--out", str(out)])
    other = tmp_path / "other.json"
    document = json.loads(out.read_text())
    document["context"]["cpu"] = "Other CPU"
    other.write_text(json.dumps(document))
    capsys.readouterr()
    assert cli.main(["trials", "--table", str(out), str(other)]) == 0
    text = capsys.readouterr().out
    assert text.count("| A/A (no change) | 1 | 0 false alarms |") == 2
    assert text.index(document["context"]["started"][:10]) < text.index("Other CPU")
    assert cli.main(["trials", "--table", str(tmp_path / "missing.json")]) == 2


def test_the_real_change_is_a_commit_that_computes_the_exponential_twice(tmp_path):
    clone = tmp_path / "clone"
    root = ab.repository_root(trials.Path.cwd())
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    changed = trials.commit_with_real_change(clone, "HEAD")
    source = ab.git(clone, "show", f"{changed}:{trials.SCALAR}")
    assert "math.exp(-0.5 * abs(t)) ** 2" in source
    assert ab.git(clone, "rev-parse", f"{changed}~1") == ab.git(clone, "rev-parse", "HEAD")
