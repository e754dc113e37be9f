"""The benchmark: measuring, and everything that reads what was measured.

Data flows one way: ``harness`` (measures; writes runs) → ``results.Run``
(the only reader and writer of result files) → ``analysis`` (speedups,
models, verdicts) → ``report`` (CSV, charts, REPORT.md) and ``regress`` (the
regression check). ``cost_model``, ``results`` and ``units`` are shared
leaves that import nothing from the sub-packages. Backends are reached only
through ``impls.BACKENDS`` and their ``Backend`` contract.
"""
