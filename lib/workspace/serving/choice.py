"""Which serving backend the server runs, from ``LAB_SERVING_BACKEND`` (``local`` or ``ray``).

Why a check apart from construction: a bad setting must stop ``python -m workspace.server`` with
one line before it listens, not surface as a traceback from inside its startup.
"""

from __future__ import annotations

from workspace.core.config import WorkspaceSettings
from workspace.serving.backend import ServingBackend


class ServingSettingError(RuntimeError):
    """A serving setting that cannot work; its message is the one line the user sees."""


def check_serving_settings(settings: WorkspaceSettings) -> None:
    """Raise ``ServingSettingError`` when the chosen backend cannot start (a Ray address that is
    missing or where nothing answers)."""
    if settings.serving_backend != "ray":
        return
    if not settings.ray_address:
        raise ServingSettingError("LAB_SERVING_BACKEND=ray needs LAB_RAY_ADDRESS (host:port)")
    from workspace.serving.ray_connection import RayUnreachable, check_reachable

    try:
        check_reachable(settings.ray_address)
    except RayUnreachable as exc:
        raise ServingSettingError(str(exc)) from None


def make_backend(settings: WorkspaceSettings) -> ServingBackend:
    """The chosen backend; each deployment's spec names the account its local replicas run as
    (Ray runs its own workers)."""
    if settings.serving_backend == "ray":
        check_serving_settings(settings)
        from workspace.serving.ray_backend import RayServeBackend

        assert settings.ray_address is not None
        return RayServeBackend(settings.ray_address, serve_port=settings.ray_serve_port)
    from workspace.serving.local_backend import LocalProcessBackend

    return LocalProcessBackend(settings.replicas_dir)
