"""Our runs: the index of the runs we report (``results/runs.toml``), read and checked as data.

Our results live beside the code (``results/``, ``plots/``) and are written only by
``python -m bench report`` from this index; a user's sweeps go elsewhere (``my-results/``).
"""

import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .results import ResultsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (Python 3.10)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
PLOTS = ROOT / "plots"
INDEX = RESULTS / "runs.toml"


class Role(StrEnum):
    """Why a run is reported (see the index's own header)."""

    REFERENCE = "reference"  # the README's answer and REPORT.md's verdicts
    CPU = "cpu"  # the run shown for its CPU in the atlas
    REPEAT = "repeat"  # another run of a CPU with the same settings: how far runs differ
    STUDY = "study"  # a question of its own: another dtype, thread count, design, disk


# Roles whose runs stand for a CPU in the atlas, and are compared with each other there.
ATLAS_ROLES = (Role.REFERENCE, Role.CPU, Role.REPEAT)


@dataclass(frozen=True)
class IndexedRun:
    path: Path
    cpu: str
    commit: str
    role: Role
    measured: str
    why: str


@dataclass(frozen=True)
class IndexedTrials:
    path: Path
    cpu: str
    why: str


@dataclass(frozen=True)
class Index:
    runs: tuple[IndexedRun, ...]
    trials: tuple[IndexedTrials, ...]
    source: Path

    @property
    def reference(self) -> IndexedRun:
        return next(run for run in self.runs if run.role == Role.REFERENCE)

    def ordered(self) -> list[IndexedRun]:
        """The reference first, then the others in the index's order."""
        return [self.reference, *(run for run in self.runs if run.role != Role.REFERENCE)]


def load(path: Path | None = None) -> Index:
    """The index at path (ours by default), checked: a ResultsError names the entry and the
    field at fault."""
    path = INDEX if path is None else path
    try:
        document = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ResultsError(f"{path}: no index of our runs here") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ResultsError(f"{path}: not a readable TOML index: {exc}") from None
    runs = tuple(
        IndexedRun(
            path=path.parent / _field(entry, "path", path, where),
            cpu=_field(entry, "cpu", path, where),
            commit=_field(entry, "commit", path, where),
            role=_role(entry, path, where),
            measured=_field(entry, "measured", path, where),
            why=_field(entry, "why", path, where),
        )
        for where, entry in _entries(document, "runs", path)
    )
    trials = tuple(
        IndexedTrials(
            path=path.parent / _field(entry, "path", path, where),
            cpu=_field(entry, "cpu", path, where),
            why=_field(entry, "why", path, where),
        )
        for where, entry in _entries(document, "trials", path)
    )
    references = [run for run in runs if run.role == Role.REFERENCE]
    if len(references) != 1:
        raise ResultsError(f"{path}: {len(references)} runs have role = 'reference'; need one")
    for cpu in {run.cpu for run in runs}:
        shown = [run for run in runs if run.cpu == cpu and run.role in (Role.REFERENCE, Role.CPU)]
        if len(shown) > 1:
            raise ResultsError(f"{path}: {len(shown)} runs stand for {cpu} in the atlas; one may")
    return Index(runs, trials, path)


def _entries(document: dict, table: str, path: Path) -> list[tuple[str, dict]]:
    entries = document.get(table, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ResultsError(f"{path}: {table} must be an array of tables ([[{table}]])")
    return [(f"{table}[{i}]", entry) for i, entry in enumerate(entries)]


def _field(entry: dict, key: str, path: Path, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ResultsError(f"{path}: {where}.{key} must be a non-empty string")
    return value


def _role(entry: dict, path: Path, where: str) -> Role:
    role = _field(entry, "role", path, where)
    if role not in set(Role):
        raise ResultsError(f"{path}: {where}.role must be one of {', '.join(Role)}; got {role!r}")
    return Role(role)
