"""Presets and the checks on the sweep's command-line options."""

from dataclasses import replace

import pytest

import impls
from bench.harness import settings as settings_module
from bench.harness.settings import (
    PRESETS,
    OptionError,
    build_settings,
    decades,
    m_beyond_ram,
    one_two_five,
)
from bench.settings import NUMPY_PLACEMENT, PINNED, PLACEMENT_SIZES, UNRECORDED, Settings


def test_grids():
    assert decades(10, 1_000_000) == (10, 100, 1000, 10_000, 100_000, 1_000_000)
    assert one_two_five(1, 100) == (1, 2, 5, 10, 20, 50, 100)


def test_presets_are_the_documented_grids():
    assert PRESETS["quick"].m == (100, 1000, 10_000) and PRESETS["quick"].n_x == (10, 100, 1000)
    assert PRESETS["default"].m == decades(10, 1_000_000)
    assert PRESETS["default"].n_x == decades(1, 10_000)
    assert len(PRESETS["full"].m) > len(PRESETS["default"].m)
    for name, sweep in PRESETS.items():
        if name not in ("out-of-core", "first-look"):
            assert sweep.backends is None and sweep.threads == 1  # None: every backend
            assert build_settings(name).backend_names == tuple(impls.BACKENDS)
    assert PRESETS["out-of-core"].backends == ("vectorized", "numba_fused", "dask")
    # The first look: both sides of every claim, around the lecture's size, no demo.
    first = PRESETS["first-look"]
    assert set(first.backends) == {
        "two_loop",
        "one_loop",
        "vectorized",
        "course_two_loop",
        "course_one_loop",
    }
    assert (1000, 100) in first.sizes() and not first.lecture and first.passes >= 5


def test_settings_that_name_no_backend_yet_say_so_before_they_are_swept():
    with pytest.raises(ValueError, match="name no backends yet"):
        PRESETS["quick"].points()


def test_every_pass_runs_every_point_smallest_problems_first():
    settings = build_settings("default")
    points = settings.points()
    assert len(points) == 6 * 5 * len(impls.BACKENDS) * settings.passes
    passes = [p for p, *_ in points]
    assert passes == sorted(passes)  # pass after pass over the whole grid
    for pass_number in range(1, settings.passes + 1):
        for backend in impls.BACKENDS:
            sizes = [m * n for p, b, m, n in points if (p, b) == (pass_number, backend)]
            assert sizes == sorted(sizes) and len(sizes) == 30


def test_backends_of_a_point_run_back_to_back_in_a_seeded_shuffled_order():
    settings = build_settings("quick", passes=3)
    points = settings.points()
    orders = {}
    for start in range(0, len(points), len(settings.backend_names)):
        block = points[start : start + len(settings.backend_names)]
        assert len({(p, m, n) for p, _, m, n in block}) == 1  # one point, back to back
        orders[block[0][0], block[0][2], block[0][3]] = [b for _, b, _, _ in block]
    assert len({tuple(order) for order in orders.values()}) > 1  # not one fixed order
    assert build_settings("quick", passes=3).points() == points  # the seed decides
    reseeded = replace(settings, seed=1).points()
    assert reseeded != points and sorted(reseeded) == sorted(points)


def test_settings_are_recorded_with_the_backends_named():
    settings = build_settings("quick", m="5,50", backends="numba,vectorized", threads=2)
    recorded = settings.as_dict()
    assert recorded["backends"] == ["numba", "vectorized"] and recorded["threads"] == 2
    assert recorded["m"] == (5, 50) and recorded["dtype"] == "float64"
    assert build_settings("quick").as_dict()["backends"] == list(impls.BACKENDS)


def test_user_options_replace_the_preset():
    sweep = build_settings("quick", m="1000, 100,100", nx="7", backends="vectorized,two_loop")
    assert sweep.m == (100, 1000) and sweep.n_x == (7,)
    assert sweep.backends == ("vectorized", "two_loop")
    assert build_settings("quick").budget_s == PRESETS["quick"].budget_s


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            dict(preset="huge"),
            "--preset: unknown preset 'huge'; choose from first-look, quick, default, full, "
            "out-of-core",
        ),
        (dict(stores="sometimes"), "--stores: choose from never, beyond-memory, always"),
        (dict(m="10,x"), "--m: 'x' is not an integer"),
        (dict(m="10,2.5"), "--m: '2.5' is not an integer"),
        (dict(nx="0"), "--nx: sizes must be positive; got 0"),
        (dict(nx="-5"), "--nx: sizes must be positive"),
        (
            dict(backends="vectorized,cuda"),
            "--backends: unknown backend 'cuda'; choose from two_loop",
        ),
        (dict(threads=0), "--threads: must be a positive integer"),
        (dict(budget=0.0), "--budget: must be a positive number"),
        (dict(budget=float("nan")), "--budget: must be a positive number"),
        (dict(passes=0), "--passes: must be a positive integer"),
        (dict(until=1.0), r"--until: a width above 1 \(the 95% interval's high over low"),
        (dict(until=1.1, passes=1), "--until: needs at least 2 passes"),
        (dict(until=1.1, processes="one"), "--until: its extra passes run in fresh processes"),
        (dict(until=1.1, stores="always"), "--until: not with stores"),
        (dict(until=1.1, passes=4, max_passes=3), "--max-passes: at least the 4 passes; got 3"),
        (dict(max_passes=5), "--max-passes: goes with --until WIDTH"),
        (dict(x_offset=8), "--x-offset: a multiple of 16 bytes from 0 to 4080"),
        (dict(x_offset=4096), "--x-offset: a multiple of 16 bytes"),
        (dict(x_offset=-16), "--x-offset: a multiple of 16 bytes"),
    ],
)
def test_bad_options_are_named(options, message):
    with pytest.raises(OptionError, match=message):
        build_settings(**options)


