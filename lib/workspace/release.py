"""Release a model into a project: project and model found or created, a build deployed, one call.

Why one function: every deployment step does the same journey (the project from a folder the
first time, the model once, then a new build and its deployment, waited for, and a test request
to prove the endpoint answers); only the names, the build's entry point or registered version and
the environment differ, and those are the caller's parameters.

Example::

    release = release_model(
        WorkspaceClient(),
        ModelRelease(
            project="logistics-prd", project_dir=Path("prd"), model="TimeSeriesQuery",
            build={"file_path": "ts_query_serve.py", "function_name": "predict"},
        ),
        test_request={"pattern": [54, 53, 52, 51]},
    )
    print(release.format())
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workspace.client import WorkspaceClient
from workspace.lifecycle import Served, build_and_deploy, ensure_model, ensure_project


@dataclass(frozen=True)
class ModelRelease:
    """What to release and with which resources; ``build`` holds the build's own fields
    (``file_path`` + ``function_name`` + ``kernel``, or ``registered_model_version_id``)."""

    project: str
    project_dir: Path
    model: str
    build: dict[str, Any]
    project_description: str = ""
    model_fields: dict[str, Any] = field(default_factory=dict)
    cpu: float = 1.0
    memory: float = 2.0
    replicas: int = 1
    environment: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Release:
    """A model now serving, and its endpoint's answer to the test request."""

    served: Served
    answer: dict[str, Any]
    endpoint: str

    @property
    def response(self) -> Any:
        """The model's own answer, unwrapped from the endpoint's ``prediction`` field if any."""
        response = self.answer.get("response")
        if isinstance(response, dict) and "prediction" in response:
            return response["prediction"]
        return response

    def format(self, *, serving_from: str = "") -> str:
        """What was deployed, where to call it and with which key; ``serving_from`` names the
        data it serves (e.g. ``snapshot 42``)."""
        d = self.served.deployment
        source = f" on {serving_from}" if serving_from else ""
        return "\n".join(
            [
                f"deployed {self.served.model.name}: build {self.served.build.id}, deployment "
                f"{d.id} ({d.cpu:g} vCPU, {d.memory:g} GB, {d.replicas} replica(s)){source}",
                f"endpoint   POST {self.endpoint}",
                f"access key {self.served.model.access_key}",
                f"test reply from replica {self.answer.get('ReplicaID')}",
            ]
        )


def release_model(
    client: WorkspaceClient,
    spec: ModelRelease,
    *,
    test_request: Any,
    on_building: Callable[[str], None] | None = None,
) -> Release:
    """Find or create the project and model, build and deploy, wait, then call the endpoint once.

    ``on_building`` hears one line when the build starts (builds take a while). Raises the
    client's errors (``BuildFailed``, ``DeploymentFailed``...) with the reason and log tail.
    """
    project = ensure_project(
        client, spec.project, spec.project_dir, description=spec.project_description
    )
    model = ensure_model(client, project.id, spec.model, **spec.model_fields)
    if on_building is not None:
        on_building(
            f"building {spec.model} ({_entry_point(spec.build)}) in project {project.name}..."
        )
    served = build_and_deploy(
        client,
        project.id,
        model,
        cpu=spec.cpu,
        memory=spec.memory,
        replicas=spec.replicas,
        environment=spec.environment,
        **spec.build,
    )
    answer = client.call_model(served.model.access_key, test_request)
    return Release(served, answer, f"{client.api_url}/model")


def _entry_point(build: dict[str, Any]) -> str:
    if "registered_model_version_id" in build:
        return str(build["registered_model_version_id"])
    return f"{build.get('file_path')}:{build.get('function_name')}"
