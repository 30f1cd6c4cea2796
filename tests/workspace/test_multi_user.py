"""Multi-user safety against the real server, its real jobs and replicas: user code sees an
allow-listed environment and, where the server can switch accounts, runs as an unprivileged one
that cannot read the workspace's own state; one user's deployment cannot harm another's; what a
build or deployment runs acts with its creator's key, which ends with it."""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests
import workspace
from lab_server import Browserless, deploy, free_port
from workspace.processes.accounts import GROUP, PER_PROJECT, account_name
from workspace.processes.run_as import RunAs

BAD_ENVIRONMENTS = [
    ({"A": "x\u0000y"}, "A holds a NUL byte"),
    ({"A": 1}, "A must be a string"),
    ({"A": None}, "A must be a string"),
    ({"LAB_API_KEY": "k"}, "LAB_API_KEY is set by the platform"),
    ({"LAB_DATABASE_URL": "sqlite://"}, "LAB_DATABASE_URL is set by the platform"),
    ({"LAB_REPLICA_HOST": "0.0.0.0"}, "LAB_REPLICA_HOST is set by the platform"),
    ({"CDSW_APIV2_KEY": "k"}, "CDSW_APIV2_KEY is set by the platform"),
    ({"LD_PRELOAD": "/tmp/x.so"}, "LD_PRELOAD is set by the platform"),
    ({"PYTHONPATH": "/tmp"}, "PYTHONPATH is set by the platform"),
    ({"": "x"}, "a variable name is empty"),
    ({"A=B": "x"}, "'A=B' is not a valid name"),
]


def _deployments(server, tracked_model) -> str:
    return (
        f"{server.url}/api/v2/projects/{tracked_model.project_id}/models/"
        f"{tracked_model.model.id}/builds/{tracked_model.build.id}/deployments"
    )


def _keys_of(server, column: str, value: str) -> int:
    with sqlite3.connect(server.home / "workspace.db") as db:
        return db.execute(f"SELECT count(*) FROM api_keys WHERE {column} = ?", (value,)).fetchone()[
            0
        ]


@pytest.mark.parametrize(("environment", "reason"), BAD_ENVIRONMENTS)
def test_a_deployment_environment_that_cannot_reach_a_replica_is_refused_naming_it(
    server, tracked_model, environment, reason
) -> None:
    path = _deployments(server, tracked_model)
    auth = {"Authorization": f"Bearer {server.admin_key}"}
    before = requests.get(path, headers=auth, timeout=10).json()["model_deployments"]
    answer = requests.post(path, json={"environment": environment}, headers=auth, timeout=10)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert reason in body["message"] and "\n" not in body["message"]
    assert body["code"] == 3  # INVALID_ARGUMENT, CML's error body
    after = requests.get(path, headers=auth, timeout=10).json()["model_deployments"]
    assert len(after) == len(before), "a refused deployment leaves no row behind"


def test_a_models_own_variables_are_still_accepted(admin, prd) -> None:
    served = deploy(
        admin,
        prd.id,
        "snapshot",
        file_path="models.py",
        function_name="echo",
        deployment={"environment": {"LAB_SNAPSHOT_ID": "7", "MODE": "x=1"}},
    )
    assert served.deployment.environment == {"LAB_SNAPSHOT_ID": "7", "MODE": "x=1"}


def test_replicas_answer_only_the_router(server, admin, tracked_model) -> None:
    [replica] = admin.list_model_replicas(
        project_id=tracked_model.project_id,
        model_id=tracked_model.model.id,
        build_id=tracked_model.build.id,
        deployment_id=tracked_model.deployment.id,
    ).replicas
    direct = requests.post(f"{_replica_url(replica.id)}/predict", json={"request": {}}, timeout=10)
    assert direct.status_code == 403
    assert admin.call_model(tracked_model.model.access_key, {"a": 1})["success"] is True


def _replica_process(replica_id: str) -> psutil.Process:
    """The process serving ``replica_id`` (the API does not show pids)."""
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "workspace.replica.server" in cmdline and replica_id in cmdline:
            return proc
    raise AssertionError(f"no process serves {replica_id}")


