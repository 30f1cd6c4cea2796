"""The client's one exception tree, as a caller meets it: what went wrong decides the branch.

No answer at all is a ``TransportError``, an answer with an error status an ``ApiError`` (with the
status and the server's message), and a wait that gives up a ``WaitError`` (with the state and the
log tail).
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from lab_server import free_port
from workspace.client import (
    ApiError,
    BadRequest,
    BuildFailed,
    Conflict,
    ConnectError,
    Forbidden,
    GatewayTimeout,
    NotFound,
    RequestTimeout,
    ServerError,
    TooManyRequests,
    TransportError,
    Unauthorized,
    WaitError,
    WaitTimeout,
    WorkspaceClient,
    WorkspaceError,
)
from workspace.client._errors import error_for

JOBS_FILES = Path(__file__).parents[1] / "jobs_project"


def test_the_tree_has_three_branches_under_workspace_error():
    branches = [TransportError, ApiError, WaitError]
    assert all(b.__bases__ == (WorkspaceError,) for b in branches)
    assert WorkspaceError.__subclasses__() == branches


def test_a_wrong_key_raises_unauthorized_which_is_an_api_error(server):
    client = WorkspaceClient(server.url, "lab_wrong")
    with pytest.raises(Unauthorized) as refused:
        client.list_projects()
    assert isinstance(refused.value, ApiError)
    assert refused.value.status_code == 401
    assert "invalid API key" in refused.value.message
    assert str(refused.value).startswith("HTTP 401: ")


def test_an_unknown_id_raises_not_found_with_the_server_message(admin, prd):
    with pytest.raises(NotFound, match="not found") as missing:
        admin.get_model(project_id=prd.id, model_id="no-such-model")
    assert missing.value.status_code == 404


def test_a_stopped_server_raises_connect_error_which_is_a_transport_error():
    client = WorkspaceClient(f"http://127.0.0.1:{free_port()}", "lab_any", timeout=5)
    with pytest.raises(ConnectError, match="workspace up") as unreachable:
        client.list_projects()
    assert isinstance(unreachable.value, TransportError)


@pytest.fixture()
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_a_server_that_does_not_answer_in_time_raises_request_timeout(silent_port):
    client = WorkspaceClient(f"http://127.0.0.1:{silent_port}", "lab_any", timeout=0.3)
    with pytest.raises(RequestTimeout, match=r"no answer within 0\.3 s") as late:
        client.list_projects()
    assert isinstance(late.value, TransportError)


class _Html(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>not the workspace</html>")

    def log_message(self, *args: object) -> None:
        pass


def test_an_answer_that_is_not_the_api_json_is_an_api_error():
    httpd = HTTPServer(("127.0.0.1", 0), _Html)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        client = WorkspaceClient(f"http://127.0.0.1:{httpd.server_port}", "lab_any")
        with pytest.raises(ApiError, match=r"is http://127\.0\.0\.1:\d+ the workspace"):
            client.list_projects()
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (413, BadRequest),
        (422, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (429, TooManyRequests),
        (500, ServerError),
        (503, ServerError),
        (504, GatewayTimeout),
        (418, ApiError),
    ],
)
def test_each_error_status_maps_to_one_api_error(status, cls):
    error = error_for(status, "why")
    assert type(error) is cls
    assert (error.status_code, error.message) == (status, "why")


def test_a_gateway_timeout_is_a_server_error_not_a_wait_timeout():
    error = error_for(504, "model did not answer")
    assert isinstance(error, ServerError)
    assert not isinstance(error, (WaitError, TransportError))


def test_a_failed_build_raises_build_failed_which_is_a_wait_error(admin, prd):
    model = admin.create_model(project_id=prd.id, name=f"broken-{uuid.uuid4().hex[:8]}")
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, file_path="broken.py", function_name="predict"
    )
    with pytest.raises(BuildFailed) as failed:
        admin.wait_for_build(project_id=prd.id, model_id=model.id, build_id=build.id, timeout=60)
    assert isinstance(failed.value, WaitError)
    assert failed.value.status == "failed"
    assert "ModuleNotFoundError" in failed.value.log_tail


def test_a_wait_that_runs_out_raises_wait_timeout_naming_the_state(admin):
    project = admin.create_project(
        name=f"waits-{uuid.uuid4().hex[:8]}", template="local", local_path=str(JOBS_FILES)
    )
    job = admin.create_job(
        project_id=project.id, name="slow", script="steps/slow.py", arguments="30"
    )
    run = admin.create_job_run(project_id=project.id, job_id=job.id)
    try:
        with pytest.raises(WaitTimeout, match=r"still \w+ after 1 s") as ran_out:
            admin.wait_for_job_run(project_id=project.id, job_id=job.id, run_id=run.id, timeout=1)
        assert isinstance(ran_out.value, WaitError)
        assert ran_out.value.status in ("ENGINE_SCHEDULING", "ENGINE_STARTING", "ENGINE_RUNNING")
    finally:
        admin.stop_job_run(project_id=project.id, job_id=job.id, run_id=run.id)
