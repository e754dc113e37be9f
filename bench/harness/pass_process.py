"""One pass of a sweep in a process of its own: ``python -m bench pass`` (internal).

Started by ``sweep.measure_pass_by_pass`` with the sweep's settings (a JSON
file), its journal, where the run file goes and the pass: one of the
settings' passes, an extra pass of ``--until`` (its points in a JSON file), or
none, for the process that only closes the run. What the earlier passes found
(skips, step times, first calls) comes from the journal, and everything this
process finishes goes into it. The process dies with its parent (Linux's
parent-death signal), so a killed sweep leaves no pass running behind it.
"""

import argparse
import contextlib
import ctypes
import json
import signal
import sys
from pathlib import Path

from ..machine import identity
from ..settings import PassPoint, Settings
from .added import AddedFunction, AddedFunctionError, register_file
from .journal import Journal, header
from .sweep import measure

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    # Not Linux: no prctl, and a killed parent may leave this pass running.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main(args: argparse.Namespace) -> int:
    """Measure one pass (or close the run), with the options ``bench/cli.py`` declares."""
    die_with_parent()
    settings = Settings.from_dict(json.loads(args.settings.read_text()))
    try:  # the users' functions: the same files the sweep checked
        for record in settings.added:
            register_file(AddedFunction(Path(record.path), record.function), record.sha256)
    except AddedFunctionError as exc:
        print(f"python -m bench pass: error: {exc}", file=sys.stderr)
        return 2
    journal = Journal.resume(args.journal, header(settings.as_dict(), identity()))
    points = json.loads(args.points.read_text()) if args.points else []
    return measure(
        settings,
        journal,
        args.run_file,
        passes=set() if args.pass_number is None else {args.pass_number},
        started=args.started,
        until_points=[PassPoint(*point) for point in points],
        closes=args.closes,
    )