def _replica_url(replica_id: str) -> str:
    [port] = [
        c.laddr.port
        for c in _replica_process(replica_id).net_connections("inet")
        if c.status == "LISTEN"
    ]
    return f"http://127.0.0.1:{port}"


DIES_AFTER_FIRST_START = """
import os
from pathlib import Path

MARK = Path("started-once")
if "LAB_MODEL_DEPLOYMENT_CRN" in os.environ:  # a replica, not the build's import check
    if MARK.exists():
        raise RuntimeError("this replica cannot start a second time")
    MARK.write_text("1")


def predict(args):
    return args
"""


def test_a_deployment_whose_replicas_died_for_good_is_reported_failed_and_its_key_revoked(
    server, admin, tmp_path: Path
) -> None:
    (tmp_path / "once.py").write_text(DIES_AFTER_FIRST_START)
    project = admin.create_project(name="once", template="local", local_path=str(tmp_path))
    served = deploy(admin, project.id, "once", file_path="once.py", function_name="predict")
    ids = {
        "project_id": project.id,
        "model_id": served.model.id,
        "build_id": served.build.id,
        "deployment_id": served.deployment.id,
    }
    assert served.deployment.status == "deployed"
    assert _keys_of(server, "deployment_id", served.deployment.id) == 1
    [replica] = admin.list_model_replicas(**ids).replicas
    _replica_process(replica.id).send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 30
    while (dep := admin.get_model_deployment(**ids)).status != "failed":
        assert time.monotonic() < deadline, f"still {dep.status} with a dead replica"
        time.sleep(0.2)
    assert "cannot start a second time" in (dep.failure_reason or "")
    while _keys_of(server, "deployment_id", served.deployment.id):
        assert time.monotonic() < deadline, "the failed deployment's key is still valid"
        time.sleep(0.1)
    assert admin.list_model_replicas(**ids).replicas == []


def test_a_failed_start_revokes_the_deployments_key(server, admin, prd) -> None:
    model = admin.create_model(project_id=prd.id, name="never-ready")
    build = admin.create_model_build(
        project_id=prd.id, model_id=model.id, file_path="models.py", function_name="echo"
    )
    admin.wait_for_build(project_id=prd.id, model_id=model.id, build_id=build.id, timeout=120)
    build_dir = server.home / "builds" / build.id
    (build_dir / "models.py").write_text("raise ImportError('gone after the build')\n")
    dep = admin.create_model_deployment(
        project_id=prd.id, model_id=model.id, build_id=build.id, cpu=0.5, memory=0.5
    )
    ids = {"project_id": prd.id, "model_id": model.id, "build_id": build.id}
    deadline = time.monotonic() + 60
    while (now := admin.get_model_deployment(**ids, deployment_id=dep.id)).status != "failed":
        assert time.monotonic() < deadline, now.status
        time.sleep(0.2)
    assert "gone after the build" in (now.failure_reason or "")
    assert _keys_of(server, "deployment_id", dep.id) == 0


KEY_PROBE = """
import os, requests

key = os.environ["CDSW_APIV2_KEY"]
who = requests.get(
    os.environ["LAB_API_URL"] + "/api/v2/users/me",
    headers={"Authorization": f"Bearer {key}"},
    timeout=10,
).json()
open(os.environ["KEY_PROBE_OUT"], "w").write(who.get("username", "?") + "\\n" + key)


def predict(args):
    return args
"""


