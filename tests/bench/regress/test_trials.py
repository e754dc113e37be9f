"""The trials tool counts alarms from the check's own summary."""

import json
import subprocess

from bench.regress import trials as regress_trials


def fake_runs(monkeypatch, outcomes):
    """Replace the sweep and the check: the check's n-th call exits and summarises as told."""
    calls = iter(outcomes)

    def run(command, **kwargs):
        if "bench.regress" in command:
            code, backends, guard_ok = next(calls)
            summary = {"regressed_backends": backends, "claim_guard": {"ok": guard_ok}}
            current = command[-1]
            (regress_trials.Path(current).parent / "summary.json").write_text(json.dumps(summary))
            return subprocess.CompletedProcess(command, code)
        results = regress_trials.Path(command[command.index("--results-dir") + 1])
        results.mkdir(parents=True)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(regress_trials.subprocess, "run", run)


def test_alarms_and_named_backends_are_counted(monkeypatch, capsys):
    fake_runs(monkeypatch, [(0, [], True), (1, ["vectorized"], True), (1, [], False)])
    assert regress_trials.main(["--runs", "3", "--slowdown", "vectorized=1.5"]) == 0
    out = capsys.readouterr().out
    assert "3 runs, slowdown vectorized=1.5: 2 alarm(s) (67%)" in out
    assert "{'vectorized': 1, 'claim guard': 1}" in out


def test_unusable_comparisons_make_a_non_zero_exit(monkeypatch, capsys):
    fake_runs(monkeypatch, [(2, [], True)])
    assert regress_trials.main(["--runs", "1"]) == 2
    assert "unusable: 1" in capsys.readouterr().out
