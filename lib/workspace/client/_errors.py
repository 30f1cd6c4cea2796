"""The one exception tree of ``workspace.client``.

::

    WorkspaceError              anything the workspace or the way to it refused
    ├── ConnectError            the server cannot be reached (is `workspace up` running?)
    ├── BadRequest              400 / 413 / 422: a field is wrong; the message names it
    ├── Unauthorized            401: API key (or model access key) missing or wrong
    ├── Forbidden               403: your role in the project does not allow it
    ├── NotFound                404
    ├── Conflict                409: the resource is not in a state that allows it
    ├── ServerError             5xx, including a model that raised
    ├── Timeout                 a request or a wait_for_* ran out of time
    ├── BuildFailed             a build ended 'failed' (reason and log tail attached)
    ├── DeploymentFailed        a deployment ended 'failed' or 'stopped' while waited on
    └── JobRunFailed            a job run ended failed, timedout or stopped (``status``, log tail)
"""

from __future__ import annotations


class WorkspaceError(Exception):
    """Base of every client error; ``status_code`` is set when the server answered."""

    def __init__(self, message: str, *, status_code: int | None = None, log_tail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.log_tail = log_tail


class ConnectError(WorkspaceError):
    pass


class BadRequest(WorkspaceError):
    pass


class Unauthorized(WorkspaceError):
    pass


class Forbidden(WorkspaceError):
    pass


class NotFound(WorkspaceError):
    pass


class Conflict(WorkspaceError):
    pass


class ServerError(WorkspaceError):
    pass


class Timeout(WorkspaceError):
    pass


class BuildFailed(WorkspaceError):
    pass


class DeploymentFailed(WorkspaceError):
    pass


class JobRunFailed(WorkspaceError):
    """A waited-on job run ended other than 'succeeded'; ``status`` says how it ended."""

    def __init__(self, message: str, *, status: str, log_tail: str = "") -> None:
        super().__init__(message, log_tail=log_tail)
        self.status = status


_BY_STATUS: dict[int, type[WorkspaceError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: BadRequest,
    422: BadRequest,
    504: Timeout,
}


def error_for(status_code: int, message: str) -> WorkspaceError:
    """The exception that an HTTP error status maps to."""
    cls = _BY_STATUS.get(status_code)
    if cls is None:
        cls = ServerError if status_code >= 500 else BadRequest
    return cls(f"HTTP {status_code}: {message}", status_code=status_code)
