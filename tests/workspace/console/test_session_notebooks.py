"""In a project's JupyterLab, a numbered step opens as a notebook on the project's kernel and runs.

Only the step's first cells run (its flags, defaults as in a notebook), then one cell of our own
that reads them; the training cell after them is never run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from workspace.core.config import WorkspaceSettings
from workspace.session import start_session, stop_session

pytestmark = pytest.mark.browser

STEP = Path(__file__).parents[3] / "dev" / "02_model_training.py"


@pytest.fixture()
def step_session(server, admin, tmp_path, request):
    """A project holding dev/02 as it is in the checkout, with its session started as
    ``workspace session <project>`` starts it."""
    (tmp_path / "dev").mkdir()
    shutil.copy(STEP, tmp_path / "dev" / STEP.name)
    project = admin.create_project(
        name="notebook steps", template="local", local_path=str(tmp_path)
    )
    settings = WorkspaceSettings(home=server.home)
    request.addfinalizer(lambda: stop_session(settings, project.id))  # even on failure
    info, _ = start_session(settings, admin, project.id)
    python = server.home.resolve() / "envs" / "projects" / project.id / "bin" / "python"
    return info, python


def test_a_numbered_step_opens_as_a_notebook_and_runs_its_first_cells(
    chromium, step_session
) -> None:
    info, python = step_session
    base = f"http://127.0.0.1:{info.port}"
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    offsite: list[str] = []

    def local_only(route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{base}/lab/tree/dev/{STEP.name}?token={info.token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-MarkdownCell")  # a notebook, not an editor
        assert page.query_selector(".jp-FileEditor") is None
        cells = page.locator(".jp-NotebookPanel .jp-Cell")
        expect(cells).to_have_count(4)  # the lab renders cells one after another
        kernel = page.locator(".jp-NotebookPanel .jp-Toolbar-kernelName")
        kernel.filter(has_text="Python 3 (project)").wait_for()
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status=idle]")

        cells.nth(0).click()
        page.keyboard.press("Shift+Enter")  # the title (markdown)
        page.keyboard.press("Shift+Enter")  # the flags: a notebook gets their defaults
        cells.nth(1).locator(".jp-InputPrompt", has_text="[1]").wait_for()
        page.keyboard.press("Escape")
        page.keyboard.press("a")  # a cell of our own, above the training cell
        page.keyboard.press("Enter")
        page.keyboard.type("import sys; print(args.motif_m, args.discord_m, sys.executable)")
        page.keyboard.press("Shift+Enter")
        output = cells.nth(2).locator(".jp-OutputArea-output")
        output.filter(has_text=str(python)).wait_for()
        assert output.inner_text().split() == ["30", "10", str(python)]
        assert cells.nth(3).locator(".jp-InputPrompt").inner_text().strip() == "[ ]:"  # not run
    finally:
        context.close()
    assert offsite == []
