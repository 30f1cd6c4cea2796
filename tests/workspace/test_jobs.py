"""Jobs and job runs as a CML user drives them: refused when wrong, chained, timed out, stopped,
logged while running, scheduled across a restart, and run with the environment a script needs."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
from workspace.client import BadRequest, Conflict, JobRunFailed, Unauthorized, WorkspaceClient

JOBS_FILES = Path(__file__).parent / "jobs_project"


@pytest.fixture(scope="module")
def project(admin: WorkspaceClient):
    return admin.create_project(
        name="jobs", template="local", local_path=str(JOBS_FILES), environment={"GREETING": "hi"}
    )


def _tagged(tag: str) -> list[psutil.Process]:
    """Processes whose command line carries ``tag`` (what a run of slow.py started)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if tag in (proc.info["cmdline"] or []):
            found.append(proc)
    return found


def _gone(tag: str, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while _tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _tagged(tag)


@pytest.fixture()
def tag():
    """A marker passed to slow.py; whatever carries it is killed after the test, pass or fail."""
    marker = f"tag-{uuid.uuid4().hex}"
    yield marker
    for proc in _tagged(marker):
        with contextlib.suppress(psutil.Error):
            proc.kill()


def _wait_status(client, pid, job_id, run_id, wanted: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while (
        run := client.get_job_run(project_id=pid, job_id=job_id, run_id=run_id)
    ).status != wanted:
        assert time.monotonic() < deadline, f"run still {run.status}, wanted {wanted}"
        time.sleep(0.1)
    return run


def test_job_whose_script_is_missing_or_leaves_the_project_is_refused(admin, project):
    with pytest.raises(BadRequest, match=r"script 'nope\.py' does not exist"):
        admin.create_job(project_id=project.id, name="x", script="nope.py")
    with pytest.raises(BadRequest, match="leaves the project folder"):
        admin.create_job(project_id=project.id, name="x", script="../test_jobs.py")
    with pytest.raises(BadRequest, match="leaves the project folder"):
        admin.create_job(project_id=project.id, name="x", script=str(JOBS_FILES / "explore.py"))
    assert admin.list_jobs(project_id=project.id, search_filter={"name": "x"}).jobs == []


def test_bad_cron_expression_or_time_zone_is_refused_naming_it(admin, project):
    with pytest.raises(BadRequest, match=r"schedule '61 \* \* \* \*' is not a valid cron"):
        admin.create_job(
            project_id=project.id, name="x", script="steps/ok.py", schedule="61 * * * *"
        )
    with pytest.raises(BadRequest, match="timezone 'Mars/Olympus'"):
        admin.create_job(
            project_id=project.id,
            name="x",
            script="steps/ok.py",
            schedule="0 6 * * *",
            timezone="Mars/Olympus",
        )
    job = admin.create_job(project_id=project.id, name="nightly", script="steps/ok.py")
    with pytest.raises(BadRequest, match="schedule 'every day'"):
        admin.update_job(project_id=project.id, job_id=job.id, schedule="every day")


def test_cycle_of_parent_jobs_is_refused(admin, project):
    first = admin.create_job(project_id=project.id, name="c-first", script="steps/ok.py")
    second = admin.create_job(
        project_id=project.id, name="c-second", script="steps/ok.py", parent_job_id=first.id
    )
    third = admin.create_job(
        project_id=project.id, name="c-third", script="steps/ok.py", parent_job_id=second.id
    )
    assert (second.type, third.type) == ("dependent", "dependent")
    with pytest.raises(BadRequest, match="makes a cycle: c-first → c-third → c-second → c-first"):
        admin.update_job(project_id=project.id, job_id=first.id, parent_job_id=third.id)
    with pytest.raises(BadRequest, match="makes a cycle"):
        admin.update_job(project_id=project.id, job_id=first.id, parent_job_id=first.id)
    assert admin.get_job(project_id=project.id, job_id=first.id).parent_job_id is None
    with pytest.raises(Conflict, match="'c-third' depends on 'c-second'"):
        admin.delete_job(project_id=project.id, job_id=second.id)


def test_dependent_job_runs_after_its_parent_succeeds_and_not_after_it_fails(admin, project):
    parent = admin.create_job(project_id=project.id, name="d-parent", script="steps/ok.py")
    child = admin.create_job(
        project_id=project.id, name="d-child", script="steps/ok.py", parent_job_id=parent.id
    )
    run = admin.create_job_run(project_id=project.id, job_id=parent.id)
    admin.wait_for_job_run(project_id=project.id, job_id=parent.id, run_id=run.id, timeout=60)
    deadline = time.monotonic() + 30
    while not (runs := admin.list_job_runs(project_id=project.id, job_id=child.id).job_runs):
        assert time.monotonic() < deadline, "the child job never ran"
        time.sleep(0.1)
    assert runs[0].triggered_by == f"parent run {run.id}"
    admin.wait_for_job_run(project_id=project.id, job_id=child.id, run_id=runs[0].id, timeout=60)

    broken = admin.create_job(project_id=project.id, name="d-broken", script="steps/fail.py")
    orphan = admin.create_job(
        project_id=project.id, name="d-orphan", script="steps/ok.py", parent_job_id=broken.id
    )
    run = admin.create_job_run(project_id=project.id, job_id=broken.id)
    with pytest.raises(JobRunFailed, match="exited with code 3") as failed:
        admin.wait_for_job_run(project_id=project.id, job_id=broken.id, run_id=run.id, timeout=60)
    assert failed.value.status == "ENGINE_FAILED"
    assert "failing on purpose" in failed.value.log_tail
    time.sleep(1.5)  # long enough for a wrongly triggered child to show up
    assert admin.list_job_runs(project_id=project.id, job_id=orphan.id).job_runs == []


def test_run_past_its_timeout_is_killed_and_marked_timedout(admin, project, tag):
    job = admin.create_job(
        project_id=project.id, name="t-slow", script="steps/slow.py", arguments=f"60 {tag}",
        timeout=2,
    )  # fmt: skip
    run = admin.create_job_run(project_id=project.id, job_id=job.id)
    with pytest.raises(JobRunFailed, match="ran past its timeout of 2 s") as ended:
        admin.wait_for_job_run(project_id=project.id, job_id=job.id, run_id=run.id, timeout=30)
    assert ended.value.status == "ENGINE_TIMEDOUT"
    assert _gone(tag), "the run's processes outlived its timeout"


def test_stop_ends_a_running_run_and_its_children(admin, project, tag):
    job = admin.create_job(
        project_id=project.id, name="s-slow", script="steps/slow.py", arguments=f"60 {tag}"
    )
    run = admin.create_job_run(project_id=project.id, job_id=job.id)
    _wait_status(admin, project.id, job.id, run.id, "ENGINE_RUNNING")
    deadline = time.monotonic() + 10
    while len(_tagged(tag)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_tagged(tag)) == 2  # the script and its child
    admin.stop_job_run(project_id=project.id, job_id=job.id, run_id=run.id)
    assert _wait_status(admin, project.id, job.id, run.id, "ENGINE_STOPPED").finished_at
    assert _gone(tag), "processes of a stopped run are still alive"


def test_logs_are_readable_while_the_run_goes_on(admin, project, tag):
    job = admin.create_job(
        project_id=project.id, name="l-slow", script="steps/slow.py", arguments=f"30 {tag}"
    )
    run = admin.create_job_run(project_id=project.id, job_id=job.id)
    deadline = time.monotonic() + 20
    while "tick 3" not in (
        log := admin.get_job_run_logs(project_id=project.id, job_id=job.id, run_id=run.id)
    ):
        assert time.monotonic() < deadline, f"no ticks in the log yet: {log!r}"
        time.sleep(0.1)
    now = admin.get_job_run(project_id=project.id, job_id=job.id, run_id=run.id)
    assert now.status == "ENGINE_RUNNING"
    admin.stop_job_run(project_id=project.id, job_id=job.id, run_id=run.id)
    _wait_status(admin, project.id, job.id, run.id, "ENGINE_STOPPED")
    assert _gone(tag)


def test_jobs_are_listed_across_projects(admin, project):
    other = admin.create_project(name="jobs-other", template="local", local_path=str(JOBS_FILES))
    mine = admin.create_job(project_id=other.id, name="across-one", script="steps/ok.py")
    found = admin.list_all_jobs(search_filter={"name": "across-"}).jobs
    assert [(j.id, j.project_id) for j in found] == [(mine.id, other.id)]


def test_environment_reaches_the_script(make_server):
    server = make_server()
    server.env.update(LAB_CATALOG_NAME="fleet_catalog", LAB_WAREHOUSE="/data/warehouse")
    server.start()
    admin = server.client()
    project = admin.create_project(
        name="env", template="local", local_path=str(JOBS_FILES), environment={"GREETING": "hi"}
    )
    job = admin.create_job(
        project_id=project.id,
        name="report",
        script="report_env.py",
        arguments="--day '2024-01-02 06:00'",
        environment={"JOB_LEVEL": "job", "GREETING": "job wins"},
    )
    run = admin.create_job_run(
        project_id=project.id, job_id=job.id, environment={"RUN_LEVEL": "run"}
    )
    admin.wait_for_job_run(project_id=project.id, job_id=job.id, run_id=run.id, timeout=60)
    log = admin.get_job_run_logs(project_id=project.id, job_id=job.id, run_id=run.id)
    report = json.loads(log.split("REPORT ", 1)[1].splitlines()[0])
    env = report["env"]
    assert report["cwd"] == str((server.home / "projects" / project.id).resolve())
    assert report["argv"] == ["--day", "2024-01-02 06:00"]
    assert (report["project_name"], report["user"]) == ("env", "admin")
    assert env["GREETING"] == "job wins" and env["JOB_LEVEL"] == "job"
    assert env["RUN_LEVEL"] == "run"
    assert env["LAB_API_URL"] == server.url and env["LAB_PROJECT_ID"] == project.id
    assert env["LAB_HOME"] == str(server.home.resolve())
    assert env["MLFLOW_TRACKING_URI"] == server.env["MLFLOW_TRACKING_URI"]
    assert env["LAB_CATALOG_NAME"] == "fleet_catalog"
    assert env["LAB_WAREHOUSE"] == "/data/warehouse"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["LAB_API_KEY"] != server.admin_key
    with pytest.raises(Unauthorized):  # the run's key is revoked when the run ends
        WorkspaceClient(server.url, env["LAB_API_KEY"]).get_current_user()


def test_schedule_survives_restart_and_a_crash_fails_the_runs_it_left(make_server, tag):
    first = make_server().start()
    admin = first.client()
    project = admin.create_project(name="cron", template="local", local_path=str(JOBS_FILES))
    job = admin.create_job(
        project_id=project.id, name="every-minute", script="steps/ok.py", schedule="* * * * *"
    )
    paused = admin.create_job(
        project_id=project.id, name="paused", script="steps/ok.py", schedule="0 6 * * *",
        paused=True,
    )  # fmt: skip
    assert job.type == "cron" and job.next_run_time
    assert paused.next_run_time is None
    slow = admin.create_job(
        project_id=project.id, name="slow", script="steps/slow.py", arguments=f"60 {tag}"
    )
    run = admin.create_job_run(project_id=project.id, job_id=slow.id)
    _wait_status(admin, project.id, slow.id, run.id, "ENGINE_RUNNING")
    key = first.admin_key

    os.kill(first.process.pid, signal.SIGKILL)  # a crash: no shutdown hook runs
    first.process.wait(timeout=10)
    assert _tagged(tag), "the run should outlive the crashed server until it restarts"

    second = make_server(first.home).start()
    admin = second.client(key)
    again = admin.get_job(project_id=project.id, job_id=job.id)
    next_run = again.next_run_time
    now = datetime.now(UTC)
    assert now < next_run <= now + timedelta(seconds=61)
    assert admin.get_job(project_id=project.id, job_id=paused.id).next_run_time is None
    crashed = admin.get_job_run(project_id=project.id, job_id=slow.id, run_id=run.id)
    assert crashed.status == "ENGINE_FAILED"
    assert "server stopped while the run was running" in crashed.failure_reason
    assert _gone(tag), "the crashed server's run was not killed at restart"
