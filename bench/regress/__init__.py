"""The performance-regression check (``check``) and the trials that measure its alarm rates.

Reads runs and their analysis; the trials start sweeps in subprocesses.
"""


def action_entry(backend: str, m: int, n_x: int, seconds: float, extra: str, **more) -> dict:
    """One point in github-action-benchmark's customSmallerIsBetter format (seconds)."""
    return {"name": f"{backend} m={m} n_x={n_x}", "unit": "s", "value": seconds, **more} | {
        "extra": extra
    }
