"""The one clock: YOOLLA_NOW, YOOLLA_TZ, times as people type them, ISO weeks."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import BadInput

UTC = timezone.utc


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_now_honours_yoolla_now(monkeypatch):
    monkeypatch.setenv("YOOLLA_NOW", "2026-11-24T10:30:00+03:00")
    assert clock.now() == utc(2026, 11, 24, 7, 30)
    assert clock.now().tzinfo == UTC
    assert clock.today() == date(2026, 11, 24)


def test_naive_yoolla_now_is_local_time(monkeypatch):
    monkeypatch.setenv("YOOLLA_NOW", "2026-11-24T10:30")
    assert clock.now() == utc(2026, 11, 24, 7, 30)  # Moscow is UTC+3
    monkeypatch.setenv("YOOLLA_TZ", "Asia/Novosibirsk")
    assert clock.now() == utc(2026, 11, 24, 3, 30)  # UTC+7


def test_local_midnight_is_the_local_day(monkeypatch):
    # 00:30 in Moscow is still the previous day in UTC: "today" must be the local date.
    monkeypatch.setenv("YOOLLA_NOW", "2026-11-24T00:30:00+03:00")
    assert clock.today() == date(2026, 11, 24)
    assert clock.local_day_bounds(date(2026, 11, 24)) == (utc(2026, 11, 23, 21), utc(2026, 11, 24, 21))


def test_bad_yoolla_now_and_zone(monkeypatch):
    monkeypatch.setenv("YOOLLA_NOW", "next tuesday")
    with pytest.raises(BadInput, match=r"^YOOLLA_NOW=next tuesday is not an ISO 8601 date-time \(e\.g\. 2026-11-23T09:30\)$"):
        clock.now()
    monkeypatch.setenv("YOOLLA_TZ", "Mars/Olympus")
    with pytest.raises(BadInput, match=r"^YOOLLA_TZ=Mars/Olympus is not a known time zone \(try Europe/Moscow\)$"):
        clock.local_tz()


def test_frozen_wins_over_the_environment():
    with clock.frozen(datetime(2026, 11, 27, 12, 0, tzinfo=UTC)):
        assert clock.now() == utc(2026, 11, 27, 12)
    assert clock.now() == utc(2026, 11, 23, 5)  # conftest: 2026-11-23T08:00+03:00


def test_stored_utc_shown_local():
    moment = utc(2026, 11, 23, 6, 0)
    assert clock.iso(moment) == "2026-11-23T09:00:00+03:00"
    assert clock.show(moment) == "2026-11-23 09:00"
    assert clock.iso(None) is None and clock.show(None) == ""
    assert clock.to_utc(datetime(2026, 11, 23, 9, 0)) == moment  # naive = local
    assert clock.at_local(date(2026, 11, 23), datetime(2000, 1, 1, 9).time()) == moment


BASE = utc(2026, 11, 23, 7, 0)  # Monday 10:00 in Moscow


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-24T15:00", utc(2026, 11, 24, 12)),
    ("2026-11-24 15:00", utc(2026, 11, 24, 12)),
    ("2026-11-24T15:00+00:00", utc(2026, 11, 24, 15)),
    ("2026-11-24", utc(2026, 11, 24, 6)),  # a date alone: 09:00 local
    ("15:00", utc(2026, 11, 23, 12)),
    ("9:05", utc(2026, 11, 23, 6, 5)),
    ("today", utc(2026, 11, 23, 6)),
    ("tomorrow", utc(2026, 11, 24, 6)),
    ("Tomorrow 10:00", utc(2026, 11, 24, 7)),
    ("завтра 11:30", utc(2026, 11, 24, 8, 30)),
    ("+2h", utc(2026, 11, 23, 9)),
    ("+30m", utc(2026, 11, 23, 7, 30)),
    ("+45min", utc(2026, 11, 23, 7, 45)),
    ("+1d", utc(2026, 11, 24, 7)),
    # as operators type them (dateparser, with our clock as "now")
    ("03.12 11:00", utc(2026, 12, 3, 8)),
    ("03.12.2026 11:00", utc(2026, 12, 3, 8)),
    ("завтра 11", utc(2026, 11, 24, 8)),
    ("завтра в 11:30", utc(2026, 11, 24, 8, 30)),
    ("tomorrow at 10", utc(2026, 11, 24, 7)),
    ("через 2 часа", utc(2026, 11, 23, 9)),
    ("+3ч", utc(2026, 11, 23, 10)),
    ("in 3 days", utc(2026, 11, 26, 7)),
])
def test_parse_when(text, expected):
    assert clock.parse_when(text, base=BASE) == expected


@pytest.mark.parametrize("text", ["", "someday", "25:00", "24:00", "31.02 10:00"])
def test_parse_when_refuses_with_examples_in_the_future(text, monkeypatch):
    monkeypatch.setenv("YOOLLA_NOW", "2026-11-23T10:00:00+03:00")
    with pytest.raises(BadInput, match=r"^cannot read time .*; try 15:30, tomorrow 11, mon 10:00, in 2 hours, \+3h, 26.11 11:00$"):
        clock.parse_when(text, base=BASE)


def test_parse_when_names_a_month_that_does_not_exist():
    """A typed date with month 13 is a date that does not exist, said as such (not "cannot read")."""
    with pytest.raises(BadInput, match=r"^2026-13-01 is not a date: there is no month 13"):
        clock.parse_when("2026-13-01", base=BASE)


def test_a_next_call_is_in_the_future(monkeypatch):
    """`future`: a date without a year is the next one; a time already past is refused."""
    monkeypatch.setenv("YOOLLA_NOW", "2026-12-30T10:00:00+03:00")
    assert clock.parse_when("03.01 11:00", future=True) == utc(2027, 1, 3, 8)
    assert clock.parse_when("пн 10:00", future=True) == utc(2027, 1, 4, 7)  # Wednesday now: next Monday
    with pytest.raises(BadInput, match="already past"):
        clock.parse_when("09:30", future=True)


def test_examples_follow_the_language(monkeypatch):
    monkeypatch.setenv("YOOLLA_NOW", "2026-11-23T10:00:00+03:00")
    monkeypatch.setenv("YOOLLA_LANG", "ru")
    with pytest.raises(BadInput, match="завтра 11"):
        clock.parse_when("когда-нибудь")


@pytest.mark.parametrize(("week", "monday"), [
    ("2026-W48", date(2026, 11, 23)),
    (" 2026-W01 ", date(2025, 12, 29)),  # ISO week 1 may start in December
    ("2026-W53", date(2026, 12, 28)),  # 2026 has 53 ISO weeks
    ("2027-W01", date(2027, 1, 4)),
])
def test_parse_week(week, monday):
    start, end = clock.parse_week(week)
    assert (start, (end - start).days, start.isoweekday()) == (monday, 6, 1)
    assert clock.week_of(start) == week.strip() and clock.week_of(end) == week.strip()


@pytest.mark.parametrize(("week", "message"), [
    ("2026-48", "bad week '2026-48': expected an ISO week like 2026-W48"),
    ("2026W48", "bad week '2026W48': expected an ISO week like 2026-W48"),
    ("2026-W4", "bad week '2026-W4': expected an ISO week like 2026-W48"),
    ("2026-W54", "bad week '2026-W54': 2026 has no week 54"),
    ("2027-W53", "bad week '2027-W53': 2027 has no week 53"),
    ("2026-W00", "bad week '2026-W00': 2026 has no week 0"),
    ("", "bad week '': expected an ISO week like 2026-W48"),
])
def test_parse_week_refuses(week, message):
    with pytest.raises(BadInput) as error:
        clock.parse_week(week)
    assert error.value.message == message


def test_next_week_crosses_the_year():
    assert clock.next_week("2026-W48") == "2026-W49"
    assert clock.next_week("2026-W53") == "2027-W01"
    assert clock.week_of(date(2027, 1, 1)) == "2026-W53"
