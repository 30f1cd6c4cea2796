"""What a console action's failure says, next to the field it is about.

Why: the console reuses the API's route functions and services, which refuse bad input with
``HTTPException``, a service error or a pydantic ``ValidationError``; a form shows each as one line
beside the field it names, and the page answers 400 so a script sees the refusal too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from fastapi import HTTPException
from pydantic import ValidationError

from workspace.server.services.errors import ServiceError

T = TypeVar("T")


class Refused(Exception):
    """An action refused: ``field`` is the form field it is about ('' for the form as a whole)."""

    def __init__(self, message: str, field: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.field, self.status = message, field, status

    @property
    def errors(self) -> dict[str, str]:
        return {self.field: self.message}


def attempt(action: Callable[[], T], fields: Collection[str] = ()) -> T:
    """Run ``action``; a refusal becomes ``Refused``, naming the first of ``fields`` it mentions."""
    try:
        return action()
    except ValidationError as exc:
        first: dict[str, Any] = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else ""
        message = str(first["msg"]).removeprefix("Value error, ")
        raise Refused(message, field if field in fields else "") from None
    except HTTPException as exc:
        if exc.status_code == 403:
            raise
        raise _naming(str(exc.detail), fields, exc.status_code) from None
    except ServiceError as exc:
        raise _naming(str(exc), fields, 400) from None


def _naming(message: str, fields: Collection[str], status: int) -> Refused:
    field = next((f for f in fields if f in message), "")
    return Refused(message, field, status if status < 500 else 400)
