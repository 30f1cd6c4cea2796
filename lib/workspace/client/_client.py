"""``WorkspaceClient``: cmlapi's method names and request fields over the workspace REST API."""

from __future__ import annotations

import json
import os
from typing import Any

from workspace.client import _models as m
from workspace.client._errors import BadRequest
from workspace.client._http import HttpSession
from workspace.client._jobs import JobsMixin
from workspace.client._models import request_body as _body
from workspace.client._waiting import WaitingMixin

V2 = "/api/v2"


class WorkspaceClient(JobsMixin, WaitingMixin):
    """Talk to a workspace as cmlapi talks to CML.

    Example::

        client = WorkspaceClient()                     # LAB_API_URL, LAB_API_KEY from the env
        project = client.create_project(name="PRD", template="local", local_path="prd")
        model = client.create_model(project_id=project.id, name="TimeSeriesQuery")
        build = client.create_model_build(project_id=project.id, model_id=model.id,
                                          file_path="model_tsq.py", function_name="predict")
        client.wait_for_build(project.id, model.id, build.id)
    """

    def __init__(
        self,
        api_url: str | None = None,
        api_key: str | None = None,
        *,
        project_id: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.http = HttpSession(api_url, api_key, timeout)
        self.project_id = project_id or os.environ.get("LAB_PROJECT_ID")

    @property
    def api_url(self) -> str:
        return self.http.api_url

    def _pid(self, project_id: str | None) -> str:
        pid = project_id or self.project_id
        if not pid:
            raise BadRequest("project_id is required (or set LAB_PROJECT_ID)")
        return pid

    def _build_path(self, project_id: str | None, model_id: str, build_id: str) -> str:
        return f"{V2}/projects/{self._pid(project_id)}/models/{model_id}/builds/{build_id}"

    @staticmethod
    def _list_params(kw: dict[str, Any]) -> dict[str, Any]:
        search = kw.get("search_filter")
        if isinstance(search, dict):
            kw["search_filter"] = json.dumps(search)
        return kw

    # users and health
    def health(self) -> dict[str, Any]:
        return self.http.request("GET", f"{V2}/health")

    def create_user(self, username: str, *, is_admin: bool = False) -> m.User:
        body = {"username": username, "is_admin": is_admin}
        return m.User.from_dict(self.http.request("POST", f"{V2}/users", json_body=body))

    def get_current_user(self) -> m.User:
        return m.User.from_dict(self.http.request("GET", f"{V2}/users/me"))

    # projects
    def create_project(self, body: Any = None, **fields: Any) -> m.Project:
        data = _body(body, fields)
        return m.Project.from_dict(self.http.request("POST", f"{V2}/projects", json_body=data))

    def list_projects(self, **params: Any) -> Any:
        data = self.http.request("GET", f"{V2}/projects", params=self._list_params(params))
        return m.ListProjectsResponse.from_dict(data)

    def get_project(self, project_id: str | None = None) -> m.Project:
        return m.Project.from_dict(
            self.http.request("GET", f"{V2}/projects/{self._pid(project_id)}")
        )

    def update_project(self, body: Any = None, project_id: str | None = None, **fields: Any):
        path = f"{V2}/projects/{self._pid(project_id)}"
        return m.Project.from_dict(self.http.request("PATCH", path, json_body=_body(body, fields)))

    def delete_project(self, project_id: str | None = None) -> None:
        self.http.request("DELETE", f"{V2}/projects/{self._pid(project_id)}")

    def add_project_collaborator(
        self, body: Any = None, project_id: str | None = None, username: str = "", **fields: Any
    ) -> m.Collaborator:
        path = f"{V2}/projects/{self._pid(project_id)}/collaborators/{username}"
        data = self.http.request("PUT", path, json_body=_body(body, fields))
        return m.Collaborator.from_dict(data)

    def list_project_collaborators(self, project_id: str | None = None) -> Any:
        path = f"{V2}/projects/{self._pid(project_id)}/collaborators"
        return m.ListProjectCollaboratorsResponse.from_dict(self.http.request("GET", path))

    # models
    def create_model(self, body: Any = None, project_id: str | None = None, **fields: Any):
        data = _body(body, fields)
        pid = self._pid(project_id or data.pop("project_id", None))
        answer = self.http.request("POST", f"{V2}/projects/{pid}/models", json_body=data)
        return m.Model.from_dict(answer)

    def list_models(self, project_id: str | None = None, **params: Any) -> Any:
        path = f"{V2}/projects/{self._pid(project_id)}/models"
        data = self.http.request("GET", path, params=self._list_params(params))
        return m.ListModelsResponse.from_dict(data)

    def get_model(self, project_id: str | None, model_id: str) -> m.Model:
        path = f"{V2}/projects/{self._pid(project_id)}/models/{model_id}"
        return m.Model.from_dict(self.http.request("GET", path))

    # builds
    def create_model_build(
        self,
        body: Any = None,
        project_id: str | None = None,
        model_id: str | None = None,
        **fields: Any,
    ) -> m.ModelBuild:
        data = _body(body, fields)
        pid = self._pid(project_id or data.pop("project_id", None))
        mid = model_id or data.pop("model_id", None)
        path = f"{V2}/projects/{pid}/models/{mid}/builds"
        return m.ModelBuild.from_dict(self.http.request("POST", path, json_body=data))

    def list_model_builds(self, project_id: str | None, model_id: str, **params: Any) -> Any:
        path = f"{V2}/projects/{self._pid(project_id)}/models/{model_id}/builds"
        data = self.http.request("GET", path, params=self._list_params(params))
        return m.ListModelBuildsResponse.from_dict(data)

    def get_model_build(self, project_id: str | None, model_id: str, build_id: str):
        data = self.http.request("GET", self._build_path(project_id, model_id, build_id))
        return m.ModelBuild.from_dict(data)

    def get_model_build_logs(self, project_id: str | None, model_id: str, build_id: str) -> str:
        path = self._build_path(project_id, model_id, build_id) + "/logs"
        return self.http.request("GET", path)["log"]

    # deployments
    def create_model_deployment(
        self,
        body: Any = None,
        project_id: str | None = None,
        model_id: str | None = None,
        build_id: str | None = None,
        **fields: Any,
    ) -> m.ModelDeployment:
        data = _body(body, fields)
        pid = project_id or data.pop("project_id", None)
        mid, bid = model_id or data.pop("model_id", None), build_id or data.pop("build_id", None)
        path = self._build_path(pid, mid, bid) + "/deployments"
        return m.ModelDeployment.from_dict(self.http.request("POST", path, json_body=data))

    def list_model_deployments(
        self, project_id: str | None, model_id: str, build_id: str, **params: Any
    ) -> Any:
        path = self._build_path(project_id, model_id, build_id) + "/deployments"
        data = self.http.request("GET", path, params=self._list_params(params))
        return m.ListModelDeploymentsResponse.from_dict(data)

    def _deployment(self, method: str, pid, mid, bid, did, suffix: str = "") -> Any:
        path = f"{self._build_path(pid, mid, bid)}/deployments/{did}{suffix}"
        return self.http.request(method, path)

    def get_model_deployment(self, project_id, model_id, build_id, deployment_id):
        data = self._deployment("GET", project_id, model_id, build_id, deployment_id)
        return m.ModelDeployment.from_dict(data)

    def stop_model_deployment(self, project_id, model_id, build_id, deployment_id):
        data = self._deployment("POST", project_id, model_id, build_id, deployment_id, ":stop")
        return m.ModelDeployment.from_dict(data)

    def restart_model_deployment(self, project_id, model_id, build_id, deployment_id):
        data = self._deployment("POST", project_id, model_id, build_id, deployment_id, ":restart")
        return m.ModelDeployment.from_dict(data)

    def list_model_replicas(self, project_id, model_id, build_id, deployment_id) -> Any:
        data = self._deployment("GET", project_id, model_id, build_id, deployment_id, "/replicas")
        return m.ListModelReplicasResponse.from_dict(data)

    def read_replica_metrics(self, project_id, model_id, build_id, deployment_id) -> list[dict]:
        suffix = "/replica_metrics"
        data = self._deployment("GET", project_id, model_id, build_id, deployment_id, suffix)
        return data["replica_metrics"]

    # metrics and the endpoint
    def read_metrics(self, **params: Any) -> Any:
        """Per-prediction rows by model_crn / model_deployment_crn / time range (CML shape)."""
        return m.ReadMetricsResponse.from_dict(
            self.http.request("GET", f"{V2}/metrics", params=params)
        )

    def track_delayed_metrics(self, metrics: dict[str, Any], prediction_uuid: str) -> None:
        body = {"metrics": metrics, "prediction_uuid": prediction_uuid}
        self.http.request("POST", f"{V2}/metrics/delayed", json_body=body)

    def track_aggregate_metrics(self, metrics: dict[str, Any], **window: Any) -> None:
        body = {"metrics": metrics, **window}
        self.http.request("POST", f"{V2}/metrics/aggregate", json_body=body)

    def call_model(self, access_key: str, request: Any, *, timeout: float | None = None) -> Any:
        """POST /model; returns the whole CML answer ``{"success", "response", "ReplicaID"}``."""
        body = {"accessKey": access_key, "request": request}
        return self.http.request("POST", "/model", json_body=body, timeout=timeout)
