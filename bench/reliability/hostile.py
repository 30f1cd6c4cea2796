"""Hand-written hostile requests that generated ones rarely hit: the shapes a shared workspace
has been broken with before (a body far over the cap, JSON nested thousands deep, a list where a
search filter string goes, a 40-digit page token, paths that climb out of a project)."""

from __future__ import annotations

import json

import requests

from reliability.api_fuzz import FuzzReport, record
from reliability.lab import Lab

DEEP = 100_000


def hostile_requests(lab: Lab) -> list[tuple[str, str, dict]]:
    """(method, path, requests kwargs) for every hostile case."""
    projects = "/api/v2/projects"
    models = f"{projects}/{lab.project_id}/models"
    deep = "[" * DEEP + "]" * DEEP
    cases: list[tuple[str, str, dict]] = [
        ("POST", projects, {"data": b"x" * (64 * 1024 * 1024)}),
        ("POST", projects, {"data": '{"name": ' + deep + "}"}),
        ("POST", "/model", {"data": '{"accessKey": "k", "request": ' + deep + "}"}),
        ("POST", "/model", {"data": b"\xff\xfe" * 1000}),
        ("GET", projects, {"params": {"search_filter": json.dumps({"name": ["a", "b"]})}}),
        ("GET", projects, {"params": {"search_filter": json.dumps({"name": {"$ne": 1}})}}),
        ("GET", projects, {"params": {"search_filter": "[1, 2]"}}),
        ("GET", projects, {"params": {"search_filter": "{"}}),
        ("GET", projects, {"params": {"page_token": "9" * 40}}),
        ("GET", projects, {"params": {"page_token": "-1"}}),
        ("GET", projects, {"params": {"page_size": "9" * 30}}),
        ("GET", projects, {"params": {"sort": "-" * 50}}),
        ("POST", projects, {"json": {"name": "up", "template": "local", "local_path": "/etc"}}),
        (
            "POST",
            projects,
            {"json": {"name": "g", "template": "git", "git_url": "--upload-pack=x"}},
        ),
        ("POST", f"{models}", {"json": {"name": "\x00", "project_id": lab.project_id}}),
        ("GET", f"{projects}/{'..%2F' * 8}etc%2Fpasswd", {}),
        ("GET", f"{projects}/{lab.project_id}/jobs/{'9' * 40}", {}),
    ]
    return cases


def send_hostile(lab: Lab, report: FuzzReport) -> None:
    """Every hostile case as every identity, counted into ``report``."""
    http = requests.Session()
    for who, key in lab.keys.items():
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        for method, path, kwargs in hostile_requests(lab):
            shown = kwargs.get("params") or {k: str(v)[:40] for k, v in kwargs.items()}
            label = f"hostile {method} {path[:60]} {shown} as {who}"
            report.tried += 1
            try:
                response = http.request(
                    method, lab.server.url + path, headers=headers, timeout=30, **kwargs
                )
            except requests.RequestException as exc:
                report.server_errors.append(f"{label} -> {type(exc).__name__}")
                continue
            record(report, label, response)
