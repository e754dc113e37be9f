"""The benchmark: measuring, and everything that reads what was measured.

Data flows one way: ``harness`` (measures; writes runs) → ``results.Run``
(the only reader and writer of result files) → ``analysis`` (speedups,
models, verdicts) → ``report`` (CSV, charts, REPORT.md) and ``regress`` (the
regression check). ``cost_model``, ``results`` and ``units`` are shared
leaves that import nothing from the sub-packages. Backends are reached only
through ``impls.BACKENDS`` and their ``Backend`` contract.
"""


def __getattr__(name: str):
    # bench.compare, loaded only when used: importing bench.results must not load a backend.
    if name == "compare":
        from .comparison import compare

        return compare
    raise AttributeError(f"module 'bench' has no attribute {name!r}")
