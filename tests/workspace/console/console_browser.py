"""What the console tests share besides fixtures: a browser page cut off from everything but
the server, signing in through the form, and a signed-in session over plain HTTP.

Why a module of its own: test modules import these by name, and ``conftest`` is a name every test
folder has.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lab_server import Deployed, RunningServer

CONSOLE_FILES = Path(__file__).parent / "console_project"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def open_page(chromium, server: RunningServer, *, width: int = 1280, height: int = 800):
    """A page whose every request off the server is refused and recorded, script errors
    collected."""
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.offsite, page.errors = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")  # a refusal the page shows
            and page.errors.append(msg.text)
        ),
    )

    def local_only(route) -> None:
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            page.offsite.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    return page


def sign_in(page, server: RunningServer, key: str) -> None:
    page.goto(f"{server.url}/signin")
    page.fill("#api_key", key)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/projects")


@dataclass
class ConsoleProject:
    id: str
    count_job: str
    report_job: str
    model: Deployed
