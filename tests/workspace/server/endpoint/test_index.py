"""The access-key index: a model is routed the moment its deployment can be seen as deployed."""

from __future__ import annotations

import pytest
from workspace.schemas.states import DeploymentStatus
from workspace.server.endpoint.index import ModelIndex
from workspace.server.storage import tables as db


@pytest.fixture()
def sessions(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'workspace.db'}")
    yield db.make_sessionmaker(engine)
    engine.dispose()


def _model_with_a_build(session) -> None:
    for row in (
        db.User(id="u1", username="alice"),
        db.Project(id="p1", name="prd", template="local", creator_id="u1"),
        db.Model(id="m1", project_id="p1", name="clf", crn="crn:m1", access_key="k" * 32,
                 creator_id="u1"),
        db.Build(id="b1", model_id="m1", project_id="p1", crn="crn:b1", creator_id="u1"),
    ):  # fmt: skip
        session.add(row)
        session.flush()  # parents first: the tables' foreign keys are enforced


def test_a_deployment_marked_deployed_is_routed_from_the_writers_session_before_commit(sessions):
    index = ModelIndex(sessions)
    with sessions() as session:
        _model_with_a_build(session)
        session.add(db.Deployment(id="d1", build_id="b1", model_id="m1", project_id="p1",
                                  crn="crn:d1", status=DeploymentStatus.DEPLOYED,
                                  creator_id="u1"))  # fmt: skip
        session.flush()
        index.refresh_model("m1")  # another connection: nothing committed yet, nothing to route
        assert index.route("k" * 32) is None
        index.refresh_model("m1", session)
        assert index.route("k" * 32).deployment_id == "d1"
        session.commit()
    index.refresh_model("m1")
    assert index.route("k" * 32).deployment_id == "d1"
