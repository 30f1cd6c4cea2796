"""A prediction's lineage (an extension beside CML's API): one call from a prediction uuid to its
deployment, build, model, MLflow run with parameters, and the table snapshot it learned from."""

from __future__ import annotations

from fastapi import APIRouter

from workspace import schemas
from workspace.server.api.deps import CurrentUser, ServicesDep, SessionDep, role_in
from workspace.server.services.prediction_lineage import trace_prediction

router = APIRouter(prefix="/predictions", tags=["lineage"])


@router.get("/{prediction_uuid}/lineage", response_model=schemas.PredictionLineage)
def get_prediction_lineage(
    prediction_uuid: str, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> schemas.PredictionLineage:
    """Any role in the deployment's project may read it; for anyone else the prediction does
    not exist (404, as for an unknown uuid), so no other project's traffic leaks."""
    services.telemetry.flush()  # the caller's latest predictions are still buffered
    return trace_prediction(
        session,
        prediction_uuid,
        visible=lambda project: role_in(session, user, project) is not None,
        tracking_uri=services.settings.mlflow_tracking_uri,
    )
