"""Business days and working hours: where the queue puts a call in time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays as holidays_lib
from sqlmodel import Session

from yoolla_tui.core.kernel import clock, settings


@lru_cache(maxsize=32)
def holidays_for(country: str, year: int):
    if not country:
        return {}
    try:
        return holidays_lib.country_holidays(country, years=year, language="en_US")
    except NotImplementedError:
        return {}


class WorkCalendar:
    """Working days and hours read once from settings."""

    def __init__(self, session: Session) -> None:
        self.start = settings.get_time(session, "work_start")
        self.end = settings.get_time(session, "work_end")
        self.days = set(settings.get(session, "work_days"))
        self.country = settings.get(session, "holidays_country")

    def is_business_day(self, day: date) -> bool:
        return day.isoweekday() in self.days and day not in holidays_for(self.country, day.year)

    def next_business_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, count: int) -> date:
        for _ in range(count):
            day = self.next_business_day(day)
        return day

    def into_working_hours(self, when: datetime) -> datetime:
        """The same moment if it is inside working hours, else the next working-day start."""
        local = clock.to_local(when)
        day = local.date()
        if self.is_business_day(day):
            if local.time() < self.start:
                return clock.at_local(day, self.start)
            if local.time() < self.end:
                return when
        return clock.at_local(self.next_business_day(day), self.start)

    def followup(self, when: datetime, business_days: int) -> datetime:
        """The start of the working day `business_days` after `when` (0: as soon as possible)."""
        if business_days <= 0:
            return self.into_working_hours(when)
        day = self.add_business_days(clock.to_local(when).date(), business_days)
        return clock.at_local(day, self.start)

    def stage_deadline(self, when: datetime, budget_days: int | None) -> datetime | None:
        """The end of the working day on which a stage's time budget of `budget_days` business
        days runs out, the day the deal entered counting as the first (None: no budget)."""
        if not budget_days or budget_days <= 0:
            return None
        day = clock.to_local(when).date()
        if not self.is_business_day(day):
            day = self.next_business_day(day)
        day = self.add_business_days(day, budget_days - 1)
        return clock.at_local(day, self.end)
