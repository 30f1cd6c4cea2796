"""Console sign-in sessions, held by the server: a random id in the cookie, nothing else.

Why server-side: the API key is checked once at sign-in and never leaves the server again (not in
the cookie, not in the page); signing out or expiry forgets the session at once. Why in memory:
a console session is cheap to redo (sign in again) and a restarted server should not honour
cookies it handed out before.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

COOKIE = "lab_console"
DEFAULT_TTL_S = 8 * 3600.0


@dataclass(frozen=True)
class ConsoleSession:
    """One signed-in browser: whose it is, its CSRF token and when it ends (monotonic seconds)."""

    id: str
    user_id: str
    csrf_token: str
    expires_at: float


class SessionStore:
    """Sessions by id; an expired one answers as unknown and is dropped."""

    def __init__(self, ttl_s: float = DEFAULT_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._sessions: dict[str, ConsoleSession] = {}
        self._lock = threading.Lock()

    def open(self, user_id: str) -> ConsoleSession:
        session = ConsoleSession(
            id=secrets.token_urlsafe(32),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=time.monotonic() + self.ttl_s,
        )
        with self._lock:
            self._drop_expired()
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str) -> ConsoleSession | None:
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.expires_at <= time.monotonic():
                del self._sessions[session_id]
                return None
            return session

    def close(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def _drop_expired(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._sessions.items() if s.expires_at <= now]:
            del self._sessions[key]
