"""``Cursor``: every item of a listing, page after page, as CML's ``cmlapi.utils.Cursor``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Cursor:
    """Follows ``next_page_token`` so a script need not: ``Cursor(client.list_projects,
    search_filter=...).items()`` yields each project of every page."""

    def __init__(self, list_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.list_fn = list_fn
        self.args = args
        self.kwargs = kwargs

    def items(self) -> Iterator[Any]:
        token = None
        while True:
            kwargs = {**self.kwargs, **({"page_token": token} if token else {})}
            page = self.list_fn(*self.args, **kwargs)
            yield from self._page_items(page)
            token = getattr(page, "next_page_token", None)
            if not token:
                return

    @staticmethod
    def _page_items(page: Any) -> list[Any]:
        """A listing has one list field (``projects``, ``models``...) beside its token."""
        names = [k for k, v in page.to_dict().items() if isinstance(v, list)]
        if len(names) != 1:
            raise ValueError(f"not a listing: list fields {names}")
        return getattr(page, names[0])
