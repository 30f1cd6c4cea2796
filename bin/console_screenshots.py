"""Screenshots of the console for the README, from a running workspace (after ``make demo``).

Signs in with the admin's key in headless Chromium (Debian's), sends the TimeSeriesQuery test
request from its model page and saves the pages the README shows into img/, at 1280×800 (and
one at phone width).

    .venv/bin/python bin/console_screenshots.py --url http://127.0.0.1:8780 --key "$LAB_API_KEY"
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the workspace, e.g. http://127.0.0.1:8780")
    parser.add_argument("--key", required=True, help="an API key (the admin's)")
    parser.add_argument("--project", default="logistics-prd", help="project to show")
    parser.add_argument("--model", default="TimeSeriesQuery", help="model to show")
    parser.add_argument("--request", default="", help="JSON to send instead of the example")
    parser.add_argument("--registry-model", default="IOTFailureClf", help="model whose lineage")
    parser.add_argument("--out", type=Path, default=ROOT / "img")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("error: Debian's chromium is missing: run `bash bin/install-chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{args.url}/signin")
        page.fill("#api_key", args.key)
        page.click("button[type=submit]")
        page.wait_for_url(f"{args.url}/projects")
        page.click(f"#projects a:text-is('{args.project}')")
        page.wait_for_selector("svg.job-graph")
        page.screenshot(path=args.out / "console_project.png", full_page=True)
        page.goto(f"{args.url}/models")
        page.click(f"#models a:text-is('{args.model}')")
        page.wait_for_selector("#monitoring[data-loaded]")
        page.select_option("#window", "1h")
        page.wait_for_selector("#monitoring[data-loaded='1h']")
        if args.request:
            page.fill("#test-request", args.request)
        page.click("#test-form button")
        page.wait_for_selector("#test-latency[data-ms]")
        page.screenshot(path=args.out / "console_model.png", full_page=True)
        model_url = page.url
        page.goto(f"{args.url}/models")
        page.click(f"#models a:text-is('{args.registry_model}')")
        page.locator("#lineage").screenshot(path=args.out / "console_lineage.png")
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.context.add_cookies(page.context.cookies())
        phone.goto(model_url)
        phone.wait_for_selector("#monitoring[data-loaded]")
        phone.screenshot(path=args.out / "console_model_phone.png")
        browser.close()
    for name in ("project", "model", "lineage", "model_phone"):
        print(args.out / f"console_{name}.png")


if __name__ == "__main__":
    main()
