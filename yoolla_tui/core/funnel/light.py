"""The traffic light of an open deal (seed 003), decided here once for queues, listings,
reports and the dashboard. It depends only on (now, deal):

- red: the next call is overdue, or the stage's time budget has run out (`stage_due_at`);
- yellow: the next call or the end of the stage's budget falls later today;
- green: time in hand (or nothing scheduled).

Closed deals have no light (None). `stage_due_at` is set whenever a deal enters a stage
(`WorkCalendar.stage_deadline`), so the light is a comparison of stored columns: it filters
and sorts in SQL on 100k deals.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, or_

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.models import Deal

RED, YELLOW, GREEN = "red", "yellow", "green"
LIGHTS = (RED, YELLOW, GREEN)


def end_of_day(now: datetime) -> datetime:
    """The end (exclusive, UTC) of the local day that contains `now`."""
    return clock.local_day_bounds(clock.to_local(now).date())[1]


def light_of(now: datetime, next_call_at: datetime | None, stage_due_at: datetime | None,
             closed: bool = False) -> str | None:
    """The light from the stored values (the one rule; `light_clause` is its SQL twin)."""
    if closed:
        return None
    end = end_of_day(now)
    times = [t for t in (next_call_at, stage_due_at) if t is not None]
    if any(t < now for t in times):
        return RED
    if any(t < end for t in times):
        return YELLOW
    return GREEN


def deal_light(deal: Deal, now: datetime | None = None) -> str | None:
    """The light of `deal` at `now` (default: the clock's now)."""
    return light_of(now or clock.now(), deal.next_call_at, deal.stage_due_at, deal.closed_at is not None)


def _late(column, moment: datetime):
    return and_(column.is_not(None), column < moment)


def light_clause(color: str, now: datetime):
    """A WHERE clause selecting open deals of `color` at `now` (same rule as `light_of`)."""
    end = end_of_day(now)
    red = or_(_late(Deal.next_call_at, now), _late(Deal.stage_due_at, now))
    yellow = or_(_late(Deal.next_call_at, end), _late(Deal.stage_due_at, end))
    open_ = Deal.closed_at.is_(None)
    if color == RED:
        return and_(open_, red)
    if color == YELLOW:
        return and_(open_, ~red, yellow)
    if color == GREEN:
        return and_(open_, ~red, ~yellow)
    raise ValueError(color)


def light_expr(now: datetime):
    """A SQL expression giving each deal's light (NULL for closed deals), for sorting and listing."""
    end = end_of_day(now)
    return case(
        (Deal.closed_at.is_not(None), None),
        (or_(_late(Deal.next_call_at, now), _late(Deal.stage_due_at, now)), RED),
        (or_(_late(Deal.next_call_at, end), _late(Deal.stage_due_at, end)), YELLOW),
        else_=GREEN)
