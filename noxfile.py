"""The ways in: `nox -s tests`, `nox -s bench`, `nox -s report`, `nox -s lint`, `nox -s regress`."""

import nox

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint"]

PYTHON = "3.11"
# uv, unlike pip, installs no bytecode; where PYTHONDONTWRITEBYTECODE is set (as on our VMs)
# every Python process would then compile numba, pandas and scipy from source on each start:
# seconds per process, for the sweep's and the tests' many processes.
COMPILED = {"UV_COMPILE_BYTECODE": "1"}
# The reference run, then runs from other machines and settings shown beside it in REPORT.md
# and report.html, each labelled with its CPU, never pooled.
REPORTED_RUNS = (
    # Intel Xeon (family 6 model 167, AVX-512) VM, default preset, quiet (--wait-for-quiet),
    # each pass in a fresh process, X on a page boundary (--x-offset 0), with the roof study:
    # 58bc9fe.
    "results/latest.json",
    # The Intel Xeon (family 6 model 207) VM's quiet default run, the reference before (e946414).
    "results/machines/intel-xeon/default-e946414.json",
    # The same VM's quiet default run of the day before the kernels read X in place (707f11b):
    # two quiet runs side by side, and how well they agree.
    "results/machines/intel-xeon/default-707f11b.json",
    # float32, the compiled backends against jax and vectorized at m·n_x ≥ 1e4, quiet (e5d02ff).
    "results/machines/intel-xeon/float32-compiled.json",
    # The default preset on the other CPUs we met: AMD EPYC AVX-512 (family 25 model 17),
    # quiet, each pass in a fresh process, with the roof study (7ffeb7e); AMD EPYC AVX2
    # (family 25 model 1) at 4e8d6f8 with --wait-for-quiet: no other work seen at 265 of 266
    # points, but its calibration kernels timed unsteadily (a busy host), so it is no
    # reference; and that CPU's earlier reference, made beside other work.
    "results/machines/amd-epyc-avx512/default.json",
    "results/machines/amd-epyc-avx2/default.json",
    "results/machines/amd-epyc-avx2/default-beside-work.json",
    # Two quick sweeps from fresh clones of 4e8d6f8, back to back, on that AMD EPYC AVX2 VM:
    # how well two runs agree when the host times unsteadily (issue 20).
    *(f"results/machines/amd-epyc-avx2/quick-run{i}.json" for i in (1, 2)),
    # Two quick sweeps each with passes in fresh processes and in one process, back to back on
    # the quiet Intel VM: how well two runs agree under each design (issue 20).
    *(f"results/machines/intel-xeon/quick-run{i}.json" for i in (1, 2)),
    *(f"results/machines/intel-xeon/quick-one-process-run{i}.json" for i in (1, 2)),
    # Two quick sweeps with --until 1.15 --max-passes 14 (216736b, quiet): every size took all
    # 14 passes; narrower intervals than 7 passes give, and how well they agree (issue 20).
    *(f"results/machines/intel-xeon/quick-until-run{i}.json" for i in (1, 2)),
    # The AMD EPYC AVX-512 (family 25 model 17) CPU again, another day's VM, fresh clones back
    # to back with nothing else running: at 70d3697 a default run with --wait-for-quiet whose
    # calibration kernels timed unsteadily (12.4%: a busy host), so no reference, and two quick
    # sweeps (how well two runs agree there); at a5f87f6, neighbours read over at least
    # MIN_WINDOW_S, a third quick sweep and one beside a CPU-bound process (issue 20).
    "results/machines/amd-epyc-avx512/default-unsteady-host.json",
    *(f"results/machines/amd-epyc-avx512/quick-run{i}.json" for i in (1, 2, 3)),
    "results/machines/amd-epyc-avx512/quick-beside-cpu-hog.json",
    "results/machines/amd-epyc-avx512/float64.json",
    "results/machines/amd-epyc-avx512/float32.json",
    "results/machines/amd-epyc-avx512/threads2.json",
    # The compiled backends and jax over the default grid, both dtypes, and the 2-thread
    # target point in five separate runs (issue 13), on an AMD EPYC (AVX2) VM.
    "results/machines/amd-epyc-avx2/float64-compiled.json",
    "results/machines/amd-epyc-avx2/float32-compiled.json",
    *(f"results/machines/amd-epyc-avx2/threads2-run{i}.json" for i in range(1, 6)),
    # Data in memory and beyond it, dask from stores on disk up to 32 GB (issue 14).
    "results/machines/amd-epyc-avx2/out-of-core.json",
)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit tests of the backends and the harness (numerics and behaviour, never speed)."""
    session.install("-e", ".[test,jax,dask]", env=COMPILED)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff over the whole project."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Measure the backends over the (m, n_x) grid, then chart and report; -- --help: options."""
    session.install("-e", ".[jax,dask]", env=COMPILED)
    session.run("python", "-m", "bench", *session.posargs)


@nox.session(python=PYTHON, default=False)
def report(session: nox.Session) -> None:
    """CSV, verdicts, charts, REPORT.md and the README's answer from results; -- RUN.json ..."""
    session.install("-e", ".")
    runs = session.posargs or [*REPORTED_RUNS, "--readme", "README.md"]
    session.run("python", "-m", "bench.report", *runs)


@nox.session(python=PYTHON, default=False)
def screenshot(session: nox.Session) -> None:
    """plots/report_page.png: results/report.html in Debian's Chromium, for the README."""
    session.install("-e", ".", "playwright")
    session.run("python", "-m", "bench.report.screenshot", *session.posargs)


@nox.session(python=PYTHON, default=False)
def regress(session: nox.Session) -> None:
    """HEAD against the commit in results/baseline/REF, interleaved on this machine; -- --help."""
    session.install("-e", ".")
    session.run("python", "-m", "bench.regress", *session.posargs)


@nox.session(python=PYTHON, default=False)
def trials(session: nox.Session) -> None:
    """The regression check's false-alarm and detection rates here; -- --help for options."""
    session.install("-e", ".")
    session.run("python", "-m", "bench.regress.trials", *session.posargs)
