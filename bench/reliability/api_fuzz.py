"""Schemathesis against the workspace's own OpenAPI document, as four identities.

Why four: a route that is safe for an admin can still fail for a viewer (a role check that reads
a missing row), an outsider (a project they cannot see) or a caller with no key at all. Half of
the cases use the ids of real objects, so requests get past "not found" into the code behind it;
half are negative cases (values the schema forbids), which must be refused with a 4xx and a
message, never answered with a 5xx.
"""

from __future__ import annotations

import contextlib
import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import HypothesisException
from schemathesis import GenerationMode

from reliability.lab import Lab

PATH_PARAMETER = re.compile(r"{(\w+)}")


@dataclass
class FuzzReport:
    tried: int = 0
    by_status: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    """``METHOD path -> status`` for every response >= 500 (or a dropped connection)."""
    silent_refusals: list[str] = field(default_factory=list)
    """4xx answers without a message saying what was wrong."""
    operations: int = 0


def _cases(strategy, count: int) -> list:
    """Up to ``count`` distinct cases drawn from a schemathesis strategy."""
    drawn: list = []

    @settings(
        max_examples=count, database=None, deadline=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
    )  # fmt: skip
    @given(strategy)
    def collect(case) -> None:
        drawn.append(case)

    with contextlib.suppress(HypothesisException):  # a schema admitting fewer cases than asked
        collect()
    return drawn[:count]


def _real_ids(lab: Lab) -> dict[str, str]:
    return {
        "project_id": lab.project_id,
        "model_id": lab.model_id,
        "build_id": lab.build_id,
        "deployment_id": lab.deployment_id,
        "username": "viewer",
    }


def _has_message(response: requests.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and bool(str(body.get("message") or "").strip())


def fuzz_api(lab: Lab, total: int, *, timeout_s: float = 15) -> FuzzReport:
    """About ``total`` generated requests spread evenly over every operation and identity."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_url(f"{lab.server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    report = FuzzReport(operations=len(operations))
    per_cell = math.ceil(total / (len(operations) * len(lab.keys) * 2))
    ids = _real_ids(lab)
    http = requests.Session()
    for operation in operations:
        names = set(PATH_PARAMETER.findall(operation.path))
        real = {name: ids[name] for name in names if name in ids}
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real or None),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        for who, key in lab.keys.items():
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            for strategy in strategies:
                for case in _cases(strategy, per_cell):
                    _send(http, lab, case, headers, who, report, timeout_s)
    return report


def _send(
    http: requests.Session,
    lab: Lab,
    case,
    headers: dict[str, str],
    who: str,
    report: FuzzReport,
    timeout_s: float,
) -> None:
    query = f"?{urlencode(case.query, doseq=True)}" if case.query else ""
    body = "" if case.body is None or type(case.body).__name__ == "NotSet" else case.body
    label = f"{case.method} {case.formatted_path}{query} as {who} {str(body)[:300]}".rstrip()
    kwargs = case.as_transport_kwargs(base_url=lab.server.url)
    sent_headers = {k: v for k, v in (kwargs.pop("headers", None) or {}).items()}
    sent_headers.pop("Authorization", None)
    sent_headers.update(headers)
    report.tried += 1
    try:
        response = http.request(**kwargs, headers=sent_headers, timeout=timeout_s)
    except requests.RequestException as exc:
        report.server_errors.append(f"{label} -> {type(exc).__name__}")
        return
    record(report, label, response)


def record(report: FuzzReport, label: str, response: requests.Response) -> None:
    """Count one answer; keep it when it is a 5xx or a 4xx that does not say what was wrong."""
    report.by_status[response.status_code] += 1
    if response.status_code >= 500 and response.status_code != 501:
        report.server_errors.append(f"{label} -> {response.status_code}: {response.text[:200]}")
    elif 400 <= response.status_code < 500 and not _has_message(response):
        report.silent_refusals.append(f"{label} -> {response.status_code}: {response.text[:120]}")
