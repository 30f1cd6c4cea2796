"""``python -m workspace.server``: run the server in the foreground (what `workspace up` spawns)."""

from __future__ import annotations

import sys

import uvicorn

from workspace.core.config import get_settings
from workspace.server.app import create_app
from workspace.server.isolation import RunAsUnusable, account_for_user_code
from workspace.serving.choice import ServingSettingError, check_serving_settings


def main() -> None:
    settings = get_settings()
    if settings.run_as_user:  # a named account that cannot run user code stops the start here
        try:
            account_for_user_code(settings)
        except RunAsUnusable as exc:
            sys.exit(f"workspace: {exc}")
    try:
        check_serving_settings(settings)
    except ServingSettingError as exc:
        sys.exit(f"workspace server: {exc}")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,  # one log line per model request would cost more than serving it
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
