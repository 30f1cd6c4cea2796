"""Projects in a browser: the list, creating one from a server folder, field errors beside the
field, the environment and collaborators with their roles."""

from __future__ import annotations

import re

import pytest
from console_browser import CONSOLE_FILES

pytestmark = pytest.mark.browser


def test_create_a_project_from_a_server_folder(admin_page, server) -> None:
    page = admin_page
    page.fill("#name", "From the console")
    page.check("input[name=template][value=local]")
    page.fill("#local_path", str(CONSOLE_FILES))
    page.click("text=Create project")
    page.wait_for_url(re.compile(r".*/projects/[0-9a-f-]+$"))
    assert page.locator("h1").inner_text().startswith("From the console")
    assert page.locator("h1 .badge").inner_text() == "success"
    assert page.locator("#role").inner_text() == "admin"
    page.click("text=Projects")
    assert page.locator("#projects a", has_text="From the console").count() == 1
    assert page.offsite == [] and page.errors == []


def test_a_project_without_a_name_or_git_url_is_refused_beside_the_field(admin_page) -> None:
    page = admin_page
    page.check("input[name=template][value=git]")
    page.click("text=Create project")
    assert page.locator("#name-error").inner_text() == "give the project a name"
    page.fill("#name", "No URL")
    page.click("text=Create project")
    assert page.locator("#git_url-error").inner_text() == "template 'git' needs git_url"
    assert page.input_value("#name") == "No URL"  # what was typed stays


def test_environment_and_collaborators_are_edited_on_the_project_page(
    admin_page, admin, console_project
) -> None:
    admin.create_user("ops-console")
    page = admin_page
    page.goto(f"{page.url.rsplit('/', 1)[0]}/projects/{console_project.id}")
    page.fill("#env-text", "REGION=eu\nnot a pair")
    page.click("text=Save environment")
    assert "line 2 is not KEY=value" in page.locator("#environment-error").inner_text()
    page.fill("#env-text", "REGION=eu\nTIER=gold")
    page.click("text=Save environment")
    page.wait_for_url(re.compile(r".*#environment$"))
    assert admin.get_project(project_id=console_project.id).environment == {
        "REGION": "eu",
        "TIER": "gold",
    }
    page.fill("#collab-user", "nobody-here")
    page.click("#collaborators button:has-text('Add')")
    assert page.locator("#collaborator_username-error").inner_text() == (
        "user 'nobody-here' not found"
    )
    page.fill("#collab-user", "ops-console")
    page.select_option("#collab-role", "operator")
    page.click("#collaborators button:has-text('Add')")
    row = page.locator("#collaborators tr", has_text="ops-console")
    assert row.locator("td").nth(1).inner_text() == "operator"
    row.locator("text=Remove").click()
    assert page.locator("#collaborators tr", has_text="ops-console").count() == 0


def test_job_and_model_forms_say_what_is_wrong_beside_the_field(
    admin_page, server, admin, console_project
) -> None:
    page = admin_page
    page.goto(f"{server.url}/projects/{console_project.id}")
    page.fill("#job-name", "nightly")
    page.click("#job-form button")
    assert page.locator("#job_script-error").inner_text() == "give the job a script"
    page.fill("#job-script", "steps/count.py")
    page.fill("#job-schedule", "every night")
    page.click("#job-form button")
    assert "schedule 'every night' is not a valid cron" in page.inner_text("#job_schedule-error")
    assert page.input_value("#job-name") == "nightly"  # what was typed stays, in its own form
    assert page.input_value("#model-name") == ""
    page.fill("#job-schedule", "0 3 * * *")
    page.fill("#job-cpu", "two")
    page.click("#job-form button")
    assert page.inner_text("#job_cpu-error") == "cpu must be a number, not 'two'"
    page.fill("#job-cpu", "1")
    page.select_option("#job-parent_job_id", label="count")
    page.click("#job-form button")
    assert "either a schedule or a parent_job_id" in page.inner_text("#job_schedule-error")
    page.fill("#job-schedule", "")
    page.click("#job-form button")
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]+$"))
    assert page.locator("dt:text-is('Runs after') + dd").inner_text() == "count"

    page.goto(f"{server.url}/projects/{console_project.id}")
    page.fill("#model-name", "half-given")
    page.fill("#model-file_path", "models.py")
    page.click("#model-form button")
    assert "needs file_path and function_name" in page.inner_text("#model_file_path-error")
    page.fill("#model-function_name", "predict")
    page.fill("#model-registered_model_version_id", "iot@champion")
    page.click("#model-form button")
    assert "not both" in page.inner_text("#model_file_path-error")
    names = [m.name for m in admin.list_models(project_id=console_project.id).models]
    assert "half-given" not in names  # a refused build leaves no model behind
    page.fill("#model-name", "greeter")
    page.fill("#model-registered_model_version_id", "")
    page.click("#model-form button")
    assert "already has a model named 'greeter'" in page.inner_text("#model_name-error")
