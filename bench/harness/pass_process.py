"""One pass of a sweep in a process of its own: ``python -m bench.harness.pass_process``.

Started by ``sweep.measure_pass_by_pass`` with the sweep's settings (a JSON
file), its journal, the pass and where the run file goes. What the earlier
passes found (skips, step times, first calls) comes from the journal, and
everything this pass finishes goes into it. The process dies with its
parent (Linux's parent-death signal), so a killed sweep leaves no pass
running behind it.
"""

import contextlib
import ctypes
import json
import signal
import sys
from pathlib import Path

from ..machine import identity
from .journal import Journal, header
from .settings import Settings
from .sweep import measure

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    # Not Linux: no prctl, and a killed parent may leave this pass running.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main(argv: list[str]) -> int:
    settings_path, journal_path, pass_number, json_path, started = argv
    die_with_parent()
    settings = Settings.from_dict(json.loads(Path(settings_path).read_text()))
    journal = Journal.resume(Path(journal_path), header(settings.as_dict(), identity()))
    return measure(
        settings, journal, Path(json_path), passes={int(pass_number)}, started=float(started)
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
