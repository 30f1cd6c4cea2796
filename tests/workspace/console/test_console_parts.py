"""The console's parts that need no server: the job graph's layout, sign-in sessions, the
environment form, the charts' series (percentiles per bucket, settled buckets kept), example
requests and their hints, and the vendored asset list."""

from __future__ import annotations

import json
import random
import time

import numpy as np
import pytest
from sqlalchemy import insert
from workspace.console import charts, examples, job_graph
from workspace.console.assets import VENDORED, vendored_file
from workspace.console.outcome import Refused
from workspace.console.pages.projects import parse_environment
from workspace.console.sessions import SessionStore
from workspace.server.storage import tables as db


def test_each_job_sits_one_column_right_of_its_parent_and_arrows_join_them() -> None:
    graph = job_graph.layout(
        [("a", "datagen", None, ""), ("b", "train", "a", ""), ("c", "map", "a", ""),
         ("d", "deploy", "b", ""), ("e", "alone", None, "")]
    )  # fmt: skip
    x = {n.name: n.x for n in graph.nodes}
    assert x["datagen"] == x["alone"] < x["train"] == x["map"] < x["deploy"]
    assert len(graph.edges) == 3
    assert len({(n.x, n.y) for n in graph.nodes}) == 5  # no two boxes on one spot


def test_a_parent_cycle_does_not_hang_the_layout() -> None:
    graph = job_graph.layout([("a", "one", "b", ""), ("b", "two", "a", "")])
    assert len(graph.nodes) == 2


def test_a_session_expires_and_a_closed_one_is_gone() -> None:
    store = SessionStore(ttl_s=0.2)
    first, second = store.open("ana"), store.open("ana")
    assert first.id != second.id and first.csrf_token != second.csrf_token
    assert store.get(first.id) == first
    store.close(first.id)
    assert store.get(first.id) is None
    time.sleep(0.25)
    assert store.get(second.id) is None


def test_environment_lines_become_variables_and_a_bad_line_is_named() -> None:
    assert parse_environment("A=1\n\n# note\nB = two=2\n") == {"A": "1", "B": " two=2"}
    with pytest.raises(Refused, match="line 2 is not KEY=value") as refused:
        parse_environment("A=1\njust words")
    assert refused.value.field == "environment"


def test_latency_percentiles_are_computed_per_bucket() -> None:
    rows = [(0, float(v)) for v in range(1, 101)] + [(3, 7.0)]
    found = charts._quantiles(rows)
    assert set(found) == {0, 3}
    assert found[0]["p50"] == pytest.approx(np.quantile(range(1, 101), 0.5))
    assert found[0]["p99"] == pytest.approx(np.quantile(range(1, 101), 0.99))
    assert found[3] == {"p50": 7.0, "p95": 7.0, "p99": 7.0}


def request_rows(crn: str, start_ms: int, end_ms: int, every_ms: int) -> list[dict]:
    return [
        dict(prediction_uuid=f"u{t}", model_crn=crn, deployment_crn="d", start_ms=t,
             end_ms=t + 5, latency_ms=random.uniform(1, 90), status_code=500 if t % 7 else 200)
        for t in range(start_ms, end_ms, every_ms)
    ]  # fmt: skip


def expected(rows: list[dict], series: dict, bucket_ms: int) -> dict[int, tuple]:
    """Per bucket of ``series``: (count, errors, p95) straight from the rows, with numpy."""
    first = int(series["t"][0] * 1000)
    found = {}
    for i in range(len(series["t"])):
        inside = [
            r for r in rows if first + i * bucket_ms <= r["start_ms"] < first + (i + 1) * bucket_ms
        ]
        if inside:
            p95 = float(np.quantile([r["latency_ms"] for r in inside], 0.95))
            found[i] = (len(inside), sum(r["status_code"] >= 400 for r in inside), p95)
    return found


def test_chart_buckets_match_the_rows_and_settled_ones_are_not_read_again(tmp_path) -> None:
    sessions = db.make_sessionmaker(db.make_engine(f"sqlite:///{tmp_path / 'w.db'}"))
    now = int(time.time() * 1000)
    rows = request_rows("model-a", now - 900_000, now - 1_000, 700)
    aggregate = dict(rows[0], prediction_uuid="", latency_ms=10_000.0)  # not a request
    with sessions() as session:
        session.execute(insert(db.PredictionMetric), [*rows, aggregate])
        session.commit()
        series = charts.request_series(session, "model-a", 900)
        want = expected(rows, series, 15_000)
        got = {i: (round(series["rps"][i] * 15), round(series["errors"][i] * 15),
                   series["p95"][i]) for i in want if i < len(series["t"]) - 1}  # fmt: skip
        assert got == {i: want[i] for i in got} and len(got) >= 50
        assert series["requests"] == sum(count for count, _, _ in want.values())
        kept = charts.settled.known(("model-a", 15_000), 0)
        assert len(kept) >= 50  # all but the last two minutes' buckets
        newest = request_rows("model-a", now - 500, now, 100)
        session.execute(insert(db.PredictionMetric), newest)
        session.commit()
        again = charts.request_series(session, "model-a", 900)
    assert again["requests"] >= series["requests"] + len(newest) - 100  # the oldest may leave
    assert again["p50"][:40] == series["p50"][:40] or again["t"] != series["t"]


def test_an_example_request_comes_from_the_model_and_else_a_hint_says_where(tmp_path) -> None:
    (tmp_path / "serve.example.json").write_text(json.dumps({"pattern": [1, 2]}))
    file_build = db.Build(file_path="serve.py", function_name="predict")
    assert examples.example_request(tmp_path, file_build) == {"pattern": [1, 2]}
    assert examples.hint(file_build, {"pattern": [1, 2]}) == ""
    other = db.Build(file_path="other.py", function_name="predict")
    assert examples.example_request(tmp_path, other) == {}
    assert "other.example.json" in examples.hint(other, {})
    mlflow_model = tmp_path / "model"
    mlflow_model.mkdir()
    (mlflow_model / "serving_input_example.json").write_text('{"dataframe_split": {"data": []}}')
    registry_build = db.Build(model_uri=str(mlflow_model), registered_model_version_id="iot/1")
    assert examples.example_request(tmp_path, registry_build) == {"dataframe_split": {"data": []}}
    (mlflow_model / "serving_input_example.json").write_text("not json")
    assert examples.example_request(tmp_path, registry_build) == {}
    assert "input_example" in examples.hint(registry_build, {})
    assert examples.hint(None, {}).startswith("Build and deploy")


def test_every_vendored_asset_was_fetched_at_setup() -> None:
    for name in VENDORED:
        assert vendored_file(name).stat().st_size > 1000, name
    with pytest.raises(KeyError):
        vendored_file("jquery.js")
