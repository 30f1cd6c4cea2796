"""The console over plain HTTP, as a script or another site could call it: the session cookie,
CSRF tokens, roles (actions a role may not take are not offered, and refused if sent), expiry,
and the API's paths left as they were."""

from __future__ import annotations

import time

import pytest
from lab_server import Browserless
from workspace.console.sessions import COOKIE


@pytest.fixture(scope="module")
def people(admin, console_project) -> dict[str, str]:
    """API keys of a viewer and an operator of the console project, and of an outsider."""
    keys = {}
    for name, role in (("con-viewer", "viewer"), ("con-operator", "operator"), ("con-out", "")):
        keys[name] = admin.create_user(name).api_key
        if role:
            admin.add_project_collaborator(
                project_id=console_project.id, username=name, permission=role
            )
    return keys


def runs_of(admin, console_project) -> int:
    found = admin.list_job_runs(project_id=console_project.id, job_id=console_project.report_job)
    return len(found.job_runs)


def test_the_session_cookie_is_http_only_strict_and_not_the_key(server) -> None:
    browser = Browserless(server, server.admin_key)
    cookie = browser.signed_in.headers["set-cookie"]
    assert browser.signed_in.status_code == 303
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert server.admin_key not in cookie
    page = browser.get("/projects")
    assert page.status_code == 200 and server.admin_key not in page.text
    assert page.headers["server-timing"].startswith("app;dur=")


def test_without_a_session_pages_lead_to_sign_in_and_htmx_is_told_to_go_there(server) -> None:
    plain = Browserless(server, "wrong-key")
    assert plain.signed_in.status_code == 401
    assert "that API key is not valid" in plain.signed_in.text
    answer = plain.get("/models")
    assert answer.status_code == 303 and answer.headers["location"] == "/signin?next=/models"
    htmx = plain.get("/models", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/signin")


def test_a_sign_in_without_its_form_token_is_refused(server) -> None:
    import requests

    answer = requests.post(
        f"{server.url}/signin", data={"api_key": server.admin_key}, allow_redirects=False
    )
    assert answer.status_code == 403
    assert f"{COOKIE}=" not in answer.headers.get("set-cookie", "")


def test_a_post_without_the_sessions_csrf_token_changes_nothing(
    server, admin, console_project
) -> None:
    browser = Browserless(server, server.admin_key)
    other = Browserless(server, server.admin_key)
    before = runs_of(admin, console_project)
    run = f"/projects/{console_project.id}/jobs/{console_project.report_job}/run"
    for token in ("", other.csrf):
        answer = browser.post(run, data={"csrf_token": token})
        assert answer.status_code == 403
        assert answer.json()["message"].startswith("the form's CSRF token is missing")
    assert runs_of(admin, console_project) == before
    sent = browser.post(run, headers={"X-CSRF-Token": browser.csrf})  # how htmx sends it
    assert sent.status_code == 303 and runs_of(admin, console_project) == before + 1


def test_a_viewer_is_not_offered_actions_and_is_refused_them(
    server, admin, console_project, people
) -> None:
    viewer = Browserless(server, people["con-viewer"])
    project = viewer.get(f"/projects/{console_project.id}").text
    assert "Run now" not in project and "Save environment" not in project
    assert "Start JupyterLab" not in project
    assert "New model" not in project and "New job" not in project
    assert 'action="/projects/' not in project.split('id="session"')[0].replace("/signout", "")
    model_path = f"/projects/{console_project.id}/models/{console_project.model.model.id}"
    model = viewer.get(model_path).text
    assert "Redeploy" not in model and "New build" not in model and "Stop</button>" not in model
    assert console_project.model.model.access_key in model  # viewers may call the endpoint
    before = runs_of(admin, console_project)
    refused = {
        f"/projects/{console_project.id}/jobs/{console_project.report_job}/run": {},
        f"/projects/{console_project.id}/environment": {"environment": "X=1"},
        f"{model_path}/builds": {"file_path": "models.py", "function_name": "predict"},
        f"{model_path}/deployments/{console_project.model.deployment.id}/stop": {},
        f"/projects/{console_project.id}/session/start": {},
        f"/projects/{console_project.id}/models": {"name": "sneaked-in"},
        f"/projects/{console_project.id}/jobs": {"name": "sneaked-in", "script": "steps/count.py"},
        f"{model_path}/builds/{console_project.model.build.id}/deploy": {
            "cpu": "1",
            "memory": "1",
            "replicas": "2",
            "replace": console_project.model.deployment.id,
        },
    }
    for path, form in refused.items():
        answer = viewer.post(path, data={"csrf_token": viewer.csrf, **form})
        assert answer.status_code == 403, path
        assert "con-viewer" in answer.json()["message"]
    assert runs_of(admin, console_project) == before
    assert admin.get_project(project_id=console_project.id).environment.get("X") is None
    models = admin.list_models(project_id=console_project.id).models
    jobs = admin.list_jobs(project_id=console_project.id).jobs
    assert "sneaked-in" not in [m.name for m in models] + [j.name for j in jobs]


def test_an_operator_may_run_jobs_but_not_change_the_environment(
    server, admin, console_project, people
) -> None:
    operator = Browserless(server, people["con-operator"])
    project = operator.get(f"/projects/{console_project.id}").text
    assert "Run now" in project and "Save environment" not in project
    assert "New model" in project and "New job" in project
    answer = operator.post(
        f"/projects/{console_project.id}/environment",
        data={"csrf_token": operator.csrf, "environment": "X=1"},
    )
    assert answer.status_code == 403 and "needs admin" in answer.json()["message"]


def test_an_outsider_neither_sees_nor_opens_the_project(server, console_project, people):
    outsider = Browserless(server, people["con-out"])
    assert console_project.id not in outsider.get("/projects").text
    assert "greeter" not in outsider.get("/models").text
    assert outsider.get(f"/projects/{console_project.id}").status_code == 403


def test_an_expired_session_goes_back_to_sign_in_with_a_message(make_server) -> None:
    server = make_server()
    server.env["LAB_CONSOLE_SESSION_S"] = "1"
    server.start()
    browser = Browserless(server, server.admin_key)
    assert browser.get("/projects").status_code == 200
    time.sleep(1.5)
    answer = browser.get("/projects")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/projects&expired=1"
    assert "Your session has ended" in browser.get(answer.headers["location"]).text


def test_the_api_paths_answer_as_before_the_console(server) -> None:
    browser = Browserless(server, server.admin_key)
    assert browser.get("/api/v2/health").json()["status"] == "ok"
    assert browser.get("/api/v2/projects").status_code == 401  # the cookie is not an API key
    assert browser.get("/metrics").status_code == 401  # the cookie is not a Prometheus key
    scraped = browser.http.get(
        f"{server.url}/metrics", headers={"Authorization": f"Bearer {server.admin_key}"}
    )
    assert "# HELP" in scraped.text
    assert browser.get("/openapi.json").json()["info"]["title"]
    model = browser.http.post(f"{server.url}/model", json={"accessKey": "x", "request": {}})
    assert model.status_code in (401, 404) and model.json()["success"] is False


def test_api_docs_load_swagger_ui_from_this_server(server) -> None:
    browser = Browserless(server, server.admin_key)
    docs = browser.get("/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    bundle = browser.get("/static/vendor/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert browser.get("/static/vendor/nothing.js").status_code == 404
