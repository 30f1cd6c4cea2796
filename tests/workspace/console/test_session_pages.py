"""A project's JupyterLab from the console: start it, open it, stop it."""

from __future__ import annotations

import pytest
import requests
from workspace.core.config import WorkspaceSettings
from workspace.session import stop_session

pytestmark = pytest.mark.browser


def test_start_open_and_stop_jupyterlab_from_the_project_page(
    admin_page, server, console_project, request
) -> None:
    settings = WorkspaceSettings(home=server.home)
    request.addfinalizer(lambda: stop_session(settings, console_project.id))  # even on failure
    page = admin_page
    page.goto(f"{server.url}/projects/{console_project.id}")
    assert page.get_attribute("#session-state", "data-state") == "stopped"
    page.click("text=Start JupyterLab")
    page.wait_for_selector("#session-state[data-state=running]", timeout=120_000)
    link = page.get_attribute("#session-link", "href")
    assert link.startswith("http://127.0.0.1:") and "token=" in link
    lab = requests.get(link.replace("/lab?", "/api/status?"), timeout=10)
    assert lab.ok
    page.click("text=Stop session")
    assert page.get_attribute("#session-state", "data-state") == "stopped"
    with pytest.raises(requests.ConnectionError):
        requests.get(link, timeout=5)
