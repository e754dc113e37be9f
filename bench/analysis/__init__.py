"""From runs to explanations: speedups, cost models, regimes, verdicts, roofline and targets.

Reads ``Run`` tables and the numbers a ``Run`` derives; measures nothing and
writes nothing.
"""
