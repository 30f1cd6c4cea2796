"""What an autoscaling policy did to a deployment: its decisions in words and the count over time.

Why apart from ``workspace.monitoring``: monitoring reads traffic the endpoint served; this reads
the deployment's history (``list_deployment_events``), which says why the replica count moved,
so the traffic plots and this one can be read side by side.

Example::

    served = serving_endpoint(client, "logistics-prd", "TimeSeriesQuery")
    events = scaling_events(client, served, since_ms=0)
    print(format_decisions(served.deployment, events))
    save_replicas_plot(events, out_dir, title="TimeSeriesQuery")
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workspace.schemas import DeploymentEvent, DeploymentOut

if TYPE_CHECKING:
    from workspace.client import WorkspaceClient
    from workspace.lifecycle import Served

AUTOSCALING = "autoscaling"


def scaling_events(client: WorkspaceClient, served: Served, *, since_ms: int) -> list:
    """The deployment's autoscaling decisions since ``since_ms``, oldest first."""
    return client.list_deployment_events(
        project_id=served.project_id,
        model_id=served.model.id,
        build_id=served.build.id,
        deployment_id=served.deployment.id,
        kind=AUTOSCALING,
        start_timestamp_ms=since_ms,
    ).events


def format_decisions(deployment: DeploymentOut, events: list[DeploymentEvent]) -> str:
    """The policy, the count now, and one line per decision (time, change, reason)."""
    lines = [
        f"replication: {deployment.replication_policy.describe()}; "
        f"{deployment.replicas} replica(s) now"
    ]
    if deployment.replication_policy.autoscaling and not events:
        lines.append("  no scaling decision in this window")
    for event in events:
        when = datetime.fromtimestamp(event.timestamp_ms / 1000, UTC).strftime("%H:%M:%S")
        lines.append(f"  {when}  {event.message}")
    return "\n".join(lines)


def save_replicas_plot(events: list[DeploymentEvent], out_dir: Path, title: str) -> Path | None:
    """The replica count the policy set over time, as a step plot; None without decisions."""
    if not events:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    times = [datetime.fromtimestamp(e.timestamp_ms / 1000, UTC) for e in events]
    counts: list[Any] = [e.details.get("desired") for e in events]
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.step(times, counts, where="post", label="replicas (desired)")
    ax.plot(times, [e.details.get("current") for e in events], ".", label="replicas before")
    ax.set_ylabel("replicas")
    ax.legend()
    fig.suptitle(f"{title} · autoscaling decisions")
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "autoscaling.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
