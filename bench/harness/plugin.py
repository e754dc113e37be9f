"""The pytest plugin that runs a sweep: what is measured in this process, in which order, and
the sweep's state for the timed functions.

``sweep.measure`` hands a ``SweepPlugin`` to ``pytest.main`` with the plugins that hold the
limits (``limits.Limits``), record each test as it ends (``recorder.Recorder``) and write the
run file (``run_file.RunFile``), so the settings reach the timed functions in
``timed_steps.py`` as a Python object.
"""

import time
from pathlib import Path

import pytest

from ..settings import PassPoint, Settings
from . import lecture, neighbours
from .items import param
from .journal import Journal
from .run_file import say
from .state import SweepState


class SweepPlugin:
    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        passes: set[int] | None = None,
        started: float | None = None,
        until_points: list[PassPoint] | None = None,
        closes: bool | None = None,
        kept: Path | None = None,
    ):
        self.settings = settings
        # The passes this process measures (None: all); the first opens with the calibration
        # kernels' "start" window.
        self.passes = passes
        # Whether this process closes the run: the calibration kernels' "end" window, the
        # probes and the run file with them. By default the process of the last pass.
        self.closes = (passes is None or settings.passes in passes) if closes is None else closes
        self.state = SweepState(settings, kept=kept)
        self.state.plan.until_points = (
            until_points or []
        )  # an extra pass of --until (planner.until_pass)
        if started is not None:  # the sweep began in an earlier process
            self.state.progress.started -= time.time() - started
        # What earlier processes of the sweep finished (measured again by none).
        self.journal = journal
        self.neighbourhood = neighbours.Neighbourhood()

    def pytest_configure(self, config: pytest.Config) -> None:
        self.state.stores.shelf.say = lambda message: say(config, message)

    @pytest.fixture
    def sweep_state(self) -> SweepState:
        return self.state

    @pytest.fixture
    def neighbour_watch(self) -> neighbours.Watch:
        """Started as the point starts; the point reads what other processes did meanwhile
        (a short point: over the last neighbours.MIN_WINDOW_S)."""
        return self.neighbourhood.watch()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        names = set(metafunc.fixturenames)
        if {"pass_number", "backend", "m", "n_x"} <= names:
            points = self.state.plan.points
            metafunc.parametrize(
                ("pass_number", "backend", "m", "n_x"),
                points,
                ids=[f"p{p}-{b}-m{m}-nx{n}" for p, b, m, n in points],
            )
        elif {"pass_number", "study_backend", "m", "n_x"} <= names:
            points = self.settings.placement_study()
            metafunc.parametrize(
                ("pass_number", "study_backend", "m", "n_x"),
                points,
                ids=[f"p{p}-{b}-m{m}-nx{n}-page" for p, b, m, n in points],
            )
        elif {"pass_number", "kernel"} <= names:
            passes = range(1, self.settings.passes + 1)
            demos = [(p, kernel) for p in passes for kernel in lecture.NAMES]
            metafunc.parametrize(
                ("pass_number", "kernel"), demos, ids=[f"p{p}-{k}" for p, k in demos]
            )

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]):
        if not self.settings.lecture:
            demos = [item for item in items if param(item, "kernel") in lecture.NAMES]
            config.hook.pytest_deselected(items=demos)
            items[:] = [item for item in items if item not in demos]
        if not self.settings.placement_study():  # pytest's one item for an empty study
            study = [item for item in items if "study_backend" in item.fixturenames]
            config.hook.pytest_deselected(items=study)
            items[:] = [item for item in items if item not in study]

        # Calibration at the start; then pass after pass, each opening with the lecture's
        # demo, then size after size, the placement study's points after the size's own;
        # the calibration kernels' "end" window after the last point of the sweep.
        sizes = {size: rank for rank, size in enumerate(self.settings.sizes())}

        def phase(item: pytest.Item) -> tuple:
            when = param(item, "when")
            if when is not None:
                return (0,) if when == "start" else (2,)
            if param(item, "kernel"):
                return (1, param(item, "pass_number"), 0)
            size = sizes.get((param(item, "m"), param(item, "n_x")), len(sizes))
            return (1, param(item, "pass_number"), 1, size, bool(param(item, "study_backend")))

        items.sort(key=phase)  # stable: the parametrized order is kept within a phase
        self.keep_own_passes(config, items)
        self.skip_finished(config, items)

    def keep_own_passes(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.passes is None:
            return

        def mine(item: pytest.Item) -> bool:
            when = param(item, "when")
            if when is not None:  # a calibration window: the first pass's, or the closing one
                return self.closes if when == "end" else 1 in self.passes
            return param(item, "pass_number") in self.passes

        others = [item for item in items if not mine(item)]
        config.hook.pytest_deselected(items=others)
        items[:] = [item for item in items if mine(item)]

    def skip_finished(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Leave out what the journal says an earlier process finished, and let the state
        know everything found there (skips and step times decided in pass 1 hold in every
        pass). The calibration kernels run again: they are cheap, and a resumed process then
        always has a benchmark of its own to write the run with."""
        for entry in self.journal.entries.values():
            self.state.replay(entry)
        finished = [
            item
            for item in items
            if item.nodeid in self.journal.entries and param(item, "when") is None
        ]
        config.hook.pytest_deselected(items=finished)
        items[:] = [item for item in items if item not in finished]
