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
_STEPS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")
"""Opening brackets as +1, closing ones as -1 (0xff read as an int8)."""


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """True when the JSON text ``raw`` opens more than ``limit`` arrays or objects inside one
    another (brackets inside strings do not count)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    steps = _STRINGS.sub(b"", raw).translate(_STEPS, _NOT_BRACKETS)
    if not steps:
        return False
    depth = np.cumsum(np.frombuffer(steps, dtype=np.int8), dtype=np.int32)
    return int(depth.max()) > limit
