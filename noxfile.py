"""The ways in, each a command of `python -m bench` (bench/cli.py) or the tests and the linter."""

import nox

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "notebook", "lint"]

PYTHON = "3.11"
# uv, unlike pip, installs no bytecode; where PYTHONDONTWRITEBYTECODE is set (as on our VMs)
# every Python process would then compile numba, pandas and scipy from source on each start:
# seconds per process, for the sweep's and the tests' many processes.
COMPILED = {"UV_COMPILE_BYTECODE": "1"}


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit tests of the backends and the harness (numerics and behaviour, never speed)."""
    session.install("-e", ".[test,jax,dask]", env=COMPILED)
    session.run("pytest", "--ignore=tests/notebooks", *session.posargs)


@nox.session(python=PYTHON)
def notebook(session: nox.Session) -> None:
    """notebooks/first_look: run as a learner would (smaller sizes), its pair kept in step."""
    session.install("-e", ".[test,notebook]", env=COMPILED)
    session.run("pytest", "tests/notebooks", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff over the whole project."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Measure the backends over the (m, n_x) grid, then chart and report; -- --help: options."""
    session.install("-e", ".[jax,dask]", env=COMPILED)
    session.run("python", "-m", "bench", "run", *session.posargs)


@nox.session(python=PYTHON, default=False)
def report(session: nox.Session) -> None:
    """Our report from results/runs.toml, the README's answer, the page's picture; -- RUN.json:
    yours instead."""
    session.install("-e", ".", "playwright")
    session.run("python", "-m", "bench", "report", *(session.posargs or ["--docs"]))
    if not session.posargs:  # the README shows our page: its picture follows it
        session.run("python", "-m", "bench", "screenshot")


@nox.session(python=PYTHON, default=False)
def screenshot(session: nox.Session) -> None:
    """plots/report_page.png: results/report.html in Debian's Chromium, for the README."""
    session.install("-e", ".", "playwright")
    session.run("python", "-m", "bench", "screenshot", *session.posargs)


@nox.session(python=PYTHON, default=False)
def regress(session: nox.Session) -> None:
    """HEAD against the commit in results/baseline/REF, interleaved on this machine; -- --help."""
    session.install("-e", ".")
    session.run("python", "-m", "bench", "regress", *session.posargs)


@nox.session(python=PYTHON, default=False)
def trials(session: nox.Session) -> None:
    """The regression check's false-alarm and detection rates here; -- --help for options."""
    session.install("-e", ".")
    session.run("python", "-m", "bench", "trials", *session.posargs)
