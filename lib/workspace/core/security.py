"""API keys and model access keys: how they are minted and why only their hashes are stored.

Keys are 32 random bytes, so a plain SHA-256 is enough to make a leaked database useless to an
attacker (no dictionary to try) while a lookup by hash stays one indexed query per request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

API_KEY_PREFIX = "lab_"


def new_api_key() -> str:
    """A bearer key for the control plane; the prefix makes leaked keys easy to spot in logs."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def same_key(key: str, key_hash: str) -> bool:
    """Constant-time comparison of a presented key with a stored hash."""
    return hmac.compare_digest(hash_key(key), key_hash)


def new_access_key() -> str:
    """A model endpoint access key, CML-style: short, lowercase, URL-safe."""
    return secrets.token_hex(16)


def new_id() -> str:
    """Resource ids look like CML's: opaque, lowercase, dashed."""
    raw = uuid.uuid4().hex
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}-{raw[12:16]}"


def crn(kind: str, resource_id: str) -> str:
    """A CRN in the CML layout, so monitoring code written for CML can key on it."""
    return f"crn:lab:ml:local:workspace:{kind}/{resource_id}"