def test_a_builds_import_check_acts_as_its_creator_with_a_key_that_ends_with_it(
    server, admin, tmp_path: Path
) -> None:
    out = tmp_path / "probe.txt"
    (tmp_path / "probe.py").write_text(KEY_PROBE)
    project = admin.create_project(
        name="probe",
        template="local",
        local_path=str(tmp_path),
        environment={"KEY_PROBE_OUT": str(out)},
    )
    model = admin.create_model(project_id=project.id, name="probe")
    build = admin.create_model_build(
        project_id=project.id, model_id=model.id, file_path="probe.py", function_name="predict"
    )
    admin.wait_for_build(project_id=project.id, model_id=model.id, build_id=build.id, timeout=120)
    username, key = out.read_text().splitlines()
    assert username == "admin"
    assert _keys_of(server, "name", f"build {build.id}") == 0
    answer = requests.get(
        f"{server.url}/api/v2/users/me", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert answer.status_code == 401, "the build's key ended with the build"


PROBE = """
import json, os
from pathlib import Path
from workspace.client._http import default_api_key

env = dict(os.environ)
for name in ("LAB_API_KEY", "CDSW_APIV2_KEY"):  # without its own key, would it find another?
    os.environ.pop(name)
home = Path(env["LAB_HOME"])
table = env["CDSW_PROJECT_ID"] + ".parquet"


def can(action):
    try:
        action()
        return True
    except OSError:
        return False


def can_read(path):
    return can(lambda: Path(path).read_bytes()) if path else None


def logged_to_mlflow():
    if not os.environ.get("MLFLOW_PROBE"):
        return None
    import mlflow

    mlflow.set_experiment("isolation-probe")
    with mlflow.start_run() as run:
        mlflow.log_metric("reachable", 1.0)
        mlflow.log_text("logged by the job", "probe.txt")  # through the server's artifact proxy
    return mlflow.get_run(run.info.run_id).data.metrics == {"reachable": 1.0}


Path("written-by-the-job.txt").write_text("mine")
report = {
    "mlflow": logged_to_mlflow(),
    "names": sorted(env),
    "fallback_key": default_api_key(),
    "uid": os.getuid(),
    "read_database": can(lambda: (home / "workspace.db").read_bytes()),
    "read_credentials": can(lambda: (home / "credentials.json").read_bytes()),
    "list_logs": can(lambda: os.listdir(home / "logs")),
    "list_builds": can(lambda: os.listdir(home / "builds")),
    "own_folder": Path("written-by-the-job.txt").read_text() == "mine",
    "warehouse": can(lambda: (Path(env["LAB_WAREHOUSE"]) / table).write_bytes(b"PAR1")),
    "read_other_project": can_read(os.environ.get("OTHER_FILE")),
    "read_shared_table": can_read(os.environ.get("SHARED_FILE")),
}
print("REPORT " + json.dumps(report))


def predict(args):
    return {"uid": os.getuid(), "read_database": can(lambda: (home / "workspace.db").read_bytes())}
"""


def _probe(admin, project_dir: Path, **environment: str) -> tuple[object, dict]:
    """Run PROBE as a job of a new project made from ``project_dir``; its report."""
    project_dir.mkdir(exist_ok=True)
    (project_dir / "probe.py").write_text(PROBE)
    project = admin.create_project(
        name=f"probe {project_dir.name}",
        template="local",
        local_path=str(project_dir),
        environment=environment,
    )
    job = admin.create_job(project_id=project.id, name="probe", script="probe.py")
    run = admin.create_job_run(project_id=project.id, job_id=job.id)
    ids = {"project_id": project.id, "job_id": job.id, "run_id": run.id}
    admin.wait_for_job_run(**ids, timeout=180)
    log = admin.get_job_run_logs(**ids)
    return project, json.loads(log.split("REPORT ", 1)[1].splitlines()[0])


SERVER_ONLY = {
    "LAB_DATABASE_URL": "",  # set per test to the server's real database
    "LAB_API_KEY": "the-servers-own-key",
    "SERVER_ONLY_SECRET": "hush",
    "AWS_ACCESS_KEY_ID": "lakehouse-key",
    "SPARK_MASTER": "local[1]",
}


def test_user_code_sees_an_allow_listed_environment_and_never_the_servers_key(
    make_server, tmp_path: Path
) -> None:
    server = make_server()
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    server.env.update(SERVER_ONLY, LAB_WAREHOUSE=str(warehouse))
    server.env["LAB_DATABASE_URL"] = f"sqlite:///{server.home / 'workspace.db'}"
    server.start()
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    _, report = _probe(server.client(), project_dir)
    names = set(report["names"])
    assert not names & {"LAB_DATABASE_URL", "SERVER_ONLY_SECRET"}, names
    assert {"AWS_ACCESS_KEY_ID", "SPARK_MASTER", "LAB_WAREHOUSE", "PATH", "HOME"} <= names
    assert report["fallback_key"] is None, "user code must not fall back to credentials.json"
    assert report["own_folder"] and report["warehouse"]


@pytest.fixture
def account() -> Iterator[str]:
    """A throwaway unprivileged account where ``useradd`` works, else ``nobody``."""
    name = f"labjob{os.getpid() % 100_000}"
    made = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        check=False,
    )
    yield name if made.returncode == 0 else "nobody"
    if made.returncode == 0:
        subprocess.run(["userdel", name], capture_output=True, check=False)


