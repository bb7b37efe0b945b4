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


# ---- days as people type them (--date, --since, --close-by, leaves) --------------------------

_ISO_DAY_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])")


def _month_names() -> list[str]:
    return [_("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"), _("August"),
            _("September"), _("October"), _("November"), _("December")]


def date_problem(text: str) -> str | None:
    """Why a typed YYYY-MM-DD is not a day of the calendar, or None when it is one (or is not
    shaped like one): "2026-11-31 is not a date: November has 30 days"."""
    import calendar

    match = _ISO_DAY_RE.match((text or "").strip())
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    shown = match.group(0).rstrip("T ")
    if not 1 <= month <= 12:
        return _("{text} is not a date: there is no month {month} (months are 01 to 12)").format(text=shown, month=month)
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if day == 0:
        return _("{text} is not a date: days start at 01").format(text=shown)
    if day > days:
        name = _month_names()[month - 1]
        if month == 2:
            return _("{text} is not a date: February {year} has {days} days").format(text=shown, year=year, days=days)
        return _("{text} is not a date: {month} has {days} days").format(text=shown, month=name, days=days)
    if year < 1:
        return _("{text} is not a date: years start at 0001").format(text=shown)
    return None


def parse_day(text: str, *, option: str = "--date") -> date:
    """A day typed as YYYY-MM-DD. BadInput says why a day is not one of the calendar
    ("2026-11-31 is not a date: November has 30 days") or what shape is expected."""
    raw = (text or "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    problem = date_problem(raw)
    if problem:
        raise BadInput(problem)
    raise BadInput(_("bad {option} {text!r}: expected YYYY-MM-DD").format(option=option, text=text))


# ---- "when" as people type it ----------------------------------------------------------------

_REL_RE = re.compile(r"^\+([0-9]+)\s*(m|min|h|d)$")
_HM_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
# `03.12 11:00`, `03.12.2026 11:00`, `03.12`: day first, as Russians and most of Europe write it.
_DM_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4}))?(?:\s+(?:в\s+|at\s+)?(\d{1,2})(?::(\d{2}))?)?$")
# `завтра 11`, `пн в 10`, `tomorrow at 9`: a bare hour after a day word means HH:00.
_BARE_HOUR_RE = re.compile(r"^(.*\D)\s(?:в\s|at\s)?(\d{1,2})$")
_DATEPARSER_LANGS = ["ru", "en"]


def when_examples() -> str:
    """What the time box accepts, in the user's language, with dates in the future."""
    day = to_local(now()).date() + timedelta(days=3)
    return _("15:30, tomorrow 11, mon 10:00, in 2 hours, +3h, {date} 11:00").format(date=day.strftime("%d.%m"))


def _bad_when(text: str) -> BadInput:
    return BadInput(_("cannot read time {text!r}; try {examples}").format(text=text, examples=when_examples()))


def parse_when(text: str, *, base: datetime | None = None, future: bool = False, natural: bool = True) -> datetime:
    """Parse a time a person types, in local time, Russian or English; returns UTC.

    Exact forms first: ISO (`2026-11-24T15:00`, `2026-11-24 15:00`, `2026-11-24` = 09:00),
    `HH:MM` (today), `03.12 11:00` (day.month, this year or next), `tomorrow [HH:MM]`, and
    offsets `+30m`, `+2h`, `+1d`. Anything else goes to dateparser with `base` (default: now(),
    so YOOLLA_NOW) as "now": `завтра в 11:30`, `пн 10:00`, `через 2 часа`, `+3ч`, `in 3 days`.
    With `future` (a call-back, a next call), a date without a year is the next one to come,
    and a time already past is refused. BadInput names the typed text and gives examples in the user's language.
    """
    base = base or now()
    raw = " ".join((text or "").strip().lower().split())
    local_base = to_local(base)
    if not raw:
        raise _bad_when(text)
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
    if words[0] in ("today", "tomorrow", "сегодня", "завтра") and (
            len(words) == 1 or (len(words) == 2 and _HM_RE.match(words[1]))):
        day = local_base.date() + timedelta(days=0 if words[0] in ("today", "сегодня") else 1)
        clock_time = _parse_hm(words[1], text) if len(words) == 2 else time(9, 0)
        return _checked(at_local(day, clock_time), base, future, text)
    if _HM_RE.match(raw):
        return _checked(at_local(local_base.date(), _parse_hm(raw, text)), base, future, text)
    dm = _DM_RE.match(raw)
    if dm:
        return _checked(_day_month(dm, local_base, future, text), base, future, text)
    try:
        if len(raw) == 10:
            return _checked(at_local(date.fromisoformat(raw), time(9, 0)), base, future, text)
        return _checked(to_utc(datetime.fromisoformat(raw.upper().replace(" ", "T"))), base, future, text)
    except ValueError:
        if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", raw):  # an ISO date that is not one (2026-13-01): never guessed at
            problem = date_problem(raw)
            raise BadInput(problem) if problem else _bad_when(text)
    if not natural:
        raise _bad_when(text)  # exact forms only (`audit --since` keeps its own short list)
    return _checked(_dateparser(raw, local_base, future, text), base, future, text)


def _day_month(match: re.Match, local_base: datetime, future: bool, text: str) -> datetime:
    day, month, year, hour, minute = match.groups()
    clock_time = _parse_hm(f"{hour}:{minute or '00'}", text) if hour else time(9, 0)
    years = [int(year) + (2000 if len(year) == 2 else 0)] if year else [local_base.year, local_base.year + 1]
    for candidate in years:
        try:
            moment = at_local(date(candidate, int(month), int(day)), clock_time)
        except ValueError:
            raise _bad_when(text)
        if year or not future or moment > local_base:
            return moment
    return moment


def _dateparser(raw: str, local_base: datetime, future: bool, text: str) -> datetime:
    import dateparser  # loads its language data (~0.5 s): only when an exact form did not match

    bare = _BARE_HOUR_RE.match(raw)
    if bare and int(bare.group(2)) < 24:
        raw = f"{bare.group(1)} {bare.group(2)}:00"
    settings = {"RELATIVE_BASE": local_base.replace(tzinfo=None), "DATE_ORDER": "DMY",
                "PREFER_DATES_FROM": "future" if future else "current_period", "RETURN_AS_TIMEZONE_AWARE": False}
    parsed = dateparser.parse(raw, languages=_DATEPARSER_LANGS, settings=settings)
    if parsed is None:
        raise _bad_when(text)
    return to_utc(parsed.replace(tzinfo=local_base.tzinfo))


def _checked(moment: datetime, base: datetime, future: bool, text: str) -> datetime:
    if future and moment <= base:
        raise BadInput(_("{text!r} is {when}, already past; a next call is in the future: try {examples}").format(
            text=text, when=show(moment), examples=when_examples()))
    return moment


def _parse_hm(value: str, original: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    try:
        return time(hours, minutes)
    except ValueError:
        raise _bad_when(original)
