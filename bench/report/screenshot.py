"""python -m bench screenshot: the top of results/report.html as Chromium shows it.

Writes plots/report_page.png for the README. Needs the ``playwright`` package and
Debian's ``chromium`` (launched by its path: no browser is downloaded). Exit
status: 0 written, 2 no page, no browser or no playwright (the message says
which and how to get it).
"""

import argparse
import os
import shutil
import sys

# What a sandboxed root without a network needs to start Chromium quietly.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT = {"width": 1200, "height": 1100}


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


def main(args: argparse.Namespace) -> int:
    """The screenshot, with the options of ``python -m bench screenshot``."""
    browser_path = chromium_path()
    problem = (
        f"{args.page}: no such page (nox -s report writes it)"
        if not args.page.exists()
        else "no chromium: apt-get install chromium (or set CHROMIUM to its path)"
        if browser_path is None
        else None
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = problem or "no playwright: pip install playwright (no browser download needed)"
    if problem:
        print(f"python -m bench screenshot: error: {problem}", file=sys.stderr)
        return 2
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(args.page.resolve().as_uri())
            page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0")
            page.wait_for_timeout(1000)  # every view laid out
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out)
        finally:
            browser.close()
    print(f"Wrote {args.out}")
    return 0
