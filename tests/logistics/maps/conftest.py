"""Headless Chromium for the map tests, and pages opened in it with the network cut."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
FIRST_MARKERS = ".leaflet-marker-pane .marker-cluster, path.lab-event"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: run `bash bin/install-chromium`"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def open_offline(browser) -> Iterator[Callable[..., object]]:
    """Open a file with the network cut: every request is recorded, and refused unless local.

    The page gets ``requests`` (URLs) and ``errors`` (page errors and console errors).
    """
    contexts = []

    def open_page(path: Path, wait_for: str = FIRST_MARKERS):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.requests, page.errors = [], []
        page.on("request", lambda request: page.requests.append(request.url))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page.goto(path.as_uri())
        page.wait_for_selector(wait_for, timeout=20_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