def _wait_until_answers(url: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(url, timeout=2).ok:
                return
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout_s:g} s")


def _reachable(folder: Path) -> None:
    """The operator's part: every folder above ``folder`` traversable (never listable) by other
    accounts, as a checkout in a private temporary folder is not."""
    for parent in folder.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def _python_for(account: str) -> tuple[str, str]:
    """An interpreter of this Python version ``account`` can run, and the path of this run's
    packages (a pyenv Python in root's home is out of its reach; the system one is not)."""
    packages = sysconfig.get_paths()["purelib"]
    lib = Path(workspace.__file__).resolve().parents[1]
    for folder in (lib, Path(packages).resolve()):
        if not str(folder).startswith("/root"):  # pyenv's home stays closed; the test shows why
            _reachable(folder)
            for root, dirs, files in os.walk(folder):  # made under a private umask, perhaps
                for name in dirs:
                    Path(root, name).chmod(Path(root, name).stat().st_mode | 0o005)
                for name in files:
                    Path(root, name).chmod(Path(root, name).stat().st_mode | 0o004)
    path = os.pathsep.join([str(lib), packages])
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for python in (sys.executable, shutil.which(version, path="/usr/local/bin:/usr/bin")):
        if python is None:
            continue
        with contextlib.suppress(PermissionError):  # it cannot even execute this one
            probe = subprocess.run(
                [python, "-c", "import fastapi, workspace"],
                env={"PYTHONPATH": path},
                cwd="/",
                **RunAs.named(account).popen_args(),  # its own group, as the server runs it
                capture_output=True,
                check=False,
            )
            if probe.returncode == 0:
                return python, path
    raise AssertionError(f"{account} can run no {version} here")


def _session_account(server, project_id: str, timeout_s: float = 120) -> int:
    """Start the project's JupyterLab from the console, as a user would, wait until it answers,
    and return the uid its process runs as; the session is stopped again."""
    browser = Browserless(server, server.admin_key)
    started = browser.post(f"/projects/{project_id}/session/start", {"csrf_token": browser.csrf})
    assert started.status_code == 303, started.text
    try:
        deadline = time.monotonic() + timeout_s
        page = ""
        while 'data-state="running"' not in page:
            assert 'data-state="failed"' not in page, page
            assert time.monotonic() < deadline, f"no JupyterLab answered in {timeout_s:g} s"
            time.sleep(0.5)
            page = browser.get(f"/projects/{project_id}").text
        for process in psutil.process_iter(["cmdline", "uids"]):
            cmdline = " ".join(process.info["cmdline"] or ())
            if "jupyterlab" in cmdline and f"/{project_id}" in cmdline:
                return process.info["uids"].real
        raise AssertionError(f"no JupyterLab process of project {project_id}")
    finally:
        browser.post(f"/projects/{project_id}/session/stop", {"csrf_token": browser.csrf})


def _server_handing_code_to(account: str, make_server, base: Path):
    """A started server whose user code runs as ``account`` (a name, or ``per-project``), with
    a warehouse under ``base``; what the operator does first: LAB_HOME's parent reachable."""
    python, path = _python_for("nobody" if account == PER_PROJECT else account)
    base.chmod(0o711)
    warehouse = base / "warehouse"
    warehouse.mkdir()
    (base / "home").mkdir()
    server = make_server(base / "home")
    server.python = python
    server.env.update(LAB_RUN_AS_USER=account, LAB_WAREHOUSE=str(warehouse), PYTHONPATH=path)
    del server.env["MLFLOW_TRACKING_URI"]  # the workspace serves MLflow over HTTP itself
    mlflow_url = f"http://127.0.0.1:{free_port()}"
    server.env["LAB_MLFLOW_PORT"] = mlflow_url.rsplit(":", 1)[1]
    server.start()
    _wait_until_answers(f"{mlflow_url}/health")
    return server, warehouse


