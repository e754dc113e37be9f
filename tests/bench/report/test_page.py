"""results/report.html: what it holds, and that it works offline in a real browser (Chromium)."""

import re
from pathlib import Path

import pytest

from bench.analysis import describe
from bench.report import judge_run
from bench.report.answer import answer_lines
from bench.report.page import heatmap_cells, write_page
from bench.report.screenshot import CHROMIUM_ARGS, chromium_path
from bench.results import Run
from tests.bench.damaged import FIXTURES, RUN

CHROMIUM = chromium_path() or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def runs():
    return [Run.load(RUN), Run.load(FIXTURES / "run_small_v1.json")]


@pytest.fixture(scope="module")
def page_path(runs, tmp_path_factory):
    judged = [judge_run(run) for run in runs]
    return write_page(judged, tmp_path_factory.mktemp("results"), "two_loop")


def test_every_point_of_the_grid_is_a_cell_saying_what_it_is(runs):
    run = runs[0]
    cells = heatmap_cells(run, "vectorized", "two_loop", [])
    assert len(cells) == run.table["m"].nunique() * run.table["n_x"].nunique()
    measured = cells[cells["status"] == "measured"]
    assert len(measured) and measured["interval"].str.match(r"\[[\d.,]+, [\d.,]+\]").all()
    assert (measured["label"].str.endswith("x") | measured["label"].str.endswith("x *")).all()
    others = cells[cells["status"] != "measured"]
    assert others["label"].str.contains("predicted|not run").all()


def test_the_page_holds_everything_inline_and_stays_small(page_path, runs):
    text = page_path.read_text()
    assert "<script src=" not in text and "<link " not in text  # nothing fetched at view time
    assert page_path.stat().st_size < 5e6
    for name in ("REPORT.md", "latest.csv", "verdict.json"):
        assert name in text


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed: `apt-get install chromium` (as .ci/run does) "
    "lets this test open results/report.html in a real browser",
)
@pytest.mark.timeout(120)  # Chromium starts, renders every chart and is closed
def test_the_page_in_chromium_answers_hovers_and_switches_runs(page_path, runs, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    errors, requests = [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0")
            page.wait_for_timeout(500)  # every view laid out
            assert errors == []
            assert requests == [page_path.as_uri()]  # the page itself, nothing else

            # The answer is the README's, word for word (its sentences; its table's cells).
            shown = " ".join(" ".join(page.locator("p, td, th").all_inner_texts()).split())
            for line in answer_lines(judge_run(runs[0])):
                for part in line.strip("|").split(" | ") if line.startswith("|") else [line]:
                    plain = re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", part)  # a link: its text
                    plain = " ".join(plain.replace("**", "").replace("`", "").split())
                    if plain and not set(plain) <= set("- "):
                        assert plain in shown

            for name in ("REPORT.md", "latest.csv", "verdict.json"):
                assert page.locator(f"a[href='{name}']").count() == 1

            # One cell per point of the first run's grid.
            cells = page.evaluate(
                "() => Bokeh.documents[0].get_model_by_name('heatmap-0-cells').data.m.length"
            )
            table = runs[0].table
            assert cells == table["m"].nunique() * table["n_x"].nunique()

            # A hover over a measured cell (m=10, n_x=1: the lower left) gives its interval.
            assert page.locator(".bk-tooltip-row-label").count() == 0
            box = page.locator(".bk-Figure").nth(0).bounding_box()
            page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.65)
            page.locator(".bk-tooltip-row-label").first.wait_for(timeout=5000)
            rows = dict(
                zip(
                    page.locator(".bk-tooltip-row-label").all_inner_texts(),
                    page.locator(".bk-tooltip-row-value").all_inner_texts(),
                    strict=True,
                )
            )
            assert rows["m, n_x:"] == "10, 1" and rows["status:"] == "measured"
            assert re.fullmatch(r"\[[\d.]+, [\d.]+\]", rows["95% interval:"])

            # The run selector shows the second run's heatmap instead.
            page.get_by_text(f"2: {describe.cpu(runs[1])}").first.click()
            page.wait_for_timeout(300)
            assert page.evaluate("() => Bokeh.documents[0].get_model_by_name('runs').active") == 1
            page.screenshot(path=tmp_path / "page.png", full_page=False)
            assert (tmp_path / "page.png").stat().st_size > 10_000
            assert errors == []
        finally:
            browser.close()
