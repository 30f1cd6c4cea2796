"""Redeploy from the console: the old deployment stops only once the new one serves.

Why wait: the model endpoint routes to the newest deployed deployment, so traffic moves when the
new one is ready; stopping the old one first would leave the model without replicas meanwhile.
A new deployment that fails leaves the old one serving.
"""

from __future__ import annotations

import time

from workspace.server.storage import tables as db
from workspace.server.wiring import Services

POLL_S = 0.5


def cut_over(
    services: Services, old_id: str, new_id: str, *, timeout_s: float | None = None
) -> str:
    """Wait for ``new_id`` to end deploying; stop ``old_id`` if it is deployed. The new status."""
    deadline = time.monotonic() + (timeout_s or services.settings.deploy_timeout_s + 60)
    while time.monotonic() < deadline and not services.stopping.is_set():
        with services.sessions() as session:
            new = session.get(db.Deployment, new_id)
            status = new.status if new else "missing"
        if status == "deployed":
            services.deployer.stop(old_id)
            return status
        if status not in ("pending", "deploying"):
            return status
        time.sleep(POLL_S)
    return "timed out"
