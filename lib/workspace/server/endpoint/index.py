"""Access key → what the model endpoint needs to serve that model, held in memory.

Why in memory: at a thousand requests a second the access-key lookup must be a dict hit; the index
is rebuilt for one model whenever its deployments change state (a redeploy cuts over once the new
deployment is deployed), never read from the database on the request path.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from workspace.core.security import hash_key
from workspace.schemas.states import DeploymentStatus
from workspace.server.storage import tables as db


@dataclass(frozen=True)
class ModelRoute:
    """What the endpoint needs to serve one model, cached in memory by access key."""

    model_id: str
    name: str
    access_key: str
    auth_enabled: bool
    model_crn: str
    deployment_id: str | None = None
    deployment_crn: str = ""
    build_crn: str = ""
    registry_build: bool = False


class ModelIndex:
    """Access key → model route; rebuilt for a model whenever its deployments change state.

    Keyed by the key's hash (``route``): a dict lookup by the presented key itself would compare
    it with stored keys character by character, and its timing would tell how much was right.
    """

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions
        self.by_key: dict[str, ModelRoute] = {}  # hash of the access key → route
        self.by_id: dict[str, ModelRoute] = {}

    def load_all(self) -> None:
        with self.sessions() as session:
            ids = session.scalars(select(db.Model.id)).all()
        for model_id in ids:
            self.refresh_model(model_id)

    def refresh_model(self, model_id: str, session: Session | None = None) -> None:
        """Rebuild the model's route from the database, or from ``session`` when given: a writer
        that passes its own session before committing makes the route exist by the time anyone
        can read the new state (a client that saw ``deployed`` and calls at once is served)."""
        if session is not None:
            self._refresh(session, model_id)
            return
        with self.sessions() as own:
            self._refresh(own, model_id)

    def _refresh(self, session: Session, model_id: str) -> None:
        model = session.get(db.Model, model_id)
        if model is None:
            old = self.by_id.pop(model_id, None)
            if old:
                self.by_key.pop(hash_key(old.access_key), None)
            return
        # The newest healthy deployment serves: a redeploy cuts over once it is deployed.
        dep = session.scalar(
            select(db.Deployment)
            .where(
                db.Deployment.model_id == model_id,
                db.Deployment.status == DeploymentStatus.DEPLOYED,
            )
            .order_by(db.Deployment.deployed_at.desc(), db.Deployment.created_at.desc())
        )
        build = session.get(db.Build, dep.build_id) if dep else None
        route = ModelRoute(
            model_id=model.id,
            name=model.name,
            access_key=model.access_key,
            auth_enabled=model.auth_enabled,
            model_crn=model.crn,
            deployment_id=dep.id if dep else None,
            deployment_crn=dep.crn if dep else "",
            build_crn=build.crn if build else "",
            registry_build=bool(build and build.model_uri),
        )
        self.by_key[hash_key(route.access_key)] = route
        self.by_id[route.model_id] = route

    def route(self, access_key: str) -> ModelRoute | None:
        """The model an access key opens, or None."""
        return self.by_key.get(hash_key(access_key))

    def forget(self, access_key: str) -> None:
        route = self.by_key.pop(hash_key(access_key), None)
        if route:
            self.by_id.pop(route.model_id, None)
