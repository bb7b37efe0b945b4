"""Undo of a call log (deals.undo_call) and the operator's day (core/today.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import dump
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.calls import deals, today
from yoolla_tui.core.kernel.errors import Conflict, PermissionDenied
from yoolla_tui.core.kernel.models import AuditRecord, Call, Deal

from tests.core.world import at, build, deal_ids


@pytest.fixture
def w(admin, session):
    w = build(session, n_clients=6)
    w.deal = deal_ids(session, w.irina, "W48")
    return w


def test_undo_restores_a_refused_deal_and_audits_it(w):
    s = w.session
    deal_id = w.deal["C1"]
    before = s.get(Deal, deal_id)
    snapshot = (before.status, before.stage_id, before.next_call_at, before.closed_at, before.lost_reason_id)
    with clock.frozen(at("2026-11-23 10:00")):
        call = deals.log_call(session=s, actor=w.anna, deal_id=deal_id, outcome="refused", reason="too_expensive")
    assert s.get(Deal, deal_id).closed_at is not None
    with clock.frozen(at("2026-11-23 10:04")):
        deal = deals.undo_call(session=s, actor=w.anna, call_id=call.id)
    assert (deal.status, deal.stage_id, deal.next_call_at, deal.closed_at, deal.lost_reason_id) == snapshot
    assert s.scalars(select(Call).where(Call.deal_id == deal_id)).all() == []
    undo = s.scalars(select(AuditRecord).where(AuditRecord.action == "call.undo")).one()
    assert (undo.actor_id, undo.entity_id, undo.data["call"], undo.data["outcome"]) == (w.anna.id, deal_id, call.id, "refused")


def test_undo_is_refused_after_another_write_after_the_window_and_for_do_not_call(w):
    s = w.session
    with clock.frozen(at("2026-11-23 10:00")):
        first = deals.log_call(session=s, actor=w.anna, deal_id=w.deal["C1"], outcome="no_answer")
        deals.invoice(session=s, actor=w.irina, deal_id=w.deal["C1"], amount="100")
        late = deals.log_call(session=s, actor=w.anna, deal_id=w.deal["C4"], outcome="no_answer")
        dnc = deals.log_call(session=s, actor=w.boris, deal_id=w.deal["C2"], outcome="do_not_call")
    s.commit()
    before = dump(s.get_bind())
    with clock.frozen(at("2026-11-23 10:01")):
        with pytest.raises(Conflict, match=r"deal \d+ changed after call \d+ \(irina, 2026-11-23 10:00\)"):
            deals.undo_call(session=s, actor=w.anna, call_id=first.id)
        with pytest.raises(Conflict, match="only an admin lifts that"):
            deals.undo_call(session=s, actor=w.boris, call_id=dnc.id)
        with pytest.raises(PermissionDenied, match="sveta \\(supervisor\\) may not undo calls on deal"):
            deals.undo_call(session=s, actor=w.sveta, call_id=late.id)
    with clock.frozen(at("2026-11-23 10:06")):
        with pytest.raises(Conflict, match="more than 5 minutes ago"):
            deals.undo_call(session=s, actor=w.anna, call_id=late.id)
    s.rollback()
    assert dump(s.get_bind()) == before


def test_a_dashboard_session_undoes_its_own_calls_step_by_step_with_no_time_limit(w):
    """Issue 23: `z` walks back through every outcome logged since the dashboard opened (`since`),
    two on the same deal included; `undo_minutes` still holds without `since`, for calls before
    it and for someone else's; a write by someone else in between still refuses."""
    s = w.session
    opened = at("2026-11-23 09:55")
    c1 = s.get(Deal, w.deal["C1"])
    snapshot = (c1.status, c1.next_call_at, c1.stage_id)
    with clock.frozen(at("2026-11-23 09:50")):
        earlier = deals.log_call(session=s, actor=w.anna, deal_id=w.deal["C4"], outcome="no_answer")
    with clock.frozen(at("2026-11-23 10:00")):
        first = deals.log_call(session=s, actor=w.anna, deal_id=w.deal["C1"], outcome="interested")
    with clock.frozen(at("2026-11-23 10:30")):
        second = deals.log_call(session=s, actor=w.anna, deal_id=w.deal["C1"], outcome="call_back",
                                next_call=at("2026-11-24 11:00"))
    with clock.frozen(at("2026-11-23 15:00")):  # hours later, the dashboard still open
        with pytest.raises(Conflict, match="more than 5 minutes ago"):
            deals.undo_call(session=s, actor=w.anna, call_id=second.id)  # `yoolla call undo`: the window
        deals.undo_call(session=s, actor=w.anna, call_id=second.id, since=opened)
        deal = deals.undo_call(session=s, actor=w.anna, call_id=first.id, since=opened)
        assert (deal.status, deal.next_call_at, deal.stage_id) == snapshot
        with pytest.raises(Conflict, match="more than 5 minutes ago"):
            deals.undo_call(session=s, actor=w.anna, call_id=earlier.id, since=opened)  # before it opened
    assert s.scalars(select(Call).where(Call.deal_id == w.deal["C1"])).all() == []
    with clock.frozen(at("2026-11-23 15:10")):
        first = deals.log_call(session=s, actor=w.anna, deal_id=w.deal["C1"], outcome="no_answer")
        second = deals.log_call(session=s, actor=w.anna, deal_id=w.deal["C1"], outcome="no_answer")
        deals.undo_call(session=s, actor=w.anna, call_id=second.id, since=opened)
        deals.invoice(session=s, actor=w.irina, deal_id=w.deal["C1"], amount="100")
        with pytest.raises(Conflict, match=r"deal \d+ changed after call \d+ \(irina"):
            deals.undo_call(session=s, actor=w.anna, call_id=first.id, since=opened)


