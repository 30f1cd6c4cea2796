"""What the registry steps (02, 05) share: find the logged model, deploy or redeploy an alias.

Why beside the scripts: they wire MLflow's registry to the workspace client; the lifecycle itself
(find or create, wait, safe redeploy) lives in ``workspace.lifecycle``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent
SEED_REQUEST = {
    "dataframe_split": {
        "columns": ["iot_signal_1", "iot_signal_2", "iot_signal_3", "iot_signal_4"],
        "data": [[35.5, 200.5, 30.5, 14.5]],
    }
}


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(1)


def latest_logged_model(experiment: str) -> str:
    """URI of the newest model logged in ``experiment`` (step 01's)."""
    import mlflow
    from logistics.tracking import configure_tracking

    configure_tracking()
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        fail(f"no MLflow experiment {experiment!r}: run mlflow_project/01_train_xgboost.py first")
    models = mlflow.search_logged_models(
        experiment_ids=[found.experiment_id],
        max_results=1,
        output_format="list",
        order_by=[{"field_name": "creation_timestamp", "ascending": False}],
    )
    if not models:
        fail(f"experiment {experiment!r} has no logged model: run 01_train_xgboost.py first")
    return models[0].model_uri


def deploy_alias(
    args: argparse.Namespace, alias: str, test_request: dict[str, Any]
) -> tuple[Any, Any]:
    """Create (once) the model and a build of ``name@alias``, deploy, wait, send one request."""
    from logistics.tracking import configure_tracking
    from workspace.client import WorkspaceClient, WorkspaceError
    from workspace.lifecycle import build_and_deploy, ensure_model, ensure_project

    configure_tracking()
    try:
        client = WorkspaceClient()
        project = ensure_project(
            client,
            args.project,
            PROJECT_DIR,
            description="XGBoost IoT failure classifier via the MLflow registry",
        )
        model = ensure_model(
            client,
            project.id,
            args.model_name,
            registered_model_id=args.model_name,
            description="IoT failure classifier (XGBoost)",
        )
        served = build_and_deploy(
            client,
            project.id,
            model,
            cpu=args.cpu,
            memory=args.memory,
            replicas=args.replicas,
            registered_model_version_id=f"{args.model_name}@{alias}",
        )
        answer = client.call_model(served.model.access_key, test_request)
    except WorkspaceError as exc:
        fail(str(exc))
        raise
    print(
        f"deployed {args.model_name} ({served.build.registered_model_version_id}) as deployment "
        f"{served.deployment.id}; endpoint POST {client.api_url}/model, access key "
        f"{served.model.access_key}, replica {answer.get('ReplicaID')}"
    )
    return served, answer


def redeploy_alias(args: argparse.Namespace, alias: str) -> tuple[Any, Any]:
    """Rebuild ``name@alias`` (pinning its current version) and cut over to it."""
    from logistics.tracking import configure_tracking
    from workspace.client import WorkspaceClient, WorkspaceError
    from workspace.lifecycle import find_project, redeploy, serving

    configure_tracking()
    try:
        client = WorkspaceClient()
        project = find_project(client, args.project)
        before = serving(client, project.id, args.model_name)
        after = redeploy(
            client,
            before,
            cpu=args.cpu,
            memory=args.memory,
            replicas=args.replicas,
            registered_model_version_id=f"{args.model_name}@{alias}",
        )
    except WorkspaceError as exc:
        fail(str(exc))
        raise
    return before, after
