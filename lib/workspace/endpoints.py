"""A served model's endpoint by the names people use, and load aimed at it.

Why: the operations steps (load, monitoring, redeployment, ground truth) name a project and a
model, never ids, and all of them send their traffic to the same ``POST /model`` route with the
model's access key.
"""

from __future__ import annotations

from typing import Any

from workspace.client import WorkspaceClient
from workspace.lifecycle import Served, find_project, serving
from workspace.load import LoadPlan


def serving_endpoint(client: WorkspaceClient, project: str, model: str) -> Served:
    """The deployment now serving ``model`` in the project called ``project``.

    ``NotFound`` lists the projects (or models) that exist when a name is wrong.
    """
    return serving(client, find_project(client, project).id, model)


def endpoint_load_plan(
    client: WorkspaceClient, served: Served, payloads: Any, **bounds: Any
) -> LoadPlan:
    """A ``LoadPlan`` to the model's endpoint with its access key; ``bounds`` are the plan's
    rate, concurrency, count and duration fields."""
    return LoadPlan(
        url=f"{client.api_url}/model",
        access_key=served.model.access_key,
        payloads=payloads,
        **bounds,
    )
