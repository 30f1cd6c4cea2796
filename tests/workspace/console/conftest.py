"""Fixtures of the console tests: headless Chromium (Debian's), a browser page signed in to the
shared server with the network cut to that server alone, and a project made from
console_project/ with two jobs (``count`` and ``report`` after it) and a deployed model."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from lab_server import Deployed, RunningServer, deploy

CONSOLE_FILES = Path(__file__).parent / "console_project"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: run `bash bin/install-chromium`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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


@pytest.fixture()
def admin_page(chromium, server: RunningServer) -> Iterator[object]:
    page = open_page(chromium, server)
    sign_in(page, server, server.admin_key)
    yield page
    page.context.close()


@dataclass
class ConsoleProject:
    id: str
    count_job: str
    report_job: str
    model: Deployed


@pytest.fixture(scope="session")
def console_project(admin) -> ConsoleProject:
    project = admin.create_project(name="Console", template="local", local_path=str(CONSOLE_FILES))
    count = admin.create_job(
        project_id=project.id, name="count", script="steps/count.py", arguments="15"
    )
    report = admin.create_job(
        project_id=project.id, name="report", script="steps/report.py", parent_job_id=count.id
    )
    model = deploy(admin, project.id, "greeter", file_path="models.py", function_name="predict")
    return ConsoleProject(project.id, count.id, report.id, model)


class Browserless:
    """A signed-in console session over plain HTTP: what a script (or an attacker) can send."""

    def __init__(self, server: RunningServer, key: str) -> None:
        self.url = server.url
        self.http = requests.Session()
        form = self.http.get(f"{self.url}/signin").text
        token = re.search(r'name="signin_token" value="([^"]+)"', form)[1]
        self.signed_in = self.http.post(
            f"{self.url}/signin",
            data={"signin_token": token, "api_key": key},
            allow_redirects=False,
        )
        page = self.http.get(f"{self.url}/projects").text
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        self.csrf = found[1] if found else ""

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.url + path, allow_redirects=False, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        return self.http.post(self.url + path, data=data, allow_redirects=False, **kwargs)
