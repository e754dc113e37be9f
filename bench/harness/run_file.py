"""The run file a sweep's process writes: pytest-benchmark's JSON, made from the journal, with
the machine facts and the sweep's own records (``bench.results`` reads it back).

Every process of a sweep writes it; the one that closes the run (the last pass's, or with
``--until`` one of its own) also runs the probes, so its file is the one kept.
"""

from datetime import datetime, timezone

import pytest
from pytest_benchmark import __version__ as pytest_benchmark_version

import impls

from .. import machine
from ..records import SCHEMA_VERSION
from ..settings import Settings
from . import bandwidth, neighbours, roof
from .journal import Journal
from .state import SweepState


class RunFile:
    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        state: SweepState,
        closes: bool,
        point_cores: set[int],
    ):
        self.settings = settings
        self.journal = journal
        self.state = state
        self.closes = closes
        self.point_cores = point_cores
        self.interrupted = False

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        self.interrupted = True  # the run is written as it stands, without the slow probes

    @pytest.hookimpl(tryfirst=True)
    def pytest_benchmark_generate_json(
        self, config, benchmarks, include_data, machine_info, commit_info
    ) -> dict:
        """The run file's benchmarks from the journal: this process's and any resumed ones."""
        return {
            "machine_info": machine_info,
            "commit_info": commit_info,
            "benchmarks": self.journal.benchmarks(),
            "datetime": datetime.now(timezone.utc).isoformat(),
            "version": pytest_benchmark_version,
        }

    def pytest_benchmark_update_machine_info(self, config: pytest.Config, machine_info: dict):
        facts = machine.collect(self.settings.threads)
        # The probes run once a sweep: in the process that closes it, whose run file is the one
        # kept (an earlier pass's is written over); a Ctrl-C wants its answer in seconds.
        if self.closes and not self.interrupted:
            facts["read_bandwidth"] = bandwidth.measure()
            facts["cache_probe"] = bandwidth.cache_knee()
            study = roof.study_for(self.settings, say=lambda message: say(config, message))
            if study is not None:
                facts["roof"] = study
        facts["point_cpu_affinity"] = sorted(self.point_cores)
        facts["neighbours"] = neighbour_facts(self.journal.benchmarks())
        if self.state.stores.disk_probe is not None:
            facts["disk_read"] = self.state.stores.disk_probe
        machine_info["lrbench"] = facts

    def pytest_benchmark_update_json(self, config: pytest.Config, benchmarks, output_json: dict):
        output_json["lrbench"] = {
            "schema_version": SCHEMA_VERSION,
            "settings": self.settings.as_dict(),
            "skipped": [record.as_dict() for record in self.state.plan.skips.values()],
            "first_call_s": self.state.first_call_s,
            "order": [list(point) for point in self.settings.points()],
            "stores": self.state.stores.shelf.facts(),
            # What analysis needs of each backend's contract, so it never imports impls.
            "backends": {
                name: {
                    "description": impls.BACKENDS[name].description,
                    "passes_over_x": impls.BACKENDS[name].passes_over_x,
                }
                for name in self.settings.backend_names
            },
        }
        not_finished = self.state.plan.not_finished()
        if not_finished:
            output_json["lrbench"]["incomplete"] = {"left": [list(point) for point in not_finished]}

    def pytest_terminal_summary(self, terminalreporter, config: pytest.Config) -> None:
        for warning in machine.collect(self.settings.threads)["warnings"]:
            terminalreporter.write_line(f"WARNING: {warning}", yellow=True, bold=True)


def say(config: pytest.Config, message: str) -> None:
    """Print now, past pytest's capture of the running point's output."""
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(message, flush=True)


def neighbour_facts(benchmarks: list[dict]) -> dict:
    """Over every point of the run (this process's and resumed ones): how many were measured
    beside other work, and how much others and the hypervisor took."""
    seen = [b["extra_info"] for b in benchmarks if "others_cpu" in (b.get("extra_info") or {})]
    others = sorted(info["others_cpu"] for info in seen)
    return {
        "busy_cores": neighbours.BUSY_CORES,
        "points": len(seen),
        "busy_points": sum(bool(info["busy"]) for info in seen),
        "others_cpu_median": others[len(others) // 2] if others else None,
        "others_cpu_max": others[-1] if others else None,
        "steal_cpu_max": max((info["steal_cpu"] for info in seen), default=None),
    }
