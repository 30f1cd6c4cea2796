"""One settings class for the workspace server, its client and its CLI, read from ``LAB_*``.

Why one class: the server, the CLI that starts it and the replicas it launches must agree on where
state lives (LAB_HOME) and where the API answers (LAB_API_URL), or a script talks to nobody.

Example::

    from workspace.core.config import get_settings
    settings = get_settings()
    settings.lab_home           # .lab/ in the checkout unless LAB_HOME is set
    settings.server_url         # http://127.0.0.1:8780
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CHECKOUT_ROOT = Path(__file__).resolve().parents[3]
"""The checkout this package was installed from (editable install)."""

MB = 1024 * 1024


class WorkspaceSettings(BaseSettings):
    """Every field is a ``LAB_`` environment variable (``home`` is ``LAB_HOME``)."""

    model_config = SettingsConfigDict(env_prefix="LAB_", extra="ignore")

    home: Path = Field(default=CHECKOUT_ROOT / ".lab", description="Runtime state folder.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the workspace database; default a SQLite file in LAB_HOME.",
    )
    host: str = Field(default="127.0.0.1", description="Interface the server listens on.")
    port: int = Field(default=8780, description="Port the server listens on.")
    api_url: str | None = Field(
        default=None, description="Where clients reach the server; default http://host:port."
    )
    api_key: str | None = Field(default=None, description="Bearer API key clients send.")
    project_id: str | None = Field(default=None, description="Default project of client calls.")
    run_as_user: str | None = Field(
        default=None,
        description="Unprivileged account user code runs as, or 'per-project' for an account "
        "per project (a root server); default nobody when the server is root and nobody can run "
        "its Python, else the server's own account.",
    )
    mlflow_port: int = Field(default=8781, description="Port of the MLflow server `up` starts.")
    max_body_bytes: int = Field(default=5 * MB, description="Model request body cap (CML: 5 MB).")
    request_timeout_s: float = Field(default=60.0, description="Model request timeout in seconds.")
    build_timeout_s: float = Field(default=300.0, description="Import-check time limit per build.")
    deploy_timeout_s: float = Field(
        default=300.0, description="Time replicas get to become ready before a deployment fails."
    )
    metrics_flush_s: float = Field(default=0.5, description="How often request metrics are saved.")
    console_session_s: float = Field(
        default=8 * 3600.0, description="How long a console sign-in lasts, in seconds."
    )
    sampler_interval_s: float = Field(
        default=5.0, description="How often replica CPU and memory use is sampled."
    )
    autoscale_interval_s: float = Field(
        default=2.0, gt=0, description="How often autoscaling policies are evaluated."
    )
    autoscale_window_s: float = Field(
        default=10.0, gt=0, description="Recent traffic an autoscaling decision observes."
    )
    autoscale_cooldown_s: float = Field(
        default=60.0,
        ge=0,
        description="How long load must stay lower before an autoscaling policy removes replicas.",
    )
    metrics_retention_days: float = Field(
        default=30.0, description="How long prediction metrics (and aggregates) are kept."
    )
    samples_retention_days: float = Field(
        default=7.0, description="How long replica CPU and memory samples are kept."
    )
    retention_purge_s: float = Field(
        default=600.0, description="How often rows past their retention are deleted."
    )
    api_max_body_bytes: int = Field(
        default=1 * MB, description="Request body cap of /api/v2, checked after the key."
    )
    max_json_depth: int = Field(
        default=64, description="Deepest JSON nesting /api/v2 and /model accept."
    )
    metrics_public: bool = Field(
        default=False, description="Serve /metrics without a bearer key (Prometheus)."
    )
    project_roots: str | None = Field(
        default=None,
        description="Server folders (os.pathsep-separated) local projects may come from; "
        "default the checkout.",
    )
    project_max_bytes: int = Field(
        default=512 * MB, description="Largest project copy or build snapshot."
    )
    serving_backend: Literal["local", "ray"] = Field(
        default="local",
        description="Where replicas run: local processes, or Ray Serve on LAB_RAY_ADDRESS.",
    )
    ray_address: str | None = Field(
        default=None, description="host:port of the Ray head (GCS) the ray backend joins."
    )
    ray_serve_port: int = Field(
        default=8782, description="Port of Ray Serve's HTTP proxy (bound to 127.0.0.1)."
    )

    @property
    def lab_home(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.lab_home / 'workspace.db'}"

    @property
    def server_url(self) -> str:
        """The URL clients use: LAB_API_URL, else the address the server listens on."""
        if self.api_url:
            return self.api_url.rstrip("/")
        host = "127.0.0.1" if self.host in {"0.0.0.0", "::"} else self.host
        return f"http://{host}:{self.port}"

    @property
    def mlflow_tracking_uri(self) -> str:
        """MLFLOW_TRACKING_URI when the user points at their own server, else the one we start."""
        return os.environ.get("MLFLOW_TRACKING_URI") or f"http://127.0.0.1:{self.mlflow_port}"

    @property
    def manages_mlflow(self) -> bool:
        """True when the workspace starts MLflow itself (no MLFLOW_TRACKING_URI given)."""
        return not os.environ.get("MLFLOW_TRACKING_URI")

    @property
    def project_source_roots(self) -> list[Path]:
        """The folders site admins may create projects from (LAB_PROJECT_ROOTS, else the
        checkout, whose dev/, prd/ and mlflow_project/ are the lab's own projects)."""
        raw = self.project_roots if self.project_roots is not None else str(CHECKOUT_ROOT)
        return [Path(p).expanduser().resolve() for p in raw.split(os.pathsep) if p.strip()]

    @property
    def projects_dir(self) -> Path:
        return self.lab_home / "projects"

    @property
    def builds_dir(self) -> Path:
        return self.lab_home / "builds"

    @property
    def replicas_dir(self) -> Path:
        return self.lab_home / "replicas"

    @property
    def envs_dir(self) -> Path:
        """Python environments: ``projects/<project id>`` and ``builds/<recipe hash>``."""
        return self.lab_home / "envs"

    @property
    def logs_dir(self) -> Path:
        return self.lab_home / "logs"

    @property
    def mlflow_dir(self) -> Path:
        return self.lab_home / "mlflow"

    @property
    def pid_file(self) -> Path:
        return self.lab_home / "workspace.pid"

    @property
    def credentials_file(self) -> Path:
        """The admin key written on first start (mode 0600) for scripts on this machine."""
        return self.lab_home / "credentials.json"


@lru_cache(maxsize=1)
def get_settings() -> WorkspaceSettings:
    """The process-wide settings; tests clear the cache after changing the environment."""
    return WorkspaceSettings()
