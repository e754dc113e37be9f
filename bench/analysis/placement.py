"""Where X starts: each claim's speedup with X where the run put it, and on a page boundary.

The placement study (``Settings.placement_study``) times each claim's backend again at a few
sizes, in every pass, with X on a page boundary (the best placement for every kernel), right
after its point at the run's own placement. Both speedups are taken over the claim's baseline
as measured in the same pass, so each is a geometric mean of paired passes with its 95%
interval (``bench.intervals``); the backend's time at the run's placement over its time on a
page boundary is the placement's own effect, paired alike.
"""

import numpy as np
import pandas as pd

from ..claims import CLAIMS
from ..intervals import interval
from ..records import Status
from ..results import Run

COLUMNS = ["claim", "backend", "baseline", "m", "n_x", "bytes_X", "passes"]
ESTIMATES = ("at_run", "at_best", "effect")
COLUMNS += [f"{what}{end}" for what in ESTIMATES for end in ("", "_low", "_high")]


def best_placement(run: Run) -> pd.DataFrame:
    """One row per claim and study size where the claim's backend and baseline were measured:
    the speedup at the run's placement (``at_run``), on a page boundary (``at_best``), and the
    backend's time at the first over its time at the second (``effect``), each with its 95%
    interval (``_low``, ``_high``)."""
    study, rows = run.placement, []
    table = run.table.set_index(["backend", "m", "n_x"])
    for claim in CLAIMS:
        for (m, n_x), passes in study[study["backend"] == claim.backend].groupby(["m", "n_x"]):
            if (claim.baseline, m, n_x) not in table.index:
                continue
            own, base = (table.loc[(b, m, n_x)] for b in (claim.backend, claim.baseline))
            if (own["status"], base["status"]) != (Status.MEASURED, Status.MEASURED):
                continue
            passes = passes.sort_values("pass_number")
            numbers = passes["pass_number"].to_numpy() - 1  # pass k is each tuple's k-th value
            base_s = np.asarray(base["pass_medians_s"])[numbers]
            own_s = np.asarray(own["pass_medians_s"])[numbers]
            best_s = passes["median_s"].to_numpy()
            estimates = (interval(base_s, own_s), interval(base_s, best_s), interval(own_s, best_s))
            rows.append(
                [claim.name, claim.backend, claim.baseline, m, n_x, own["bytes_X"], len(passes)]
                + [
                    part
                    for estimate in estimates
                    for part in (estimate.value, estimate.low, estimate.high)
                ]
            )
    return pd.DataFrame(rows, columns=COLUMNS)
