"""A project's jobs in a browser: the dependency graph, run now, a log that grows on the page
while the run runs, its status and duration when it ends, and stopping a run."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_the_jobs_are_drawn_as_a_graph_parent_before_child(admin_page, server, console_project):
    page = admin_page
    page.goto(f"{server.url}/projects/{console_project.id}")
    boxes = {
        name: page.locator(f"g.node[data-job={name}] rect").get_attribute("x")
        for name in ("count", "report")
    }
    assert int(boxes["count"]) < int(boxes["report"])
    assert page.locator("svg.job-graph line.edge").count() == 1


def test_run_now_shows_the_log_growing_until_the_run_succeeds(admin_page, server, console_project):
    page = admin_page
    page.goto(f"{server.url}/projects/{console_project.id}/jobs/{console_project.count_job}")
    page.click("main button:has-text('Run now')")
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f-]+$"))
    assert page.locator("#log-following").inner_text() == "following…"
    page.wait_for_function("document.getElementById('log').textContent.includes('count 3')")
    partial = page.locator("#log").inner_text()
    assert "done counting" not in partial  # seen while the run was still running
    page.wait_for_selector("#run-status [data-status=succeeded]", timeout=60_000)
    log = page.locator("#log").inner_text()
    assert log.count("\ncount ") == 15 and "count 15\ndone counting" in log
    assert page.locator("#log-following").inner_text() == "run ended"
    page.reload()
    assert re.fullmatch(r"\d+s", page.locator("#run-duration").inner_text())
    assert page.offsite == [] and page.errors == []


def test_a_running_run_is_stopped_from_its_page(admin_page, server, admin, console_project):
    long_job = admin.create_job(
        project_id=console_project.id, name="long count", script="steps/count.py",
        arguments="500",
    )  # fmt: skip
    page = admin_page
    page.goto(f"{server.url}/projects/{console_project.id}/jobs/{long_job.id}")
    page.click("main button:has-text('Run now')")
    page.wait_for_function("document.getElementById('log').textContent.includes('count 2')")
    page.click("#stop-form button")
    page.wait_for_selector("#run-status [data-status=stopped]", timeout=30_000)
    page.goto(f"{server.url}/projects/{console_project.id}/jobs/{long_job.id}")
    assert page.locator("#runs .badge").first.inner_text() == "stopped"


def test_the_runs_table_follows_a_run_to_its_end_without_a_reload(
    admin_page, server, admin, console_project
) -> None:
    run = admin.create_job_run(project_id=console_project.id, job_id=console_project.count_job)
    page = admin_page
    page.goto(f"{server.url}/projects/{console_project.id}/jobs/{console_project.count_job}")
    link = page.locator(f"a:text-is('{run.id[:8]}')")
    assert link.count() == 1
    status = page.locator("#runs tr", has=link).locator(".badge")
    assert status.inner_text() in ("scheduling", "starting", "running")
    page.wait_for_selector(f"#runs tr:has(a:text-is('{run.id[:8]}')) [data-status=succeeded]",
                           timeout=60_000)  # fmt: skip
