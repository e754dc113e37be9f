"""The one command line: every command listed, each with its options, the sweep the default."""

import argparse
import ast
from pathlib import Path

import pytest

from bench import cli

BENCH = Path(cli.__file__).parent


def public_commands() -> list[str]:
    return [name for name, command in cli.COMMANDS.items() if command.summary]


def test_help_lists_every_command_with_its_summary_an_example_and_the_exit_status(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in public_commands():
        assert f"    {name} " in out and cli.COMMANDS[name].example in out
    assert "pass" not in out.split("commands:")[1].split("examples:")[0]  # internal
    assert "exit status (every command):" in out and "130" in out


@pytest.mark.parametrize("command", public_commands())
def test_every_command_has_its_own_help_ending_in_the_exit_status(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m bench {command}")
    assert out.rstrip().endswith(cli.EXIT_STATUS.splitlines()[-1])


def test_the_sweep_is_the_default_command():
    assert cli.command_of(["--preset", "quick"]) == "run"
    assert cli.command_of([]) == "run"
    assert cli.command_of(["report", "x.json"]) == "report"
    assert cli.command_of(["--help"]) == "--help"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["regress", "--rounds", "2"], "--rounds must be at least 3"),
        (["regress", "--alpha", "2"], "--alpha must be in (0, 1)"),
        (["trials", "--aa-runs", "0"], "--aa-runs and --runs must be at least 1"),
        (["compare-files", "a.json", "b.json", "--claim-point", "x"], "--claim-point: expected"),
        (["report", "--nope"], "unrecognized arguments: --nope"),
    ],
)
def test_options_a_parser_can_check_exit_2_naming_them(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_options_shared_by_commands_are_declared_once():
    shared = {"--dtype": ("run", "regress"), "--workers": ("regress", "trials")}
    for option, commands in shared.items():
        for command in commands:
            _, parsers = cli.parser(command)
            assert option in parsers[command]._option_string_actions, (option, command)
    source = (BENCH / "cli.py").read_text()
    assert source.count('"--dtype"') == source.count('"--workers"') == 1


def test_one_module_declares_the_command_line():
    declaring = [
        path.relative_to(BENCH).as_posix()
        for path in BENCH.rglob("*.py")
        if any(
            isinstance(node, ast.Attribute) and node.attr == "ArgumentParser"
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert declaring == ["cli.py"]


def test_every_command_names_a_function_that_takes_the_options():
    import importlib
    import inspect

    for name, command in cli.COMMANDS.items():
        module, function = command.handler.split(":")
        target = getattr(importlib.import_module(module), function)
        (parameter,) = inspect.signature(target).parameters.values()
        assert parameter.annotation in (argparse.Namespace, "argparse.Namespace"), name


def test_a_sweep_writes_to_a_folder_git_ignores_never_to_ours():
    _, parsers = cli.parser("run")
    folder = parsers["run"].get_default("results_dir")
    assert folder == Path("my-results")
    ignored = (BENCH.parent / ".gitignore").read_text().splitlines()
    assert f"{folder}/" in ignored
    _, parsers = cli.parser("trials")
    assert parsers["trials"].get_default("out").parent == folder
