"""The parameters every timed step starts from: one definition for the sweep and for the
regression check's workers (which get them from the check, so a base commit needs none)."""

import numpy as np

B = 0.1


def weights(n_x: int, seed: int, dtype: str = "float64") -> tuple[np.ndarray, float]:
    """(w, b) for a problem with n_x features: w of norm about 1, so z stays of order one."""
    w = np.random.default_rng(seed + 1).standard_normal(n_x) / np.sqrt(n_x)
    return w.astype(dtype), B
