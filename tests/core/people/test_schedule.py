"""Business days (weekends and Russian public holidays) and working hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.kernel.models import Setting
from yoolla_tui.core.people.calendar import WorkCalendar

MSK = timezone(timedelta(hours=3))


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MSK).astimezone(timezone.utc)


@pytest.fixture
def calendar(engine) -> WorkCalendar:
    with db.session_scope(engine) as session:
        return WorkCalendar(session)


@pytest.mark.parametrize(("day", "business"), [
    (date(2026, 11, 3), True),  # Tuesday
    (date(2026, 11, 4), False),  # Wednesday, Unity Day
    (date(2026, 11, 28), False),  # Saturday
    (date(2026, 11, 29), False),  # Sunday
    (date(2026, 12, 31), False),  # Thursday, a transferred day off
    (date(2027, 1, 8), False),  # New Year holidays
    (date(2027, 1, 11), True),  # the first working Monday of 2027
])
def test_business_days(calendar, day, business):
    assert calendar.is_business_day(day) is business


@pytest.mark.parametrize(("entered", "days", "due"), [
    (msk(2026, 11, 23, 9, 15), 1, msk(2026, 11, 24, 9)),  # Monday -> Tuesday 09:00
    (msk(2026, 11, 27, 16, 0), 1, msk(2026, 11, 30, 9)),  # Friday -> Monday
    (msk(2026, 11, 28, 11, 0), 1, msk(2026, 11, 30, 9)),  # Saturday -> Monday
    (msk(2026, 11, 3, 10, 0), 1, msk(2026, 11, 5, 9)),  # Tuesday -> Thursday: 4 November is a holiday
    (msk(2026, 11, 2, 10, 0), 2, msk(2026, 11, 5, 9)),
    (msk(2026, 11, 26, 23, 30), 1, msk(2026, 11, 27, 9)),  # late evening counts from its local day
    (msk(2026, 12, 30, 12, 0), 1, msk(2027, 1, 11, 9)),  # over the New Year holidays
    (msk(2026, 11, 23, 12, 0), 0, msk(2026, 11, 23, 12)),  # 0: as soon as possible
    (msk(2026, 11, 23, 19, 0), 0, msk(2026, 11, 24, 9)),
])
def test_followup(calendar, entered, days, due):
    assert calendar.followup(entered, days) == due


@pytest.mark.parametrize(("when", "expected"), [
    (msk(2026, 11, 23, 7, 0), msk(2026, 11, 23, 9)),  # before opening: 09:00 the same day
    (msk(2026, 11, 23, 9, 0), msk(2026, 11, 23, 9)),
    (msk(2026, 11, 23, 17, 59), msk(2026, 11, 23, 17, 59)),
    (msk(2026, 11, 23, 18, 0), msk(2026, 11, 24, 9)),  # closing time is outside
    (msk(2026, 11, 27, 19, 0), msk(2026, 11, 30, 9)),  # Friday evening -> Monday
    (msk(2026, 11, 4, 11, 0), msk(2026, 11, 5, 9)),  # a holiday -> the next working day
])
def test_into_working_hours(calendar, when, expected):
    assert calendar.into_working_hours(when) == expected


def test_settings_change_the_hours_and_days(engine):
    with db.session_scope(engine) as session:
        session.add_all([Setting(key="work_start", value="10:00"), Setting(key="work_end", value="19:00"),
                         Setting(key="work_days", value=[1, 2, 3, 4, 5, 6]), Setting(key="holidays_country", value="")])
    with db.session_scope(engine) as session:
        calendar = WorkCalendar(session)
    assert calendar.into_working_hours(msk(2026, 11, 23, 9, 30)) == msk(2026, 11, 23, 10)
    assert calendar.into_working_hours(msk(2026, 11, 23, 18, 30)) == msk(2026, 11, 23, 18, 30)
    assert calendar.into_working_hours(msk(2026, 11, 27, 19, 30)) == msk(2026, 11, 28, 10)  # Saturday works
    assert calendar.is_business_day(date(2026, 11, 4))  # no holidays
    assert calendar.followup(msk(2026, 11, 28, 12, 0), 1) == msk(2026, 11, 30, 10)


# The calendar fixture is only read, so sharing it across examples is safe.
@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(when=st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 12, 31), timezones=st.just(timezone.utc)))
def test_into_working_hours_always_lands_inside(calendar, when):
    moved = calendar.into_working_hours(when)
    local = clock.to_local(moved)
    assert moved >= when
    assert calendar.is_business_day(local.date())
    assert time(9, 0) <= local.time() < time(18, 0)
    # Never further than needed: inside working hours nothing moves, otherwise it is an opening time.
    assert moved == when or local.time() == time(9, 0)
    # And no earlier working moment was skipped: every business day between starts after `moved`.
    day = clock.to_local(when).date()
    if moved != when:
        while day < local.date():
            opening = clock.at_local(day, time(9, 0))
            assert not (calendar.is_business_day(day) and opening >= when), day
            day += timedelta(days=1)