def test_today_counters_queue_pages_and_next_due(w):
    s = w.session
    with clock.frozen(at("2026-11-23 10:00")):
        deals.log_call(session=s, actor=w.anna, deal_id=w.deal["C1"], outcome="no_answer")
        deals.invoice(session=s, actor=w.anna, deal_id=w.deal["C4"], amount="15000")
        deals.pay(session=s, actor=w.anna, deal_id=w.deal["C4"], amount="5000")
    with clock.frozen(at("2026-11-23 10:30")):
        assert today.summary(session=s, actor=w.anna) == {"called_today": 1, "to_call": 1, "invoices_week": 1,
                                                          "payments_week": 1, "paid_week": "5000.00"}
        page = today.queue(session=s, actor=w.anna)
        assert [(r["client"], r["light"]) for r in page["rows"]] == [("C1", "yellow")] and page["total"] == 1
        admin_page = today.queue(session=s, actor=w.irina, limit=2, offset=0, sort="client")
        assert admin_page["total"] == 5 and [r["client"] for r in admin_page["rows"]] == ["C1", "C2"]
        assert [r["client"] for r in today.queue(session=s, actor=w.irina, search="C5")["rows"]] == ["C5"]
        assert today.next_due(session=s, actor=w.irina) == w.deal["C2"]  # overdue since 09:00; C1 is at 12:00
        assert today.next_due(session=s, actor=w.irina, after=w.deal["C2"]) == w.deal["C3"]


def test_queue_pages_follow_the_queue_order_of_list_deals(admin, session):
    """The queue reads its two parts (overdue call-backs, then the rest) separately for speed;
    page by page it must be exactly `deal list --due today`'s order."""
    w = build(session, n_clients=12)
    ids = deal_ids(session, w.irina, "W48")
    with clock.frozen(at("2026-11-23 09:10")):
        for name, hour in (("C5", "09:40"), ("C2", "09:20"), ("C9", "15:00"), ("C11", "09:20")):
            deals.log_call(session=session, actor=w.irina, deal_id=ids[name], outcome="call_back",
                           next_call=at(f"2026-11-23 {hour}"))
        deals.log_call(session=session, actor=w.irina, deal_id=ids["C3"], outcome="no_answer")
    with clock.frozen(at("2026-11-23 10:00")):
        expected = [r["id"] for r in deals.list_deals(session=session, actor=w.irina, due="today")]
        for size in (1, 2, 3, 5, 12):
            got = []
            for offset in range(0, 12, size):
                got += [r["id"] for r in today.queue(session=session, actor=w.irina, limit=size, offset=offset)["rows"]]
            assert got == expected, size
        assert expected[:3] == [ids["C2"], ids["C11"], ids["C5"]]  # overdue call-backs first
        assert today.next_due(session=session, actor=w.irina) == ids["C2"]
        board = today.board(session=session, actor=w.irina, limit=4)
        assert board["total"] == board["counters"]["to_call"] == 12 and len(board["rows"]) == 4
