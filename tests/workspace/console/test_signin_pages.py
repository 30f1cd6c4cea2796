"""Signing in and out of the console in a browser: a wrong key stays on the sign-in page with a
message beside the field, the right one opens the projects, and signing out ends the session."""

from __future__ import annotations

import re

import pytest
from console_browser import open_page, sign_in

pytestmark = pytest.mark.browser


def test_a_wrong_key_is_refused_beside_the_field(chromium, server) -> None:
    page = open_page(chromium, server)
    page.goto(f"{server.url}/projects")
    page.wait_for_url(re.compile(r".*/signin\?next=/projects$"))
    page.fill("#api_key", "not-a-key")
    page.click("button[type=submit]")
    assert page.locator("#api_key-error").inner_text() == "that API key is not valid: check it"
    assert page.get_attribute("#api_key", "aria-invalid") == "true"
    assert "/signin" in page.url
    assert page.offsite == [] and page.errors == []
    page.context.close()


def test_signing_in_opens_the_page_asked_for_and_signing_out_ends_it(chromium, server) -> None:
    page = open_page(chromium, server)
    page.goto(f"{server.url}/models")
    page.fill("#api_key", server.admin_key)
    page.keyboard.press("Enter")  # the form works from the keyboard
    page.wait_for_url(f"{server.url}/models")
    assert page.locator("h1").inner_text() == "Models"
    assert page.locator(".user").inner_text() == "admin"
    page.click("text=Sign out")
    page.wait_for_url(f"{server.url}/signin")
    page.goto(f"{server.url}/projects")
    page.wait_for_url(re.compile(r".*/signin\?next=/projects.*"))
    page.context.close()


def test_the_keyboard_reaches_the_skip_link_then_the_menu(admin_page, server) -> None:
    page = admin_page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.goto(f"{server.url}/projects")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Projects"


def test_the_pages_read_at_phone_width(chromium, server) -> None:
    page = open_page(chromium, server, width=390, height=800)
    sign_in(page, server, server.admin_key)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.locator("#new-project").is_visible()
    page.context.close()
