"""The one exception tree of ``workspace.client``.

Three branches, because a caller needs to know which of three things went wrong before it can
decide what to do: the request never got an answer (retry, or start the server), the server
answered with an error (fix the call), or a ``wait_for_*`` gave up (read the log tail)::

    WorkspaceError
    ├── TransportError          the request did not get an answer
    │   ├── ConnectError        cannot reach the server (is `workspace up` running?)
    │   └── RequestTimeout      the server did not answer within the client timeout
    ├── ApiError                the server answered with an error (.status_code, .message)
    │   ├── BadRequest          400 / 413 / 422: a field is wrong; the message names it
    │   ├── Unauthorized        401: API key (or model access key) missing or wrong
    │   ├── Forbidden           403: your role in the project does not allow it
    │   ├── NotFound            404
    │   ├── Conflict            409: the resource is not in a state that allows it
    │   ├── TooManyRequests     429: every replica stayed busy; redeploy with more replicas
    │   └── ServerError         5xx, including a model that raised
    │       └── GatewayTimeout  504: the model did not answer within the endpoint's timeout
    └── WaitError               a wait_for_* gave up (.status, .log_tail)
        ├── BuildFailed         the build ended 'failed'
        ├── DeploymentFailed    the deployment ended 'failed' or 'stopped'
        ├── JobRunFailed        the job run ended 'failed', 'timedout' or 'stopped'
        └── WaitTimeout         the awaited resource did not reach a terminal state in time

Example::

    try:
        client.wait_for_build(project_id=pid, model_id=mid, build_id=bid, timeout=120)
    except BuildFailed as exc:
        print(exc.log_tail)
    except WaitTimeout as exc:
        print(f"still {exc.status}")
"""

from __future__ import annotations


class WorkspaceError(Exception):
    """Base of every client error: ``except WorkspaceError`` catches all that the client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransportError(WorkspaceError):
    """The request did not get an answer; nothing is known about whether the server acted."""


class ConnectError(TransportError):
    """The server cannot be reached at the configured URL."""


class RequestTimeout(TransportError):
    """The server took longer than the client's timeout to answer."""


class ApiError(WorkspaceError):
    """The server answered, but not with what was asked: an error status, or a body that is not
    the API's JSON. ``status_code`` is the HTTP status; ``message`` the server's own words.

    Code may raise one itself for the same meaning (a model looked up by name that does not
    exist is a ``NotFound``); it then carries the class's status and no "HTTP" prefix.
    """

    default_status_code: int = 0

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self._answered = status_code is not None
        self.status_code = status_code if status_code is not None else self.default_status_code

    def __str__(self) -> str:
        return f"HTTP {self.status_code}: {self.message}" if self._answered else self.message


class BadRequest(ApiError):
    default_status_code = 400


class Unauthorized(ApiError):
    default_status_code = 401


class Forbidden(ApiError):
    default_status_code = 403


class NotFound(ApiError):
    default_status_code = 404


class Conflict(ApiError):
    default_status_code = 409


class TooManyRequests(ApiError):
    default_status_code = 429


class ServerError(ApiError):
    default_status_code = 500


class GatewayTimeout(ServerError):
    default_status_code = 504


class WaitError(WorkspaceError):
    """A ``wait_for_*`` call stopped waiting. ``status`` is the state the resource was last seen
    in; ``log_tail`` its last log lines (or its replicas' errors), to say why."""

    def __init__(self, message: str, *, status: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.log_tail = log_tail


class BuildFailed(WaitError):
    pass


class DeploymentFailed(WaitError):
    pass


class JobRunFailed(WaitError):
    pass


class WaitTimeout(WaitError):
    pass


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: BadRequest,
    422: BadRequest,
    429: TooManyRequests,
    504: GatewayTimeout,
}


def error_for(status_code: int, message: str) -> ApiError:
    """The exception an HTTP error status maps to (any other 5xx: ``ServerError``)."""
    cls = _BY_STATUS.get(status_code) or (ServerError if status_code >= 500 else ApiError)
    return cls(message, status_code=status_code)
