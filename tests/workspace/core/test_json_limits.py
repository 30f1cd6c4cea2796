"""How deep JSON nests, counted before parsing: brackets inside strings never count."""

from __future__ import annotations

import json

import pytest
from workspace.core.json_limits import nests_deeper_than


@pytest.mark.parametrize(
    ("value", "depth"),
    [
        ({}, 1),
        ({"a": [1, {"b": []}]}, 4),
        ([[[[]]]], 4),
        ({"text": "[[[[{{{{"}, 1),
        ({"quote": 'a "[[[" b', "list": [[]]}, 3),
        ([{}] * 500, 2),
    ],
)
def test_the_depth_is_that_of_the_json_value(value, depth):
    raw = json.dumps(value).encode()
    assert nests_deeper_than(raw, depth - 1)
    assert not nests_deeper_than(raw, depth)


def test_a_million_open_brackets_are_too_deep_without_parsing():
    assert nests_deeper_than(b"[" * 1_000_000, 64)
