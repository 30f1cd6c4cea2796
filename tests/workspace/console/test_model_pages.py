"""Models in a browser: the list, a model's builds, deployments and replicas, its access key, the
Test Request box (prefilled with the model's example, refusing what is not JSON before it is
sent), the monitoring charts, and building, deploying and redeploying from the page."""

from __future__ import annotations

import json
import time

import pytest
from workspace.client import BadRequest

pytestmark = pytest.mark.browser


def model_url(server, project_id: str, model_id: str) -> str:
    return f"{server.url}/projects/{project_id}/models/{model_id}"


def test_the_models_list_shows_each_models_status(admin_page, server, console_project) -> None:
    page = admin_page
    page.goto(f"{server.url}/models")
    row = page.locator("#models tr", has_text="greeter")
    assert row.locator(".badge").inner_text() == "deployed"
    row.locator("a", has_text="greeter").click()
    assert page.locator("h1").inner_text().startswith("greeter")


def test_the_model_page_shows_builds_deployment_replicas_and_access_key(
    admin_page, server, console_project
) -> None:
    deployed = console_project.model
    page = admin_page
    page.goto(model_url(server, console_project.id, deployed.model.id))
    assert page.locator("#access-key").inner_text() == deployed.model.access_key
    assert page.locator(f"#builds tr[data-build='{deployed.build.id}'] .badge").inner_text() == (
        "built"
    )
    row = page.locator(f"#deployments tr[data-deployment='{deployed.deployment.id}']")
    assert row.locator(".badge").inner_text() == "deployed"
    assert "0.5 vCPU" in row.inner_text()
    replica = page.locator("#deployments tr.replica")
    assert replica.count() == 1 and "of 0.5 vCPU" in replica.inner_text()
    assert "ready" in replica.inner_text()
    assert page.offsite == [] and page.errors == []


def test_a_test_request_shows_the_answer_and_its_latency(admin_page, server, console_project):
    page = admin_page
    page.goto(model_url(server, console_project.id, console_project.model.model.id))
    assert json.loads(page.input_value("#test-request")) == {"name": "truck-7"}
    page.click("#test-form button")
    page.wait_for_selector("#test-latency[data-ms]")
    answer = json.loads(page.locator("#test-response").inner_text())
    assert answer["success"] is True
    assert answer["response"] == {"greeting": "hello truck-7", "fields": ["name"]}
    assert page.locator("#test-latency").inner_text().startswith("HTTP 200 in ")


def test_a_request_that_is_not_json_is_refused_before_it_is_sent(
    admin_page, server, console_project
) -> None:
    page = admin_page
    sent = []
    page.on("request", lambda request: request.url.endswith("/model") and sent.append(request))
    page.goto(model_url(server, console_project.id, console_project.model.model.id))
    page.fill("#test-request", '{"name": truck-7}')
    page.click("#test-form button")
    problem = page.locator("#test-request-error")
    assert problem.is_visible() and problem.inner_text().startswith("Not JSON, so not sent")
    assert page.get_attribute("#test-request", "aria-invalid") == "true"
    assert sent == []


def test_the_charts_show_requests_latency_and_replica_use(
    admin_page, server, admin, console_project
) -> None:
    key = console_project.model.model.access_key
    for n in range(20):
        admin.call_model(key, {"name": f"truck-{n}"})
    with pytest.raises(BadRequest):  # the model's KeyError: counted as an error
        admin.call_model(key, {"wrong": 1})
    time.sleep(1.5)  # replica samples every 0.5 s in the tests' server
    page = admin_page
    page.goto(model_url(server, console_project.id, console_project.model.model.id))
    page.wait_for_selector("#monitoring[data-loaded='15m']")
    for chart in ("rps", "latency", "cpu", "memory"):
        assert page.locator(f"#chart-{chart} canvas").count() == 1
        assert int(page.get_attribute(f"#chart-{chart}", "data-points")) > 0, chart
    assert "requests" in page.locator("#chart-summary").inner_text()
    page.select_option("#window", "1h")
    page.wait_for_selector("#monitoring[data-loaded='1h']")
    assert int(page.get_attribute("#chart-rps", "data-points")) > 0


def wait_for(check, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def test_build_deploy_and_redeploy_with_more_replicas_from_the_page(
    admin_page, server, admin, console_project
) -> None:
    pid = console_project.id
    model = admin.create_model(project_id=pid, name="from-the-page")
    page = admin_page
    page.goto(model_url(server, pid, model.id))
    page.fill("#file_path", "models.py")
    page.click("#build-form button")
    assert (
        "needs file_path and function_name" in page.locator("#build_file_path-error").inner_text()
    )
    page.fill("#file_path", "models.py")
    page.fill("#function_name", "predict")
    page.click("#build-form button")
    builds = lambda: admin.list_model_builds(project_id=pid, model_id=model.id).model_builds  # noqa: E731
    wait_for(lambda: builds() and builds()[-1].status == "built")
    page.reload()
    deploy_form = page.locator("#builds form").first
    deploy_form.locator("input[name=cpu]").fill("lots")
    deploy_form.locator("button").click()
    assert page.locator("#deploy_cpu-error").inner_text() == "cpu must be a number, not 'lots'"
    deploy_form = page.locator("#builds form").first
    deploy_form.locator("input[name=cpu]").fill("0.5")
    deploy_form.locator("input[name=memory]").fill("0.5")
    deploy_form.locator("input[name=replicas]").fill("1")
    deploy_form.locator("button").click()

    def deployments():
        found = admin.list_model_deployments(
            project_id=pid, model_id=model.id, build_id=builds()[-1].id
        )
        return found.model_deployments  # oldest first, as CML lists them

    wait_for(lambda: deployments() and deployments()[-1].status == "deployed")
    first = deployments()[-1]
    page.reload()
    page.fill("#redeploy-replicas", "2")
    page.click("#redeploy-form button")
    wait_for(lambda: len(deployments()) == 2 and deployments()[-1].status == "deployed")
    wait_for(lambda: {d.id: d.status for d in deployments()}[first.id] == "stopped")
    newest = deployments()[-1]
    assert newest.replicas == 2 and newest.cpu == 0.5
    # no reload: the table refreshes itself
    page.wait_for_selector(f"tr[data-deployment='{newest.id}'] [data-status=deployed]")
    page.wait_for_selector(f"tr[data-deployment='{first.id}'] [data-status=stopped]")
    assert page.locator("#deployments tr.replica").count() == 2
    status = lambda: {d.id: d.status for d in deployments()}[newest.id]  # noqa: E731
    page.locator(f"tr[data-deployment='{newest.id}'] button", has_text="Stop").click()
    wait_for(lambda: status() == "stopped")
    page.reload()
    page.locator(f"tr[data-deployment='{newest.id}'] button", has_text="Restart").click()
    wait_for(lambda: status() == "deployed")