def test_the_out_of_core_preset_adds_an_x_larger_than_this_machines_memory(monkeypatch):
    assert m_beyond_ram(1000, "float64", 24 * 2**30) == 4_100_000  # 1.25 × 24 GiB of X: 32.2 GB
    assert m_beyond_ram(1000, "float32", 24 * 2**30) == 8_100_000
    monkeypatch.setattr(settings_module, "total_memory_bytes", lambda: 8 * 10**9)
    sweep = build_settings("out-of-core")
    assert sweep.m == (100_000, 1_000_000, 1_300_000, 2_000_000) and sweep.n_x == (1000,)
    assert sweep.stores == "beyond-memory" and not sweep.m_beyond_ram
    assert build_settings("out-of-core", m="100").m == (100,)  # the user's sizes only


def test_store_options_replace_the_presets():
    assert build_settings("quick").stores == "never"
    assert build_settings("full").stores == "beyond-memory"
    sweep = build_settings("quick", stores="always", store_dir="/tmp/s", keep_stores=True)
    assert (sweep.stores, sweep.store_dir, sweep.keep_stores) == ("always", "/tmp/s", True)


def test_until_keeps_the_passes_and_caps_the_extra_ones():
    settings = build_settings("quick", until=1.1)
    assert (settings.passes, settings.until, settings.max_passes) == (7, 1.1, 10)
    assert build_settings("quick", passes=12, until=1.1).max_passes == 12
    assert build_settings("quick", passes=3, until=1.2, max_passes=5).max_passes == 5
    assert build_settings("quick").until is None


def test_x_starts_where_numpy_would_put_it_unless_pinned_and_older_runs_say_which():
    settings = build_settings("quick")
    assert settings.placement == NUMPY_PLACEMENT
    pinned = build_settings("quick", x_offset=16)
    assert (pinned.placement, pinned.x_offset) == (PINNED, 16)
    assert {pinned.x_offset_at(p, m, n_x) for p in (1, 2) for m, n_x in pinned.sizes()} == {16}
    assert Settings.from_dict(settings.as_dict()) == settings
    before = settings.as_dict()
    del before["placement"]
    assert Settings.from_dict(before | {"x_offset": 0}).placement == PINNED
    del before["x_offset"]  # a run made before either: X where numpy put it, unrecorded
    assert Settings.from_dict(before).placement == UNRECORDED


def test_numpys_placement_is_drawn_per_size_and_pass_and_the_same_every_time():
    settings = build_settings("quick")
    small, large = (100, 10), (1000, 100)  # 8 kB from the heap; 800 kB mapped: 16 past a page
    offsets = [settings.x_offset_at(p, *small) for p in range(1, 8)]
    assert offsets == [build_settings("quick").x_offset_at(p, *small) for p in range(1, 8)]
    assert len(set(offsets)) > 1 and all(o % 16 == 0 and 0 <= o < 4096 for o in offsets)
    assert {settings.x_offset_at(p, *large) for p in range(1, 8)} == {16}
    # 200 × 100 elements: 160 kB of float64, mapped; 80 kB of float32, from the heap.
    float32 = build_settings("quick", dtype="float32")
    assert {settings.x_offset_at(p, 200, 100) for p in range(1, 8)} == {16}
    assert len({float32.x_offset_at(p, 200, 100) for p in range(1, 8)}) > 1


def test_the_placement_study_times_the_claims_backends_at_its_sizes_in_the_grid():
    settings = build_settings("quick", backends="two_loop,vectorized,one_loop,numba")
    study = settings.placement_study()
    sizes = {(m, n_x) for _, _, m, n_x in study}
    assert sizes == {size for size in PLACEMENT_SIZES if size in settings.sizes()}
    assert {b for _, b, _, _ in study} == {"vectorized", "one_loop"}  # the claims', swept
    assert {p for p, _, _, _ in study} == set(range(1, settings.passes + 1))
    assert build_settings("quick", x_offset=0).placement_study() == []  # already the best
    pinned = build_settings("quick", backends="two_loop,vectorized,one_loop,numba", x_offset=16)
    assert pinned.placement_study() == study
    assert build_settings("quick", m="10", nx="10").placement_study() == []
