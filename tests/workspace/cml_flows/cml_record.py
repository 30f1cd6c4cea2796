"""Keeps every answer ``cmlapi`` gets, raw, so the test can hold each against CML's spec.

Why around ``cmlapi.rest.RESTClient.request``: that is the one place every operation's JSON
passes through (errors included, as ``ApiException``), so the flow scripts call ``cmlapi``
exactly as CML code does and are recorded without knowing it. Importing this module installs
the recorder; ``verdict(**facts)`` prints the flow's one ``VERDICT`` line for the test to read.
"""

import json
from urllib.parse import urlsplit

import cmlapi.rest

RESPONSES = []
_send = cmlapi.rest.RESTClient.request


def _recording_request(self, method, url, headers, query=None, body=None):
    path = urlsplit(url).path
    try:
        answer = _send(self, method, url, headers, query, body)
    except cmlapi.rest.ApiException as error:
        text = error.body or ""
        RESPONSES.append({"method": method, "path": path, "status": error.status, "body": text})
        raise
    RESPONSES.append({"method": method, "path": path, "status": 200, "body": answer})
    return answer


cmlapi.rest.RESTClient.request = _recording_request


def verdict(**facts):
    """The flow's result: what it checked, and every answer it got (in order)."""
    print("VERDICT " + json.dumps({"facts": facts, "responses": RESPONSES}), flush=True)
