"""The ways in: `nox -s tests`, `nox -s bench`, `nox -s report`, `nox -s lint`."""

import nox

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint"]

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit tests of the backends and the harness (numerics and behaviour, never speed)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff over the whole project."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Measure every backend over the (m, n_x) grid; options after --, e.g. -- --preset quick."""
    session.install("-e", ".")
    session.run("python", "-m", "bench", *session.posargs)
