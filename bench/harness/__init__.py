"""Measuring: sweep settings and presets, machine facts and probes, the pytest-benchmark plugin.

``sweep.run(settings)`` measures and returns a ``Run``; nothing here reads
result files other than the one it has just written.
"""

from ..settings import Settings
from .settings import PRESETS, OptionError, build_settings
from .sweep import SweepError, SweepInterrupted, open_journal, publish, run

__all__ = [
    "PRESETS",
    "OptionError",
    "Settings",
    "SweepError",
    "SweepInterrupted",
    "build_settings",
    "open_journal",
    "publish",
    "run",
]
