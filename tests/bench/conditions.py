"""The committed fixture run as if measured in given conditions: neighbours recorded at every
point, some of them busy, and the calibration kernels timed with a given spread."""

from bench.harness.run_file import neighbour_facts
from bench.records import CALIBRATION
from bench.results import Run


def with_neighbours(run: Run, busy_benchmarks: set[int], spread: float = 0.02) -> Run:
    """The run as if each point had recorded what else ran; the benchmarks named were busy;
    the calibration kernels' rounds spread by `spread` (IQR over median)."""
    document = run.to_document()
    for index, bench in enumerate(document["benchmarks"]):
        if bench.get("group") is None:
            busy = index in busy_benchmarks
            bench["extra_info"] |= {"others_cpu": 1.0 if busy else 0.02, "busy": busy}
            bench["extra_info"]["steal_cpu"] = 0.0
        elif bench["group"] == CALIBRATION:
            bench["stats"]["iqr"] = spread * bench["stats"]["median"]
    document["machine_info"]["lrbench"]["neighbours"] = neighbour_facts(document["benchmarks"])
    return Run.from_document(document, "with-neighbours.json")
