"""`workspace session <project>`: JupyterLab with jupytext in the project's folder and its
environment (CML's variables included); percent-format scripts open as notebooks; a notebook's
``!pip install`` goes into the project's Python environment, which its jobs use; `--stop`
leaves no process behind."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psutil
import requests
from jupyter_client import BlockingKernelClient
from local_package import make_wheel

JOBS_FILES = Path(__file__).parent / "jobs_project"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workspace.cli", *args],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def test_session_opens_percent_scripts_as_notebooks_and_stops_cleanly(server, admin):
    project = admin.create_project(
        name="notebooks",
        template="local",
        local_path=str(JOBS_FILES),
        environment={"GREETING": "hi"},
    )
    env = {k: v for k, v in server.env.items() if k != "LAB_API_KEY"}
    env["LAB_API_KEY"] = server.admin_key
    started = _cli("session", "notebooks", env=env)
    pidfile = server.home / "sessions" / f"{project.id}.json"
    pid = None
    try:
        assert started.returncode == 0, started.stderr
        url = re.search(r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", started.stdout)
        assert url, started.stdout
        base, token = url.group(1), url.group(2)
        pid = int(json.loads(pidfile.read_text())["pid"])
        auth = {"Authorization": f"token {token}"}

        assert requests.get(f"{base}/api/status", headers=auth, timeout=10).ok
        assert requests.get(f"{base}/api/status", timeout=10).status_code == 403
        listing = requests.get(f"{base}/api/contents", headers=auth, timeout=10).json()
        assert "explore.py" in {item["name"] for item in listing["content"]}
        notebook = requests.get(
            f"{base}/api/contents/explore.py", params={"type": "notebook"}, headers=auth, timeout=10
        ).json()
        assert notebook["type"] == "notebook"
        cells = notebook["content"]["cells"]
        assert [c["cell_type"] for c in cells] == ["markdown", "code", "code"]
        assert "print(greeting.upper())" in cells[-1]["source"]

        seen = psutil.Process(pid).environ()
        assert seen["GREETING"] == "hi" and seen["LAB_PROJECT_ID"] == project.id
        assert seen["MLFLOW_TRACKING_URI"] == server.env["MLFLOW_TRACKING_URI"]
        assert seen["LAB_API_URL"] == server.url and seen["LAB_HOME"] == str(server.home.resolve())
        assert (seen["CDSW_PROJECT"], seen["PROJECT_OWNER"]) == ("notebooks", "admin")
        assert seen["CDSW_PROJECT_ID"] == project.id
        assert seen["CDSW_API_URL"] == server.url + "/api/v1"
        assert seen["CDSW_APIV2_KEY"] == seen["LAB_API_KEY"] == server.admin_key
        assert psutil.Process(pid).cwd() == str(server.home / "projects" / project.id)

        again = _cli("session", project.id, env=env)
        assert "already running" in again.stdout and base in again.stdout
    finally:
        stopped = _cli("session", "--stop", "notebooks", env=env)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped.stderr
    assert pid is not None and not _running(pid)
    leftovers = [p for p in psutil.process_iter(["environ"]) if _of_session(p, project.id)]
    assert leftovers == []
    assert not pidfile.exists()
    assert "no session" in _cli("session", "--stop", "notebooks", env=env).stdout


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _of_session(proc: psutil.Process, project_id: str) -> bool:
    try:
        return (proc.info["environ"] or {}).get("LAB_PROJECT_ID") == project_id
    except psutil.Error:
        return False


def test_session_of_an_unknown_project_says_so(server):
    env = {**server.env, "LAB_API_KEY": server.admin_key}
    answer = _cli("session", "no-such-project", env=env)
    assert answer.returncode == 1
    assert "no project with id or name 'no-such-project'" in answer.stderr
    assert not os.path.exists(server.home / "sessions" / "no-such-project.json")


def test_a_notebook_pip_install_lands_in_the_project_env_its_jobs_use(server, admin, tmp_path):
    wheel = make_wheel(tmp_path, name="cell_probe", source="ANSWER = 7\n")
    project = admin.create_project(
        name="notebook pip",
        template="local",
        local_path=str(JOBS_FILES),
        environment={"PIP_NO_INDEX": "1"},  # the tests run without a package index
    )
    env = {**server.env, "LAB_API_KEY": server.admin_key}
    python = server.home.resolve() / "envs" / "projects" / project.id / "bin" / "python"
    started = _cli("session", project.id, env=env)
    try:
        assert started.returncode == 0, started.stderr
        base, token = re.search(
            r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)", started.stdout
        ).groups()
        auth = {"Authorization": f"token {token}"}
        kernel = requests.post(
            f"{base}/api/kernels", json={"name": "python3"}, headers=auth, timeout=30
        ).json()
        runtime = server.home / "sessions" / project.id / "runtime"
        client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{kernel['id']}.json"))
        client.load_connection_file()
        client.start_channels()
        try:  # the answer comes back on the shell channel, which queues until the kernel is up
            request = client.execute(
                f"!pip install {wheel}\nimport cell_probe, sys",
                user_expressions={"seen": "f'{cell_probe.ANSWER} {sys.executable}'"},
            )
            reply = client.get_shell_msg(timeout=180)
        finally:
            client.stop_channels()
        assert reply["parent_header"]["msg_id"] == request
        assert reply["content"]["status"] == "ok", reply["content"]
        seen = reply["content"]["user_expressions"]["seen"]["data"]["text/plain"]
        assert seen == repr(f"7 {python}")
    finally:
        _cli("session", "--stop", project.id, env=env)

    (server.home / "projects" / project.id / "cell_probe_job.py").write_text(
        "import cell_probe\nprint('JOB SEES', cell_probe.ANSWER)\n"
    )
    job = admin.create_job(project_id=project.id, name="probe", script="cell_probe_job.py")
    run = admin.create_job_run(project_id=project.id, job_id=job.id)
    admin.wait_for_job_run(project_id=project.id, job_id=job.id, run_id=run.id, timeout=60)
    log = admin.get_job_run_logs(project_id=project.id, job_id=job.id, run_id=run.id)
    assert "JOB SEES 7" in log
    lab = subprocess.run([sys.executable, "-c", "import cell_probe"], capture_output=True)
    assert lab.returncode != 0
