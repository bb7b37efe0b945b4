"""Deals: who sees which (permission scope in list_deals) and what each call outcome does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yoolla_tui.core import documents
from yoolla_tui.core.documents import company
from yoolla_tui.core.calls import campaigns, clients, deals
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import BadInput, Conflict, PermissionDenied
from yoolla_tui.core.kernel.models import Call, Client, Deal, Setting, Stage

from tests.core.world import at, build, deal_ids, rows


@pytest.fixture
def w(admin, session):
    w = build(session, n_clients=6)
    with clock.frozen(at("2026-11-23 08:00")):
        clients.add_client(session=session, actor=w.irina, name="C7", phone="+74951000007")
        campaigns.add_clients(session=session, actor=w.irina, ref="W48", clients="C7")  # stays unassigned
    w.deal = deal_ids(session, w.irina, "W48")
    return w


def test_list_deals_scope_by_role(w):
    s = w.session
    names = lambda actor, **kw: sorted(rows(s, actor, **kw))  # noqa: E731
    assert names(w.irina) == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
    assert names(w.anna) == ["C1", "C4"]
    assert names(w.boris) == ["C2", "C5"]
    assert names(w.sveta) == ["C3", "C6", "C7"]  # her team's deals and the unassigned pool
    assert names(w.egor) == []
    assert names(w.anna, manager="boris") == []  # a filter never widens the scope
    with clock.frozen(at("2026-11-23 10:00")):
        assert names(w.anna, due="today") == ["C1", "C4"]
        assert names(w.sveta, due="overdue") == ["C3", "C6", "C7"]


def test_deal_access_for_writes(w):
    with clock.frozen(at("2026-11-23 10:00")):
        deals.log_call(session=w.session, actor=w.sveta, deal_id=w.deal["C3"], outcome="no_answer")  # her team
        deals.log_call(session=w.session, actor=w.irina, deal_id=w.deal["C1"], outcome="no_answer")  # admin: all
        with pytest.raises(PermissionDenied, match="^sveta \\(supervisor\\) may not log calls on deal"):
            deals.log_call(session=w.session, actor=w.sveta, deal_id=w.deal["C2"], outcome="no_answer")
        with pytest.raises(PermissionDenied, match="^boris \\(manager\\) may not see deal"):
            deals.show(session=w.session, actor=w.boris, deal_id=w.deal["C1"])


def log(w, name, outcome, when, actor=None, **kw):
    with clock.frozen(at(when)):
        return deals.log_call(session=w.session, actor=actor or w.anna, deal_id=w.deal[name], outcome=outcome, **kw)


def deal(w, name) -> Deal:
    return w.session.get(Deal, w.deal[name])


def stage(w, name) -> str:
    return w.session.get(Stage, deal(w, name).stage_id).code


def test_no_answer_retries_inside_working_hours_up_to_the_weekly_cap(w):
    call = log(w, "C1", "no_answer", "2026-11-23 10:00")
    d = deal(w, "C1")
    assert (d.status, d.next_call_at, d.attempts_week, d.attempts_total) == ("no_answer", at("2026-11-23 12:00"), 1, 1)
    assert (call.outcome, call.next_call_at, call.user_id) == ("no_answer", at("2026-11-23 12:00"), w.anna.id)
    log(w, "C1", "no_answer", "2026-11-23 16:30")  # 18:30 is after hours
    assert d.next_call_at == at("2026-11-24 09:00")
    log(w, "C1", "no_answer", "2026-11-24 09:00")
    assert (d.next_call_at, d.attempts_week, d.attempts_total) == (None, 3, 3)


def test_no_answer_delay_and_cap_are_settings_with_a_floor(w):
    w.session.add_all([Setting(key="no_answer_delay_minutes", value=10), Setting(key="no_answer_max_attempts", value=2)])
    log(w, "C1", "no_answer", "2026-11-23 10:00")
    assert deal(w, "C1").next_call_at == at("2026-11-23 10:30")  # never under 30 minutes
    log(w, "C1", "no_answer", "2026-11-23 10:30")
    assert deal(w, "C1").next_call_at is None


def test_call_back_is_set_by_and_for_the_caller(w):
    log(w, "C1", "no_answer", "2026-11-23 10:00")
    log(w, "C1", "call_back", "2026-11-23 12:00", next_call=at("2026-11-25 15:00"), note="after the meeting")
    d = deal(w, "C1")
    assert (d.status, d.next_call_at, d.callback_user_id, d.attempts_week) == ("call_back", at("2026-11-25 15:00"), w.anna.id, 1)
    with pytest.raises(BadInput, match="^call-back time 2026-11-23 11:00 is in the past$"):
        log(w, "C4", "call_back", "2026-11-23 12:00", next_call=at("2026-11-23 11:00"))
    # Overdue call-backs come first in the queue, ahead of older due times.
    with clock.frozen(at("2026-11-25 16:00")):
        queue = deals.list_deals(session=w.session, actor=w.anna, due="today")
    assert [r["client"] for r in queue] == ["C1", "C4"]


def test_interested_moves_a_new_deal_to_agreed_only(w):
    log(w, "C1", "interested", "2026-11-23 10:00")
    # "agreed" has no follow-up of its own: the next business day, so the deal stays in the queue.
    assert (stage(w, "C1"), deal(w, "C1").next_call_at) == ("agreed", at("2026-11-24 09:00"))
    log(w, "C1", "interested", "2026-11-23 11:00")
    assert stage(w, "C1") == "agreed"
    calls = w.session.scalars(select(Call).where(Call.deal_id == w.deal["C1"]).order_by(Call.at)).all()
    codes = {s.id: s.code for s in w.session.scalars(select(Stage))}
    assert [(codes[c.stage_before_id], codes[c.stage_after_id]) for c in calls] == [("to_call", "agreed"), ("agreed", "agreed")]


def test_interested_keeps_a_next_call_in_the_managers_queue(w):
    """Issue 23: `3` on a new deal never takes it out of the queue; a stage's own follow-up wins,
    counted in business days (a Friday's "interested" is called on Monday)."""
    log(w, "C1", "interested", "2026-11-27 15:00")  # a Friday
    d = deal(w, "C1")
    assert (stage(w, "C1"), d.next_call_at, d.callback_user_id) == ("agreed", at("2026-11-30 09:00"), None)
    with clock.frozen(at("2026-11-30 10:00")):
        assert "C1" in [r["client"] for r in deals.list_deals(session=w.session, actor=w.anna, due="today")]
    w.session.get(Stage, d.stage_id).followup_days = 2
    log(w, "C1", "interested", "2026-11-30 10:00")  # Monday: two business days later
    assert d.next_call_at == at("2026-12-02 09:00")


def test_refused_closes_with_reason_and_note(w):
    log(w, "C1", "refused", "2026-11-23 10:00", reason="other", note="moved abroad")
    d = deal(w, "C1")
    assert (stage(w, "C1"), d.closed_at, d.next_call_at, d.lost_note) == ("refused", at("2026-11-23 10:00"), None, "moved abroad")
    card = deals.show(session=w.session, actor=w.anna, deal_id=d.id)
    assert (card["lost_reason"], card["closed"]) == ("other", True)
    with pytest.raises(Conflict, match=f"^deal {d.id} is closed \\(refused\\)"):
        log(w, "C1", "interested", "2026-11-23 11:00")


def test_do_not_call_closes_every_open_deal_of_the_client(w):
    with clock.frozen(at("2026-11-23 09:00")):
        campaigns.create(session=w.session, actor=w.irina, name="Webinar", week="2026-W48")
        campaigns.add_clients(session=w.session, actor=w.irina, ref="Webinar", clients="C1", manager="boris")
    other = deal_ids(w.session, w.irina, "Webinar")["C1"]
    log(w, "C1", "do_not_call", "2026-11-23 10:00", note="shouted")
    client = w.session.get(Client, deal(w, "C1").client_id)
    assert (client.do_not_call, client.dnc_reason, client.dnc_by_id) == (True, "shouted", w.anna.id)
    for deal_id in (w.deal["C1"], other):
        d = w.session.get(Deal, deal_id)
        assert (d.closed_at, d.next_call_at, deals.reference_code(w.session, d.lost_reason_id)) == (
            at("2026-11-23 10:00"), None, "do_not_call")
    assert [c.outcome for c in w.session.scalars(select(Call).where(Call.client_id == client.id))] == ["do_not_call"]


def test_a_do_not_call_client_cannot_be_called_even_on_an_open_deal(w):
    # E.g. flagged by an import while the deal stayed open: the flag still wins.
    w.session.get(Client, deal(w, "C1").client_id).do_not_call = True
    with pytest.raises(Conflict, match="^client \\d+ \\(C1\\) is do-not-call; calls to it are not allowed$"):
        log(w, "C1", "no_answer", "2026-11-23 10:00")


def test_wrong_number_parks_the_deal_until_the_phone_is_corrected(w):
    log(w, "C1", "wrong_number", "2026-11-23 10:00")
    assert (deal(w, "C1").status, deal(w, "C1").next_call_at) == ("wrong_number", None)
    with clock.frozen(at("2026-11-23 19:00")):
        clients.edit_client(session=w.session, actor=w.anna, ref="+74951000001", phone="8 (495) 300-00-01")
    assert (deal(w, "C1").status, deal(w, "C1").next_call_at) == ("phone_fixed", at("2026-11-24 09:00"))
    with pytest.raises(PermissionDenied, match="^anna \\(manager\\) may not change client \\d+: it is on no open deal of theirs$"):
        clients.edit_client(session=w.session, actor=w.anna, ref="+74951000002", phone="8 (495) 300-00-02")


def test_stage_moves_schedule_and_clear_the_queue(w):
    company.set_company(session=w.session, actor=w.irina, name="ООО Юлла")
    with clock.frozen(at("2026-11-27 11:00")):  # a Friday
        made = documents.make_document(session=w.session, actor=w.anna, deal_id=w.deal["C1"], kind="proposal")
        assert made["moved_to"] == "proposal_sent"
        assert deal(w, "C1").next_call_at == at("2026-11-30 09:00")
        deals.advance(session=w.session, actor=w.anna, deal_id=w.deal["C4"], to="agreed")
        assert deal(w, "C4").next_call_at is None  # waits for the proposal, out of the queue
    log(w, "C1", "call_back", "2026-11-27 12:00", next_call=at("2026-12-01 10:00"))
    with clock.frozen(at("2026-11-27 12:05")):
        deals.invoice(session=w.session, actor=w.anna, deal_id=w.deal["C1"], amount="9000")
    assert (stage(w, "C1"), deal(w, "C1").next_call_at) == ("invoice_issued", at("2026-11-30 09:00"))
    with clock.frozen(at("2026-11-30 10:00")):
        deals.pay(session=w.session, actor=w.anna, deal_id=w.deal["C1"], amount="4000")
        assert stage(w, "C1") == "invoice_issued"
        deals.pay(session=w.session, actor=w.anna, deal_id=w.deal["C1"], amount="5000", at=at("2026-11-30 09:30"))
    assert (stage(w, "C1"), deal(w, "C1").next_call_at) == ("paid", None)
    card = deals.show(session=w.session, actor=w.anna, deal_id=w.deal["C1"])
    assert (card["invoice"], card["paid"], [p["paid_at"] for p in card["payments"]]) == (
        "9000.00", "9000.00", ["2026-11-30T09:30:00+03:00", "2026-11-30T10:00:00+03:00"])
