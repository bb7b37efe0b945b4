"""The forecast (issue 15 acceptance): two executors, a chain across them, a public holiday
(4 November, Unity Day) and a weekend; exact datetimes and the recorded `why` chain."""

from __future__ import annotations

import pytest

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.work import forecast, orders, tasks
from yoolla_tui.core.people import work_schedule

from tests.core.tasks_world import MONDAY, build_tasks, chain
from tests.core.world import at


@pytest.fixture
def w(admin, session):
    w = build_tasks(session)
    w.logo, w.design, w.build, w.testing = chain(session, w)
    return w


def _dates(fc, task):
    item = fc.items[task.id]
    return clock.iso(item.start), clock.iso(item.finish)


def test_forecast_walks_queues_dependencies_holiday_and_weekend(w):
    with clock.frozen(at(MONDAY)):
        fc = forecast.compute(w.session)
    assert _dates(fc, w.logo) == ("2026-11-02T09:00:00+03:00", "2026-11-02T11:00:00+03:00")
    assert _dates(fc, w.design) == ("2026-11-02T11:00:00+03:00", "2026-11-03T18:00:00+03:00")
    # Design ends Tuesday evening; Wednesday 4 November is a public holiday: build starts Thursday.
    assert _dates(fc, w.build) == ("2026-11-05T09:00:00+03:00", "2026-11-05T17:00:00+03:00")
    # Testing: 1 h on Thursday, 9 h on Friday, the weekend, 2 h on Monday.
    assert _dates(fc, w.testing) == ("2026-11-05T17:00:00+03:00", "2026-11-09T11:00:00+03:00")
    assert fc.order_ready(w.order.id).task_id == w.testing.id


def test_why_is_the_recorded_chain(w):
    with clock.frozen(at(MONDAY)):
        why = orders.why(session=w.session, actor=w.anna, order_id=w.order.id)
    assert why["ready_at"] == "2026-11-09T11:00:00+03:00"
    steps = [(s["task"], s["user"], s["kind"], s["start"], s["finish"], s["first_day"], s["last_day"]) for s in why["steps"]]
    L, D, B, T = w.logo.id, w.design.id, w.build.id, w.testing.id
    assert steps == [
        (L, "egor", "now", "2026-11-02T09:00:00+03:00", None, None, None),
        (L, "egor", "work", "2026-11-02T09:00:00+03:00", "2026-11-02T11:00:00+03:00", None, None),
        (D, "egor", "queue", "2026-11-02T11:00:00+03:00", None, None, None),
        (D, "egor", "work", "2026-11-02T11:00:00+03:00", "2026-11-03T18:00:00+03:00", None, None),
        (B, "fedor", "blocker", "2026-11-03T18:00:00+03:00", None, None, None),
        (B, "fedor", "holiday", None, None, "2026-11-04", "2026-11-04"),
        (B, "fedor", "work", "2026-11-05T09:00:00+03:00", "2026-11-05T17:00:00+03:00", None, None),
        (T, "egor", "blocker", "2026-11-05T17:00:00+03:00", None, None, None),
        (T, "egor", "weekend", None, None, "2026-11-07", "2026-11-08"),
        (T, "egor", "work", "2026-11-05T17:00:00+03:00", "2026-11-09T11:00:00+03:00", None, None),
    ]
    texts = [s["what"] for s in why["steps"]]
    assert texts[4] == f"waits for task {D} (egor) to finish"
    assert texts[5] == "public holiday 2026-11-04 (Unity Day)"
    assert texts[8] == "day off 2026-11-07..2026-11-08 (weekend)"


def test_leave_and_custom_hours_move_the_date(w):
    with clock.frozen(at(MONDAY)):
        work_schedule.add_leave(session=w.session, actor=w.irina, login="fedor", first_day=at(MONDAY).date().replace(day=5),
                                last_day=at(MONDAY).date().replace(day=6), note="отпуск")
        work_schedule.set_hours(session=w.session, actor=w.irina, login="fedor", days="sat", hours="10:00-14:00")
        fc = forecast.compute(w.session)
        why = tasks.why(session=w.session, actor=w.irina, task_id=w.build.id)
    # Thursday and Friday on leave; fedor works Saturdays 10-14: 4 h there, 4 h on Monday.
    assert _dates(fc, w.build) == ("2026-11-07T10:00:00+03:00", "2026-11-09T13:00:00+03:00")
    kinds = [(s["kind"], s["first_day"], s["last_day"]) for s in why["steps"] if s["task"] == w.build.id]
    assert ("holiday", "2026-11-04", "2026-11-04") in kinds
    assert ("leave", "2026-11-05", "2026-11-06") in kinds
    assert ("weekend", "2026-11-08", "2026-11-08") in kinds


def test_forecast_is_deterministic_and_counts_time_spent(w):
    with clock.frozen(at(MONDAY)):
        first = {k: (v.start, v.finish) for k, v in forecast.compute(w.session).items.items()}
        second = {k: (v.start, v.finish) for k, v in forecast.compute(w.session).items.items()}
    assert first == second


def test_why_folds_a_run_of_queued_tasks_into_one_step(admin, session):
    w = build_tasks(session)
    with clock.frozen(at(MONDAY)):
        ids = [tasks.add_task(session=session, actor=w.anna, order_id=w.order.id, title=f"T{n}", type="print",
                              assignee="egor", estimate="3h").id for n in range(5)]
        why = tasks.why(session=session, actor=w.egor, task_id=ids[-1])
    rows = [(s["task"], s["kind"], s["start"], s["finish"], s["what"]) for s in why["steps"]]
    assert rows == [
        (ids[0], "now", "2026-11-02T09:00:00+03:00", None, "egor is free now"),
        (ids[0], "work", "2026-11-02T09:00:00+03:00", "2026-11-02T12:00:00+03:00", "works 'T0': 3h"),
        (None, "queue", "2026-11-02T12:00:00+03:00", "2026-11-03T12:00:00+03:00",
         f"3 tasks ahead in egor's queue ({ids[1]}, {ids[2]}, {ids[3]})"),
        (ids[4], "queue", "2026-11-03T12:00:00+03:00", None, f"after task {ids[3]} in egor's queue"),
        (ids[4], "work", "2026-11-03T12:00:00+03:00", "2026-11-03T15:00:00+03:00", "works 'T4': 3h"),
    ]
