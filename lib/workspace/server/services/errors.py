"""What a service refuses, said without HTTP: the API layer alone maps these to status codes.

Why: a service also runs where no request exists (the scheduler firing a cron job, start-up
restoring deployments); it must be able to refuse with a reason that both a route (as a 4xx) and
a background task (as a log line) can use.

::

    ServiceError          a request the workspace cannot carry out; ``str(exc)`` says why
    ├── InvalidRequest    400: a field is wrong (a script outside the project, a bad cron line)
    ├── NotFound          404: no such resource (or not in the parent the path names)
    ├── Forbidden         403: the caller's role does not allow it
    └── Conflict          409: the resource is not in a state that allows it
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every refusal a service makes."""


class InvalidRequest(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class Forbidden(ServiceError):
    pass


class Conflict(ServiceError):
    pass
