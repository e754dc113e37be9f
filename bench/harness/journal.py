"""The sweep's journal: every finished benchmark and skipped point, written as it happens.

One JSON line per entry in ``<results>/journal.jsonl``. The first line says
which sweep the journal belongs to (settings, a digest of the code, the
machine); each later line holds one finished test of the sweep, keyed by its
pytest node id: a benchmark as pytest-benchmark would write it, or a point
skipped, with the record the run keeps. A line is written with one
``write`` on a file opened for appending, so a kill leaves at most a torn
last line, which reading drops. A sweep interrupted by Ctrl-C, ``kill -9``
or the OOM killer leaves the journal behind; ``python -m bench --resume``
reads it back, refuses it if the code, settings or machine differ, and
measures only what is left. A published run removes it.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .settings import OptionError

JOURNAL_NAME = "journal.jsonl"
JOURNAL_VERSION = 1
CODE_FOLDERS = ("impls", "bench")  # what a digest of "the code" covers


def code_digest(root: Path = Path(__file__).parents[2]) -> str:
    """SHA-256 of every Python file of impls/ and bench/: any edit gives another digest."""
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def header(settings: dict, machine: dict) -> dict:
    """What a journal must match to be resumed: JSON-shaped, as it is stored."""
    return json.loads(
        json.dumps(
            {
                "journal_version": JOURNAL_VERSION,
                "settings": settings,
                "code": code_digest(),
                "machine": machine,
            }
        )
    )


def differences(mine: dict, theirs: dict, where: str = "") -> list[str]:
    """'key: a against b' for every leaf where two headers differ."""
    found = []
    for key in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(key), theirs.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found += differences(a, b, f"{where}{key}.")
        elif a != b:
            found.append(f"{where}{key}: {b!r} then, {a!r} now")
    return found


@dataclass
class Journal:
    path: Path
    header: dict
    # Node id -> its entry, in the order they finished (including those of earlier processes).
    entries: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def start(cls, path: Path, head: dict) -> "Journal":
        """A new journal for a sweep starting now; an unfinished one at path is replaced."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".tmp-{path.name}")
        temporary.write_text(json.dumps(head) + "\n")
        os.replace(temporary, path)
        return cls(path, head)

    @classmethod
    def resume(cls, path: Path, head: dict) -> "Journal":
        """The unfinished sweep's journal at path, if it is this sweep's; else an OptionError
        that says what differs."""
        try:
            lines = path.read_text().split("\n")
        except FileNotFoundError:
            raise OptionError(
                f"--resume: no unfinished sweep here ({path} does not exist); "
                "start one without --resume"
            ) from None
        stored = _parse(lines[0])
        if stored is None or stored.get("journal_version") != JOURNAL_VERSION:
            raise OptionError(f"--resume: {path} is not a journal this version can read")
        changed = differences(head, stored)
        if changed:
            raise OptionError(
                f"--resume: the unfinished sweep in {path} was measured with other "
                f"{_what(changed)}; resuming would mix two sweeps in one run. Differences: "
                + "; ".join(changed[:6])
                + (f"; and {len(changed) - 6} more" if len(changed) > 6 else "")
                + ". Run the same command as then with --resume, or start anew without it."
            )
        journal = cls(path, stored)
        for line in lines[1:]:
            entry = _parse(line)  # None: a line torn by a kill, or the empty last one
            if entry is not None and "nodeid" in entry:
                journal.entries[entry["nodeid"]] = entry
        return journal

    def append(self, entry: dict) -> None:
        """Add an entry as one write, so a kill never leaves half of it but in the last line."""
        line = (json.dumps(entry) + "\n").encode()
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
        self.entries[entry["nodeid"]] = entry

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def benchmarks(self) -> list[dict]:
        return [e["benchmark"] for e in self.entries.values() if e.get("benchmark")]


def _parse(line: str) -> dict | None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _what(changed: list[str]) -> str:
    kinds = {"settings": "settings", "code": "code", "machine": "machine"}
    found = [word for key, word in kinds.items() if any(c.startswith(key) for c in changed)]
    return " and ".join(found) or "settings"