def _end_processes_of(accounts: set[str]) -> None:
    """Nothing of the accounts stays running."""
    for process in psutil.process_iter(["username"]):
        if process.info["username"] in accounts:
            with contextlib.suppress(psutil.Error):
                process.kill()


def test_user_code_runs_as_an_account_that_cannot_read_the_workspaces_state(
    account, make_server
) -> None:
    assert os.geteuid() == 0, "this machine runs the server as root, as the issue found it"
    entry = pwd.getpwnam(account)
    base = Path(tempfile.mkdtemp(prefix="lab-isolation-"))
    try:
        server, warehouse = _server_handing_code_to(account, make_server, base)
        os.chown(warehouse, entry.pw_uid, entry.pw_gid)
        admin = server.client()
        project, report = _probe(admin, base / "files", MLFLOW_PROBE="1")
        assert report["mlflow"] is True, "MLflow must stay reachable to the account"
        assert report["uid"] == entry.pw_uid
        assert not report["read_database"], "the job read the workspace database"
        assert not report["read_credentials"], "the job read the admin's credentials"
        assert not report["list_logs"] and not report["list_builds"]
        assert report["own_folder"] and report["warehouse"]
        assert report["fallback_key"] is None
        served = deploy(admin, project.id, "probe", file_path="probe.py", function_name="predict")
        answer = admin.call_model(served.model.access_key, {})["response"]
        assert answer == {"uid": entry.pw_uid, "read_database": False}
        assert _session_account(server, project.id) == entry.pw_uid
    finally:
        _end_processes_of({account})
        shutil.rmtree(base, ignore_errors=True)


def test_each_project_runs_as_an_account_of_its_own_that_cannot_read_another_projects_files(
    make_server,
) -> None:
    group_existed = _group_exists(GROUP)
    base = Path(tempfile.mkdtemp(prefix="lab-accounts-"))
    made: set[str] = set()
    try:
        server, warehouse = _server_handing_code_to(PER_PROJECT, make_server, base)
        shutil.chown(warehouse, group=GROUP)  # the operator's part: the lake is the group's
        warehouse.chmod(0o2770)
        admin = server.client()
        first, mine = _probe(admin, base / "first")
        made.add(account_name(first.id))
        written = server.home / "projects" / first.id / "written-by-the-job.txt"
        second, theirs = _probe(
            admin,
            base / "second",
            OTHER_FILE=str(written),
            SHARED_FILE=str(warehouse / f"{first.id}.parquet"),
        )
        made.add(account_name(second.id))
        accounts = {pwd.getpwnam(name).pw_uid for name in made}
        assert {mine["uid"], theirs["uid"]} == accounts and len(accounts) == 2
        assert mine["own_folder"] and mine["warehouse"] and theirs["warehouse"]
        assert theirs["read_other_project"] is False, "a project read another project's files"
        assert theirs["read_shared_table"] is True, "the warehouse is shared, as a data lake is"
        assert not theirs["read_database"] and not theirs["read_credentials"]
        served = deploy(admin, second.id, "probe", file_path="probe.py", function_name="predict")
        assert admin.call_model(served.model.access_key, {})["response"]["uid"] == theirs["uid"]
        admin.stop_model_deployment(
            project_id=second.id,
            model_id=served.model.id,
            build_id=served.build.id,
            deployment_id=served.deployment.id,
        )
        admin.delete_project(project_id=first.id)
        with pytest.raises(KeyError):
            pwd.getpwnam(account_name(first.id))  # its account went with it
    finally:
        _end_processes_of(made)
        for name in made:
            subprocess.run(["userdel", name], capture_output=True, check=False)
        if not group_existed:
            subprocess.run(["groupdel", GROUP], capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True
