"""How deep a JSON body nests, found before it is parsed.

Why before: Python's parser recurses once per level, so a body of a million ``[`` costs a deep
recursion (and a RecursionError, a 500) before any field is looked at; counting brackets outside
strings is linear and cheap, and most bodies skip it because they hold fewer brackets than the
limit.
"""

from __future__ import annotations

import re

import numpy as np

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """True when the JSON text ``raw`` opens more than ``limit`` arrays or objects inside one
    another (brackets inside strings do not count)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = np.frombuffer(_STRINGS.sub(b"", raw).translate(None, _NOT_BRACKETS), np.uint8)
    if brackets.size == 0:
        return False
    # '[' and '{' have bit 1 set, ']' and '}' clear: +1 on opening, -1 on closing.
    steps = ((brackets >> 1) & 1).astype(np.int32) * 2 - 1
    return int(np.cumsum(steps).max()) > limit
