"""Each user's work schedule: hours per weekday, leaves, and the public holidays of
`core/schedule.py` (the same holiday source as the call queue). The forecast walks work through it.

A user without `work_day` rows works the default week from settings (Mon–Fri 09:00–18:00).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import delete, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, settings
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import BadInput, Conflict
from yoolla_tui.core.kernel.i18n import _, current_language
from yoolla_tui.core.kernel.models import Leave, User, WorkDay
from yoolla_tui.core.kernel.permissions import require_schedule_reader, require_schedule_writer
from yoolla_tui.core.people.calendar import holidays_for
from yoolla_tui.core.kernel.text import checked as checked_text

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A schedule with no working time at all would make the walk run forever: stop after ten years.
_MAX_DAYS = 3660


@lru_cache(maxsize=32)
def _holiday_names_ru(country: str, year: int):
    import holidays as holidays_lib  # 0.1 s to import: not on the dashboard's way to its first screen

    try:
        return holidays_lib.country_holidays(country, years=year, language="ru")
    except (NotImplementedError, ValueError):
        return {}


def holiday_name(country: str, day: date) -> str:
    """The holiday's name in the user's language (English names come from calendar.holidays_for)."""
    if current_language() == "ru":
        name = _holiday_names_ru(country, day.year).get(day)
        if name:
            return name
    return holidays_for(country, day.year).get(day, "")


def _hm(text: str) -> time:
    try:
        hours, minutes = str(text).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise BadInput(_("bad time {text!r}: expected HH:MM, e.g. 09:00").format(text=text))


class UserSchedule:
    """When one user works: `hours(day)` and `walk(start, minutes)` through their working time."""

    def __init__(self, *, user_id: int, week: dict[int, tuple[time, time] | None], leaves: list[tuple[date, date]],
                 country: str, day_cache: dict | None = None) -> None:
        self.user_id = user_id
        self.week = week
        self.leaves = sorted(leaves)
        self.country = country
        # Users with the same week and no leaves share one cache of working days (see load()).
        self._days: dict[date, tuple | None] = day_cache if day_cache is not None else {}
        self._tz = clock.local_tz()

    def _day(self, day: date) -> tuple | None:
        """(start, end) of the working day in UTC, or None on a day off (cached: walks revisit days)."""
        if day not in self._days:
            if self.off_reason(day) is not None:
                self._days[day] = None
            else:
                first, last = self.week[day.isoweekday()]
                self._days[day] = (clock.at_local(day, first), clock.at_local(day, last))
        return self._days[day]

    def off_reason(self, day: date) -> dict | None:
        """Why `day` is not a working day for this user ({kind: leave|holiday|weekend}), or None."""
        for first, last in self.leaves:
            if first <= day <= last:
                return {"kind": "leave", "first": first, "last": last}
        if self.country and day in holidays_for(self.country, day.year):
            return {"kind": "holiday", "name": holiday_name(self.country, day)}
        if self.week.get(day.isoweekday()) is None:
            return {"kind": "weekend"}
        return None

    def walk(self, start: datetime, minutes: int, pushes: list[dict] | None = None) -> tuple[datetime, datetime]:
        """Work `minutes` from `start` in this user's working time: (when work starts, when it ends).

        Each day off met on the way is appended to `pushes` ({kind, first, last, name}), consecutive
        days of the same kind merged: the forecast keeps them as the reasons a date moved.
        """
        day = start.astimezone(self._tz).date()
        cursor: datetime | None = start
        remaining = timedelta(minutes=max(minutes, 0))
        began: datetime | None = None
        for _step in range(_MAX_DAYS):
            hours = self._day(day)
            if hours is None:
                if pushes is not None:
                    _push(pushes, self.off_reason(day), day)
                day += timedelta(days=1)
                cursor = None
                continue
            day_start, day_end = hours
            begin = day_start if cursor is None or cursor < day_start else cursor
            if begin >= day_end:
                day += timedelta(days=1)
                cursor = None
                continue
            if began is None:
                began = begin
            if begin + remaining <= day_end:
                return began, begin + remaining
            remaining -= day_end - begin
            day += timedelta(days=1)
            cursor = None
        raise Conflict(_("user {id} has no working hours in the next ten years; set a schedule (yoolla schedule set)").format(
            id=self.user_id))


def _push(pushes: list[dict], off: dict, day: date) -> None:
    last = pushes[-1] if pushes else None
    if last and last["kind"] == off["kind"] and last["last"] == day - timedelta(days=1) and off["kind"] != "leave":
        last["last"] = day
        if off.get("name") and off["name"] not in last["name"]:
            last["name"] = f"{last['name']}, {off['name']}" if last["name"] else off["name"]
        return
    if last and last["kind"] == "leave" and off["kind"] == "leave" and last["last"] >= day - timedelta(days=1):
        last["last"] = day
        return
    pushes.append({"kind": off["kind"], "first": day, "last": day, "name": off.get("name", "")})


def default_week(session: Session) -> dict[int, tuple[time, time] | None]:
    start, end = settings.get_time(session, "work_start"), settings.get_time(session, "work_end")
    days = set(settings.get(session, "work_days"))
    return {d: ((start, end) if d in days else None) for d in range(1, 8)}


def load(session: Session, user_ids: list[int] | None = None) -> dict[int, UserSchedule]:
    """Schedules of the given users (all users when None), in two queries."""
    base = default_week(session)
    country = settings.get(session, "holidays_country")
    weeks: dict[int, dict] = {}
    days_stmt = select(WorkDay)
    leaves_stmt = select(Leave)
    if user_ids is not None:
        days_stmt = days_stmt.where(WorkDay.user_id.in_(user_ids))
        leaves_stmt = leaves_stmt.where(Leave.user_id.in_(user_ids))
    for row in session.scalars(days_stmt):
        weeks.setdefault(row.user_id, dict(base))[row.weekday] = (
            (_hm(row.start), _hm(row.end)) if row.start and row.end else None)
    leaves: dict[int, list] = {}
    for row in session.scalars(leaves_stmt):
        leaves.setdefault(row.user_id, []).append((row.first_day, row.last_day))
    ids = user_ids if user_ids is not None else list(session.scalars(select(User.id)))
    shared: dict[tuple, dict] = {}
    out = {}
    for uid in ids:
        week = weeks.get(uid, base)
        cache = None if uid in leaves else shared.setdefault(tuple(sorted(week.items())), {})
        out[uid] = UserSchedule(user_id=uid, week=week, leaves=leaves.get(uid, []), country=country, day_cache=cache)
    return out


# ---- services ------------------------------------------------------------------------------

def show(*, session: Session, actor: User, login: str | None = None, days: int = 14) -> dict:
    """A user's week (hours per weekday), leaves, and the next `days` days marked work or off."""
    user = users.get_by_login(session, login) if login else actor
    require_schedule_reader(actor, user)
    sched = load(session, [user.id])[user.id]
    week = [{"weekday": WEEKDAYS[d - 1], "start": hours[0].strftime("%H:%M") if hours else None,
             "end": hours[1].strftime("%H:%M") if hours else None}
            for d, hours in sorted(sched.week.items())]
    leaves = [{"id": row.id, "first_day": row.first_day.isoformat(), "last_day": row.last_day.isoformat(), "note": row.note}
              for row in session.scalars(select(Leave).where(Leave.user_id == user.id).order_by(Leave.first_day))]
    today = clock.today()
    upcoming = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        off = sched.off_reason(day)
        hours = sched.week.get(day.isoweekday())
        upcoming.append({"date": day.isoformat(), "weekday": WEEKDAYS[day.isoweekday() - 1],
                         "off": off["kind"] if off else None, "name": (off or {}).get("name") or None,
                         "hours": None if off else f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"})
    return {"user": user.login, "week": week, "leaves": leaves, "days": upcoming}


def parse_weekdays(text: str) -> list[int]:
    """`mon-fri`, `sat`, `mon,wed,fri` -> ISO weekday numbers."""
    out: list[int] = []
    for part in (text or "").lower().split(","):
        part = part.strip()
        if "-" in part:
            first, last = part.split("-", 1)
            if first not in WEEKDAYS or last not in WEEKDAYS:
                raise BadInput(_("bad days {text!r}: use mon..sun, e.g. mon-fri or sat,sun").format(text=text))
            a, b = WEEKDAYS.index(first) + 1, WEEKDAYS.index(last) + 1
            out.extend(range(a, b + 1) if a <= b else [])
        elif part in WEEKDAYS:
            out.append(WEEKDAYS.index(part) + 1)
        else:
            raise BadInput(_("bad days {text!r}: use mon..sun, e.g. mon-fri or sat,sun").format(text=text))
    if not out:
        raise BadInput(_("bad days {text!r}: use mon..sun, e.g. mon-fri or sat,sun").format(text=text))
    return sorted(set(out))


def set_hours(*, session: Session, actor: User, login: str, days: str, hours: str) -> dict:
    """Set `login`'s hours on `days` (`mon-fri`) to `hours` (`10:00-19:00`, or `off`)."""
    user = users.get_by_login(session, login)
    require_schedule_writer(actor, user)
    numbers = parse_weekdays(days)
    if hours.strip().lower() == "off":
        start = end = None
    else:
        try:
            first, last = hours.split("-", 1)
        except ValueError:
            raise BadInput(_("bad hours {text!r}: expected HH:MM-HH:MM or off").format(text=hours))
        start, end = _hm(first.strip()), _hm(last.strip())
        if end <= start:
            raise BadInput(_("bad hours {text!r}: the end must be after the start").format(text=hours))
        start, end = start.strftime("%H:%M"), end.strftime("%H:%M")
    current = load(session, [user.id])[user.id].week
    for number in range(1, 8):
        row = session.get(WorkDay, (user.id, number))
        if number in numbers:
            value = (start, end)
        elif row is None:
            hours_now = current[number]
            value = (hours_now[0].strftime("%H:%M"), hours_now[1].strftime("%H:%M")) if hours_now else (None, None)
        else:
            continue
        if row is None:
            session.add(WorkDay(user_id=user.id, weekday=number, start=value[0], end=value[1]))
        else:
            row.start, row.end = value
    session.flush()
    audit.record(session, actor, "schedule.set", "user", user.id, days=numbers, start=start, end=end)
    return show(session=session, actor=actor, login=user.login)


def add_leave(*, session: Session, actor: User, login: str, first_day: date, last_day: date, note: str = "") -> Leave:
    """Mark days `first_day`..`last_day` (both included) as leave for `login`."""
    user = users.get_by_login(session, login)
    require_schedule_writer(actor, user)
    if last_day < first_day:
        raise BadInput(_("the leave ends ({last}) before it starts ({first})").format(last=last_day, first=first_day))
    note = checked_text(note, field=_("the note"), limit=500)
    leave = Leave(user_id=user.id, first_day=first_day, last_day=last_day, note=note)
    session.add(leave)
    session.flush()
    audit.record(session, actor, "schedule.leave", "user", user.id, leave=leave.id, first_day=first_day,
                 last_day=last_day, note=note)
    return leave


def remove_leaves(*, session: Session, actor: User, login: str) -> int:
    """Clear every leave of `login` (audited); returns how many."""
    user = users.get_by_login(session, login)
    require_schedule_writer(actor, user)
    count = session.execute(delete(Leave).where(Leave.user_id == user.id)).rowcount
    audit.record(session, actor, "schedule.leave_clear", "user", user.id, removed=count)
    return count
