"""The whole way through the console, as a person takes it: sign in, create a project, create a
job, run it and watch its log, create a model (its build starts), deploy the build, send a test
request, read the charts, redeploy with more replicas. Every step through the page's own forms;
the API client only watches what the server did."""

from __future__ import annotations

import json
import re
import time

import pytest
from console_browser import CONSOLE_FILES, open_page, sign_in

pytestmark = pytest.mark.browser


def wait_for(check, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def test_from_sign_in_to_a_redeployed_model(chromium, server, admin) -> None:
    page = open_page(chromium, server)
    sign_in(page, server, server.admin_key)

    page.fill("#name", "Flow")
    page.check("input[name=template][value=local]")
    page.fill("#local_path", str(CONSOLE_FILES))
    page.click("text=Create project")
    page.wait_for_url(re.compile(r".*/projects/[0-9a-f-]+$"))
    project_url = page.url

    page.fill("#job-name", "count")
    page.fill("#job-script", "steps/count.py")
    page.fill("#job-arguments", "8")
    page.click("#job-form button")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]+$"))
    page.click("main button:has-text('Run now')")
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f-]+$"))
    page.wait_for_selector("#run-status [data-status=succeeded]", timeout=60_000)
    assert "count 8\ndone counting" in page.locator("#log").inner_text()

    page.goto(project_url)
    page.fill("#model-name", "flow-hello")
    page.fill("#model-file_path", "models.py")
    page.fill("#model-function_name", "predict")
    page.click("#model-form button")
    page.wait_for_url(re.compile(r".*/models/[0-9a-f-]+$"))
    project_id, model_id = page.url.split("/projects/")[1].split("/models/")

    def builds():
        return admin.list_model_builds(project_id=project_id, model_id=model_id).model_builds

    wait_for(lambda: builds()[-1].status == "built")

    page.reload()
    deploy = page.locator("#builds form").first
    deploy.locator("input[name=cpu]").fill("0.5")
    deploy.locator("input[name=memory]").fill("0.5")
    deploy.locator("input[name=replicas]").fill("1")
    deploy.locator("textarea[name=environment]").fill("GREETING_TIER=gold")
    deploy.locator("button").click()

    def deployments():  # oldest first, as CML lists them
        found = admin.list_model_deployments(
            project_id=project_id, model_id=model_id, build_id=builds()[-1].id
        )
        return found.model_deployments

    wait_for(lambda: deployments()[-1].status == "deployed")
    first = deployments()[-1]
    assert first.environment == {"GREETING_TIER": "gold"}

    page.reload()
    assert json.loads(page.input_value("#test-request")) == {"name": "truck-7"}
    for _ in range(3):
        page.click("#test-form button")
        page.wait_for_selector("#test-latency[data-ms]")
    assert json.loads(page.locator("#test-response").inner_text())["success"] is True
    page.wait_for_selector("#monitoring[data-loaded='15m']")
    page.wait_for_function("Number(document.getElementById('chart-rps').dataset.points) > 0")
    assert "requests" in page.locator("#chart-summary").inner_text()

    page.fill("#redeploy-replicas", "2")
    page.click("#redeploy-form button")
    wait_for(lambda: len(deployments()) == 2 and deployments()[-1].status == "deployed")
    wait_for(lambda: {d.id: d.status for d in deployments()}[first.id] == "stopped")
    newest = deployments()[-1]
    assert newest.replicas == 2 and newest.environment == first.environment
    page.wait_for_selector(f"tr[data-deployment='{newest.id}'] [data-status=deployed]")
    assert page.offsite == [] and page.errors == []
    page.locator(f"tr[data-deployment='{newest.id}'] button", has_text="Stop").click()
    wait_for(lambda: {d.id: d.status for d in deployments()}[newest.id] == "stopped")
    page.context.close()
