"""CML's model registry (``create_registered_model``, ``get_registered_model``), kept in the
workspace's MLflow registry.

Why MLflow's own registry: builds already resolve ``name/3`` and ``name@alias`` against it, and
models registered from MLflow's side (``registered_model_name=``) must show here too. What MLflow
has no field for — who registered, the visibility, each version's project — rides on tags.

Why MLflow is imported after start, in the background (``warm``): it takes seconds to import,
which neither the start nor the first user to register a model should wait for; that first
request used to outlast a 15 s client timeout on a loaded machine.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from workspace.server.services.errors import InvalidRequest, NotFound

logger = logging.getLogger(__name__)

OWNER_TAG = "workspace.owner"
VISIBILITY_TAG = "workspace.visibility"
PROJECT_TAG = "workspace.project_id"
OUR_TAGS = (OWNER_TAG, VISIBILITY_TAG, PROJECT_TAG)


@dataclass(frozen=True)
class RegisteredVersion:
    """One MLflow model version, with what CML's ``RegisteredModelVersion`` shows of it."""

    name: str
    number: int
    notes: str
    owner: str
    status: str
    created_ms: int
    updated_ms: int
    experiment_id: str
    run_id: str
    project_id: str
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def version_id(self) -> str:
        """What a build takes as ``registered_model_version_id``."""
        return f"{self.name}/{self.number}"


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    description: str
    owner: str
    visibility: str
    created_ms: int
    updated_ms: int
    versions: list[RegisteredVersion]
    """Newest first: ``model_versions[0]`` is the version just registered."""


class Registry:
    def __init__(self, tracking_uri: str) -> None:
        self.tracking_uri = tracking_uri
        self._lock = threading.Lock()
        self._made: Any = None

    def _client(self) -> Any:
        """One client, made under a lock: making it can create or migrate a database store, and
        two requests doing that at once (the first one slow to import MLflow) break the store."""
        with self._lock:
            if self._made is None:
                from mlflow import MlflowClient

                uri = self.tracking_uri
                client = MlflowClient(tracking_uri=uri, registry_uri=uri)
                client.search_experiments(max_results=1)  # both stores made (and migrated) here,
                client.search_registered_models(max_results=1)  # not lazily by two requests
                self._made = client
            return self._made

    def warm(self) -> bool:
        """Import MLflow and make the client now, so the first registry request does not; a
        failure leaves the client to be made by that request, which reports it."""
        try:
            self._client()
        except Exception as exc:  # the request that needs it will say what is wrong
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            logger.warning("the model registry is not ready yet: %s", first)
            return False
        return True

    def register(
        self,
        *,
        name: str,
        run_id: str,
        model_path: str,
        experiment_id: str,
        project_id: str,
        owner: str,
        description: str = "",
        notes: str = "",
        visibility: str = "PRIVATE",
        tags: dict[str, str] | None = None,
    ) -> RegisteredModel:
        """A new version of ``name`` (created on first use) from the model ``run_id`` logged
        at ``model_path``; refused, with nothing registered, when the run has no such model."""
        from mlflow.exceptions import MlflowException

        client = self._client()
        try:
            run = client.get_run(run_id)
        except MlflowException:
            raise NotFound(f"run '{run_id}' not found in the workspace's MLflow") from None
        if experiment_id and run.info.experiment_id != experiment_id:
            raise InvalidRequest(
                f"run '{run_id}' belongs to experiment '{run.info.experiment_id}', "
                f"not '{experiment_id}'"
            )
        source = self._model_source(client, run, model_path)
        created = False
        try:
            client.create_registered_model(
                name,
                tags={OWNER_TAG: owner, VISIBILITY_TAG: visibility},
                description=description,
            )
            created = True
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise InvalidRequest(f"model_name '{name}': {exc.message}") from None
        version_tags = {**(tags or {}), PROJECT_TAG: project_id, OWNER_TAG: owner}
        try:
            client.create_model_version(
                name, source, run_id=run_id, tags=version_tags, description=notes
            )
        except MlflowException as exc:
            if created:  # nothing half-registered: a name without a version goes too
                client.delete_registered_model(name)
            raise InvalidRequest(f"registering {source} as '{name}': {exc.message}") from None
        return self.get(name)

    @staticmethod
    def _model_source(client: Any, run: Any, model_path: str) -> str:
        """The model the run logged under ``model_path``: an MLflow 3 logged model of that name,
        or an MLflow 2 artifact folder."""
        logged = client.search_logged_models(
            experiment_ids=[run.info.experiment_id],
            filter_string=f"source_run_id = '{run.info.run_id}'",
        )
        for model in logged:
            if model.name == model_path:
                return f"models:/{model.model_id}"
        if client.list_artifacts(run.info.run_id, model_path):
            return f"runs:/{run.info.run_id}/{model_path}"
        raise InvalidRequest(f"run '{run.info.run_id}' logged no model at '{model_path}'")

    @staticmethod
    def _run_or_none(client: Any, run_id: str | None) -> Any:
        """A version's run, or None once the run was deleted (the version outlives it)."""
        from mlflow.exceptions import MlflowException

        if not run_id:
            return None
        try:
            return client.get_run(run_id)
        except MlflowException:
            return None

    def get(self, name: str) -> RegisteredModel:
        from mlflow.exceptions import MlflowException

        client = self._client()
        try:
            model = client.get_registered_model(name)
        except MlflowException:
            raise NotFound(f"registered model '{name}' not found") from None
        owner = model.tags.get(OWNER_TAG, "")
        versions = []
        for v in client.search_model_versions(f"name = '{name}'"):
            run = self._run_or_none(client, v.run_id)
            versions.append(
                RegisteredVersion(
                    name=name,
                    number=int(v.version),
                    notes=v.description or "",
                    owner=v.tags.get(OWNER_TAG, owner),
                    status=str(v.status),
                    created_ms=v.creation_timestamp,
                    updated_ms=v.last_updated_timestamp or v.creation_timestamp,
                    experiment_id=run.info.experiment_id if run else "",
                    run_id=v.run_id or "",
                    project_id=v.tags.get(PROJECT_TAG, ""),
                    tags={k: t for k, t in v.tags.items() if k not in OUR_TAGS},
                )
            )
        versions.sort(key=lambda v: v.number, reverse=True)
        return RegisteredModel(
            name=name,
            description=model.description or "",
            owner=owner,
            visibility=model.tags.get(VISIBILITY_TAG, "PRIVATE"),
            created_ms=model.creation_timestamp,
            updated_ms=model.last_updated_timestamp or model.creation_timestamp,
            versions=versions,
        )

    def version_run_tags(self, version_id: str) -> tuple[str, dict[str, str]]:
        """The run id and run tags of model version ``name/number`` (what it was trained on);
        ``NotFound`` when the version or its run is gone."""
        from mlflow.exceptions import MlflowException

        name, _, number = version_id.rpartition("/")
        client = self._client()
        try:
            version = client.get_model_version(name, number)
        except MlflowException:
            raise NotFound(f"registered model version '{version_id}' not found") from None
        run = self._run_or_none(client, version.run_id)
        if run is None:
            raise NotFound(f"the run of '{version_id}' was deleted")
        return run.info.run_id, dict(run.data.tags)
