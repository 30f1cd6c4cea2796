"""The console's parts that need no server: the job graph's layout, sign-in sessions, the
environment form, latency percentiles per bucket, and the vendored asset list."""

from __future__ import annotations

import time

import numpy as np
import pytest
from workspace.console import charts, job_graph
from workspace.console.assets import VENDORED, vendored_file
from workspace.console.outcome import Refused
from workspace.console.pages.projects import parse_environment
from workspace.console.sessions import SessionStore


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


def test_every_vendored_asset_was_fetched_at_setup() -> None:
    for name in VENDORED:
        assert vendored_file(name).stat().st_size > 1000, name
    with pytest.raises(KeyError):
        vendored_file("jquery.js")
