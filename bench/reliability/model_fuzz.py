"""Hypothesis-generated bodies on ``POST /model``: JSON of every shape, bytes that are not JSON,
keys of the wrong type, nesting far past any real request.

Why the replica check after every batch: a body that the endpoint refuses politely but that wedges
the router or kills a replica is still an outage; the harness asks a valid question between
batches and counts every time the model did not answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reliability.lab import Lab, answers

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=40,
)


def _deep(depth: int) -> bytes:
    return b'{"accessKey": "k", "request": ' + b"[" * depth + b"]" * depth + b"}"


def _bodies(access_key: str) -> st.SearchStrategy[bytes]:
    """Raw request bodies: well-formed envelopes with odd contents, and garbage."""
    keys = st.sampled_from([access_key, "", "wrong-key", 7, None, [access_key], {"k": 1}])
    envelope = st.fixed_dictionaries(
        {}, optional={"accessKey": keys, "request": JSON_VALUES, "extra": JSON_VALUES}
    ).map(lambda body: json.dumps(body, allow_nan=True).encode())
    raw = st.binary(max_size=300)
    nested = st.integers(min_value=50, max_value=20_000).map(_deep)
    top_level = JSON_VALUES.map(lambda value: json.dumps(value).encode())
    return st.one_of(envelope, envelope, raw, nested, top_level)


@dataclass
class ModelFuzzReport:
    tried: int = 0
    server_errors: list[str] = field(default_factory=list)
    lost_answers: int = 0
    """Valid probes between batches that the model did not answer."""
    statuses: dict[int, int] = field(default_factory=dict)


def fuzz_model(lab: Lab, total: int, *, batch: int = 25) -> ModelFuzzReport:
    report = ModelFuzzReport()
    http = requests.Session()
    content_types = ["application/json", "text/plain", "application/x-www-form-urlencoded"]

    @settings(
        max_examples=total, database=None, deadline=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(_bodies(lab.access_key), st.sampled_from(content_types))
    def send(body: bytes, content_type: str) -> None:
        report.tried += 1
        try:
            response = http.post(
                lab.model_url, data=body, headers={"Content-Type": content_type}, timeout=15
            )
        except requests.RequestException as exc:
            report.server_errors.append(f"{body[:80]!r} -> {type(exc).__name__}")
            return
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            report.server_errors.append(f"{body[:80]!r} -> {response.status_code}")
        if report.tried % batch == 0 and not answers(lab, timeout_s=10):
            report.lost_answers += 1

    send()
    if not answers(lab, timeout_s=10):
        report.lost_answers += 1
    return report
