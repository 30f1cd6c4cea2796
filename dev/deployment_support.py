"""What steps 03 and 04 share: wire flags, the PRD folder and the snapshot into a deployment.

Why a module beside the scripts: both deploy a file-based PRD model the same way and only differ
in names, entry points and test requests; the lifecycle itself lives in ``workspace.lifecycle``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

PRD_DIR = Path(__file__).resolve().parents[1] / "prd"


def deploy_prd_model(
    args: argparse.Namespace,
    *,
    description: str,
    file_path: str,
    function_name: str,
    test_request: dict[str, Any],
) -> tuple[Any, Any]:
    """Create or reuse the PRD project and model, build, deploy, wait, send a test request."""
    from logistics.snapshots import snapshot_info
    from workspace.client import WorkspaceClient, WorkspaceError
    from workspace.lifecycle import build_and_deploy, ensure_model, ensure_project

    try:
        snapshot = snapshot_info("fleet_telemetry")
        client = WorkspaceClient()
        project = ensure_project(
            client, args.project, PRD_DIR, description="Production models of the logistics lab"
        )
        model = ensure_model(client, project.id, args.model, description=description)
        print(f"building {args.model} ({file_path}:{function_name}) in project {project.name}...")
        served = build_and_deploy(
            client,
            project.id,
            model,
            cpu=args.cpu,
            memory=args.memory,
            replicas=args.replicas,
            environment={"LAB_SNAPSHOT_ID": str(snapshot.snapshot_id)},
            file_path=file_path,
            function_name=function_name,
            kernel="python3",
        )
        answer = client.call_model(served.model.access_key, test_request)
    except (WorkspaceError, LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print(
        f"deployed {args.model}: build {served.build.id}, deployment {served.deployment.id} "
        f"({served.deployment.cpu:g} vCPU, {served.deployment.memory:g} GB, "
        f"{served.deployment.replicas} replica(s)) on snapshot {snapshot.snapshot_id}"
    )
    print(f"endpoint   POST {client.api_url}/model")
    print(f"access key {served.model.access_key}")
    print(f"test reply from replica {answer.get('ReplicaID')}")
    response = answer.get("response")
    if isinstance(response, dict) and "prediction" in response:
        response = response["prediction"]
    return served, response
