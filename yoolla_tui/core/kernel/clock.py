"""The one clock. `YOOLLA_NOW` (ISO 8601) fixes "now"; `YOOLLA_TZ` names the local zone.

Datetimes are stored aware in UTC and shown in local time. Everything in core asks `now()`.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _

UTC = timezone.utc


def local_tz():
    """The zone times are shown in: `YOOLLA_TZ`, else `TZ`, else the system's."""
    for var in ("YOOLLA_TZ", "TZ"):
        name = os.environ.get(var)
        if name:
            try:
                return ZoneInfo(name.lstrip(":"))
            except (ZoneInfoNotFoundError, ValueError):
                if var == "YOOLLA_TZ":
                    raise BadInput(_("YOOLLA_TZ={name} is not a known time zone (try Europe/Moscow)").format(name=name))
    return datetime.now().astimezone().tzinfo


_frozen: ContextVar[datetime | None] = ContextVar("yoolla_frozen_now", default=None)


@contextmanager
def frozen(at: datetime):
    """Within the block, now() is `at` (used by the demo to replay a week, and by tests)."""
    token = _frozen.set(to_utc(at))
    try:
        yield
    finally:
        _frozen.reset(token)


def now() -> datetime:
    """Now, aware, in UTC. Honours `YOOLLA_NOW`; a naive value there is local time."""
    pinned = _frozen.get()
    if pinned is not None:
        return pinned
    fixed = os.environ.get("YOOLLA_NOW")
    if fixed:
        try:
            value = datetime.fromisoformat(fixed.strip())
        except ValueError:
            raise BadInput(_("YOOLLA_NOW={value} is not an ISO 8601 date-time (e.g. 2026-11-23T09:30)").format(value=fixed))
        return to_utc(value)
    return datetime.now(UTC)


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_tz())
    return value.astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(local_tz())


def today() -> date:
    """Today's date in the local zone."""
    return to_local(now()).date()


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC."""
    tz = local_tz()
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def at_local(day: date, clock_time: time) -> datetime:
    """A local wall-clock time on a day, as UTC."""
    return datetime.combine(day, clock_time, tzinfo=local_tz()).astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in local time with its offset: the stable JSON form."""
    local = to_local(value)
    return local.isoformat(timespec="seconds") if local else None


def show(value: datetime | None) -> str:
    """Short local form for tables."""
    local = to_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


# ---- ISO weeks -------------------------------------------------------------------------------

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str) -> tuple[date, date]:
    """`2026-W48` -> (Monday, Sunday). Raises BadInput with an example."""
    match = _WEEK_RE.match(text.strip().upper()) if text else None
    if not match:
        raise BadInput(_("bad week {text!r}: expected an ISO week like 2026-W48").format(text=text))
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise BadInput(_("bad week {text!r}: {year} has no week {week}").format(text=text, year=year, week=week))
    return monday, monday + timedelta(days=6)


def week_of(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def next_week(week: str) -> str:
    monday, _sunday = parse_week(week)
    return week_of(monday + timedelta(days=7))


# ---- "when" as people type it ----------------------------------------------------------------

_REL_RE = re.compile(r"^\+([0-9]+)\s*(m|min|h|d)$")
_HM_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_WHEN_HELP = "2026-11-24T15:00, 2026-11-24, 15:00, tomorrow 10:00, +2h, +30m, +1d"


def parse_when(text: str, *, base: datetime | None = None) -> datetime:
    """Parse a time a person types, in local time; returns UTC.

    Accepts ISO (`2026-11-24T15:00`, `2026-11-24 15:00`, `2026-11-24` = 09:00),
    `HH:MM` (today), `tomorrow [HH:MM]`, and offsets `+30m`, `+2h`, `+1d`.
    """
    base = base or now()
    raw = (text or "").strip().lower()
    local_base = to_local(base)
    rel = _REL_RE.match(raw)
    if rel:
        amount, unit = int(rel.group(1)), rel.group(2)
        try:
            delta = {"m": timedelta(minutes=amount), "min": timedelta(minutes=amount),
                     "h": timedelta(hours=amount), "d": timedelta(days=amount)}[unit]
            return (base + delta).astimezone(UTC)
        except OverflowError:
            raise BadInput(_("{text!r} is further ahead than the calendar goes (year 9999)").format(text=text)) from None
    words = raw.split()
    if words and words[0] in ("today", "tomorrow", "сегодня", "завтра"):
        day = local_base.date() + timedelta(days=0 if words[0] in ("today", "сегодня") else 1)
        clock_time = time(9, 0)
        if len(words) == 2 and _HM_RE.match(words[1]):
            clock_time = _parse_hm(words[1], text)
        elif len(words) > 1:
            raise BadInput(_("cannot read time {text!r}; try {examples}").format(text=text, examples=_WHEN_HELP))
        return at_local(day, clock_time)
    if _HM_RE.match(raw):
        return at_local(local_base.date(), _parse_hm(raw, text))
    try:
        if len(raw) == 10:
            return at_local(date.fromisoformat(raw), time(9, 0))
        return to_utc(datetime.fromisoformat(raw.upper().replace(" ", "T")))
    except ValueError:
        raise BadInput(_("cannot read time {text!r}; try {examples}").format(text=text, examples=_WHEN_HELP))


def _parse_hm(value: str, original: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    try:
        return time(hours, minutes)
    except ValueError:
        raise BadInput(_("cannot read time {text!r}; try {examples}").format(text=original, examples=_WHEN_HELP))
