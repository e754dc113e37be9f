"""The benchmark harness and everything that reads its results.

``python -m bench`` (``nox -s bench``) runs the pytest-benchmark sweep in
``bench/sweep`` and writes ``results/``; the other modules turn result files
into tables, charts and the report. Only ``impls.BACKENDS`` is used to reach
the backends.
"""
