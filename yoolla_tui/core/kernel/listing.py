"""Listings that never cut silently: rows counted and streamed on demand.

A listing service builds its ordered query and returns a `Listing` instead of a list. Nothing
runs until asked: `count()` is one COUNT query, `rows(limit=…)` streams the rows in batches
(`yield_per`; a server-side cursor on PostgreSQL), so a million rows pass through in flat
memory. The CLI (`cli/output.py: render_listing`) decides how many rows a view wants and says
when it shows fewer than there are.

    def list_things(*, session, actor, …) -> Listing:
        require_…(actor)
        stmt = select(Thing.id, Thing.name).where(…).order_by(Thing.name, Thing.id)
        return Listing(session, stmt, lambda row: {"id": row.id, "name": row.name})

`convert` takes one row, or, with `per_batch=True`, one batch of rows and returns their dicts
(for shapes that need one extra query per batch rather than per row).
Iterate it inside the session's transaction.
"""

from __future__ import annotations

from typing import Callable, Iterator

from sqlalchemy import Select, func, select
from sqlmodel import Session

BATCH = 1000


class Listing:
    """An ordered query with its row shape: `count()`, `rows(limit, offset)`, or iterate for every row."""

    def __init__(self, session: Session, stmt: Select, convert: Callable, *, per_batch: bool = False,
                 batch: int = BATCH) -> None:
        self.session = session
        self.stmt = stmt
        self.convert = convert
        self.per_batch = per_batch
        self.batch = batch

    def count(self) -> int:
        """How many rows the listing has (one COUNT query, ordering dropped)."""
        inner = self.stmt.order_by(None).subquery()
        return self.session.scalar(select(func.count()).select_from(inner)) or 0

    def rows(self, limit: int | None = None, offset: int = 0) -> Iterator[dict]:
        """The rows in order, streamed in batches; at most `limit` after skipping `offset`."""
        stmt = self.stmt
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        result = self.session.execute(stmt.execution_options(yield_per=self.batch))
        for part in result.partitions():
            if self.per_batch:
                yield from self.convert(part)
            else:
                yield from map(self.convert, part)

    def __iter__(self) -> Iterator[dict]:
        return self.rows()

