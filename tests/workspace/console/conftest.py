"""Fixtures of the console tests: headless Chromium (Debian's), a browser page signed in to the
shared server as the admin, and a project made from console_project/ with two jobs (``count`` and
``report`` after it) and a deployed model."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from console_browser import CHROMIUM_ARGS, CONSOLE_FILES, ConsoleProject, open_page, sign_in
from lab_server import RunningServer, deploy


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Per module: sync playwright runs an event loop in this thread while it is open, and the
    other tests of the run call ``asyncio.run``, which refuses to start inside one."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: run `bash bin/install-chromium`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def admin_page(chromium, server: RunningServer) -> Iterator[object]:
    page = open_page(chromium, server)
    sign_in(page, server, server.admin_key)
    yield page
    page.context.close()


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
