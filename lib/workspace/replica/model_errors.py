"""How a replica tells a caller's mistake from a model's failure.

Why a module of its own: the replica server, the entry-point loader and the MLflow pyfunc adapter
all raise or catch these; none of them should import another to reach them.
"""

from __future__ import annotations


class EntryPointError(RuntimeError):
    """The build's entry point cannot be loaded; the replica exits with this reason in its log."""


class BadRequest(ValueError):
    """Input the model cannot take; the replica answers 400 with this message."""


# Exceptions a model raises on input it cannot take (bad request, 400), as CML treats them.
CLIENT_ERRORS: tuple[type[BaseException], ...] = (ValueError, TypeError, KeyError)
