"""The traffic light (seed 003): red when the call is overdue or the stage's budget ran out,
yellow when either falls later today, green otherwise; the SQL twin selects the same deals."""

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from tests.core.world import at, build
from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.calls import deals
from yoolla_tui.core.funnel import light
from yoolla_tui.core.kernel.models import Deal
from yoolla_tui.core.people.calendar import WorkCalendar

NOW = at("2026-11-25 12:00")  # a Wednesday


@pytest.mark.parametrize("next_call,stage_due,expected", [
    (None, None, "green"),
    ("2026-11-25 11:59", None, "red"),          # call overdue
    ("2026-11-25 17:00", None, "yellow"),       # due later today
    ("2026-11-26 09:00", None, "green"),
    (None, "2026-11-25 10:00", "red"),          # stage budget ran out this morning
    (None, "2026-11-25 18:00", "yellow"),       # runs out tonight
    ("2026-11-26 09:00", "2026-11-25 18:00", "yellow"),
    ("2026-11-26 09:00", "2026-11-24 18:00", "red"),
    ("2026-11-25 23:59", None, "yellow"),       # still today in Moscow
    ("2026-11-26 00:00", None, "green"),
])
def test_light_of(next_call, stage_due, expected):
    value = light.light_of(NOW, at(next_call) if next_call else None, at(stage_due) if stage_due else None)
    assert value == expected


def test_closed_deals_have_no_light():
    assert light.light_of(NOW, at("2026-11-20 10:00"), None, closed=True) is None


def test_stage_deadline_counts_the_entry_day_and_skips_weekends_and_holidays(session, admin):
    cal = WorkCalendar(session)
    assert cal.stage_deadline(at("2026-11-23 10:00"), 5) == at("2026-11-27 18:00")   # Mon -> Fri
    assert cal.stage_deadline(at("2026-11-27 10:00"), 2) == at("2026-11-30 18:00")   # Fri -> Mon
    assert cal.stage_deadline(at("2026-11-28 10:00"), 1) == at("2026-11-30 18:00")   # Sat -> Mon
    assert cal.stage_deadline(at("2026-11-03 10:00"), 2) == at("2026-11-05 18:00")   # 4 Nov is a holiday
    assert cal.stage_deadline(at("2026-11-23 10:00"), None) is None


def test_entering_a_stage_sets_its_deadline_and_campaign_deals_get_the_first_stage_budget(session, admin):
    w = build(session, n_clients=2)
    deal = session.scalars(select(Deal).order_by(Deal.id)).first()
    # to_call has a 5-day budget: the campaign's Monday to Friday evening.
    assert deal.stage_due_at == at("2026-11-27 18:00")
    with clock.frozen(at("2026-11-23 10:00")):
        deals.log_call(session=session, actor=w.irina, deal_id=deal.id, outcome="interested")
    assert deal.stage_due_at == at("2026-11-23 18:00")  # agreed: 1 day, today counts
    assert light.deal_light(deal, at("2026-11-23 19:00")) == "red"


# The fixture only provides a schema; each example empties the deal table itself.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.tuples(st.one_of(st.none(), st.integers(-3000, 3000)),
                                  st.one_of(st.none(), st.integers(-3000, 3000)), st.booleans()),
                        min_size=1, max_size=12),
       now_shift=st.integers(0, 24 * 60))
def test_sql_twin_selects_what_light_of_says(offsets, now_shift, engine_for_property):
    """For any deals and any moment, light_clause(color) selects exactly the deals of that color."""
    engine = engine_for_property
    now = at("2026-11-25 00:00") + timedelta(minutes=now_shift)
    with engine.begin() as conn:
        conn.execute(Deal.__table__.delete())
        rows = []
        for i, (a, b, closed) in enumerate(offsets, start=1):
            rows.append({"id": i, "campaign_id": 1, "client_id": i, "stage_id": 1, "status": "new",
                         "next_call_at": None if a is None else now + timedelta(minutes=a),
                         "stage_due_at": None if b is None else now + timedelta(minutes=b),
                         "closed_at": now if closed else None, "stage_entered_at": now, "created_at": now,
                         "updated_at": now, "version": 1, "attempts_week": 0, "attempts_total": 0,
                         "carried_over": False, "lost_note": ""})
        conn.execute(Deal.__table__.insert(), rows)
        for color in light.LIGHTS:
            got = set(conn.scalars(select(Deal.id).where(light.light_clause(color, now))))
            want = {r["id"] for r in rows
                    if light.light_of(now, r["next_call_at"], r["stage_due_at"], r["closed_at"] is not None) == color}
            assert got == want, color
        by_expr = dict(conn.execute(select(Deal.id, light.light_expr(now))).all())
        assert by_expr == {r["id"]: light.light_of(now, r["next_call_at"], r["stage_due_at"], r["closed_at"] is not None)
                           for r in rows}
        conn.execute(Deal.__table__.delete())


@pytest.fixture
def engine_for_property(engine, admin):
    """A database with one campaign, stage and enough clients for the generated deals."""
    with db.session_scope(engine) as s:
        build(s, n_clients=12, assign=False)
    with engine.begin() as conn:
        conn.execute(Deal.__table__.delete())
    return engine
