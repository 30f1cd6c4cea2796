"""``/docs`` in a browser with the network cut: Swagger UI renders the workspace's API."""

from __future__ import annotations

import pytest
from console_browser import open_page

pytestmark = pytest.mark.browser


def test_the_api_docs_render_offline(chromium, server) -> None:
    page = open_page(chromium, server)
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Logistics MLOps Lab workspace" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-tag", has_text="projects").count() >= 1
    assert page.offsite == [] and page.errors == []
    page.context.close()
