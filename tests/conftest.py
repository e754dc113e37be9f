"""For every test: the compiled kernels keep their plans in a file of this session's, never in
the user's cache (impls/_plans.py), and every process the tests start reads the same file.

The variable's name is written out, not imported: importing ``impls`` here would import jax
into pytest's own process, whose fork handler then warns at every ``preexec_fn`` subprocess
(a test holds the name equal to ``impls._plans.CACHE_ENV``)."""

import os

import pytest

PLAN_CACHE_ENV = "LRBENCH_PLAN_CACHE"


@pytest.fixture(autouse=True, scope="session")
def plans_kept_apart(tmp_path_factory):
    before = os.environ.get(PLAN_CACHE_ENV)
    os.environ[PLAN_CACHE_ENV] = str(tmp_path_factory.mktemp("plans") / "plans.json")
    yield
    if before is None:
        os.environ.pop(PLAN_CACHE_ENV, None)
    else:
        os.environ[PLAN_CACHE_ENV] = before
