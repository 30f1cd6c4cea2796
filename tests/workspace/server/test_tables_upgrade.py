"""A LAB_HOME made by an older version keeps its records: missing columns are added with their
defaults, missing indexes are made and run states take CML's spelling."""

from __future__ import annotations

from sqlalchemy import inspect, text
from workspace.server.storage import tables as db


def test_an_older_database_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.make_engine(url)
    with db.make_sessionmaker(engine)() as session:
        session.add(db.User(id="u", username="u"))
        session.add(db.Project(id="p", name="p", template="blank", creator_id="u"))
        session.add(db.Job(id="j", project_id="p", name="j", script="a.py", creator_id="u"))
        session.add(db.JobRun(id="r", job_id="j", project_id="p", creator_id="u"))
        session.commit()
    with engine.begin() as connection:  # as an older version left it
        connection.execute(text("ALTER TABLE jobs DROP COLUMN kernel"))
        connection.execute(text("UPDATE job_runs SET status = 'succeeded'"))
    engine.dispose()

    upgraded = db.make_engine(url)
    sessions = db.make_sessionmaker(upgraded)
    assert "kernel" in {c["name"] for c in inspect(upgraded).get_columns("jobs")}
    with sessions() as session:
        assert session.get(db.Job, "j").kernel == "python3"
        assert session.get(db.JobRun, "r").status == "ENGINE_SUCCEEDED"
    assert db.add_missing_columns(upgraded) == []  # a second start changes nothing


def test_an_older_database_gains_the_new_indexes(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.make_engine(url)
    db.make_sessionmaker(engine)
    with engine.begin() as connection:  # as a version before the charts' index left it
        connection.execute(text("DROP INDEX ix_metrics_requests"))
    engine.dispose()

    upgraded = db.make_engine(url)
    db.make_sessionmaker(upgraded)
    names = {i["name"] for i in inspect(upgraded).get_indexes("prediction_metrics")}
    assert "ix_metrics_requests" in names
    assert db.add_missing_indexes(upgraded) == []  # a second start changes nothing
