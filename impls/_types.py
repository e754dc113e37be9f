"""The result every backend returns."""

from typing import NamedTuple

import numpy as np


class Gradient(NamedTuple):
    """One gradient step's output: ∂J/∂w, ∂J/∂b and the cost J itself."""

    dw: np.ndarray
    db: float
    cost: float
