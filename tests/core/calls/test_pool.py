"""The shared pool (issue 17): `next_contact` hands each operator a different contact, reserves
it, and the reservation ends with the logged call or its timeout; call-backs stay personal."""

import pytest
from sqlalchemy import select

from tests.core import world
from tests.core.world import at
from yoolla_tui.core.kernel import clock, db, settings
from yoolla_tui.core.calls import deals, pool
from yoolla_tui.core.kernel.errors import Conflict, PermissionDenied
from yoolla_tui.core.kernel.models import AuditRecord, Deal, Setting

TEN = at("2026-11-23 10:00")


@pytest.fixture
def w(session, admin):
    w = world.build(session, n_clients=4, assign=False)  # C1..C4 unassigned: the pool
    session.commit()
    return w


def _next(w, who, when=TEN, **kw):
    with clock.frozen(when):
        deal = pool.next_contact(session=w.session, actor=who, **kw)
        w.session.commit()
    return deal


def _log(w, who, deal_id, when=TEN, **kw):
    with clock.frozen(when):
        call = deals.log_call(session=w.session, actor=who, deal_id=deal_id, **kw)
        w.session.commit()
    return call


def test_each_operator_gets_a_different_contact_reserved_for_ten_minutes(w):
    first, second = _next(w, w.anna), _next(w, w.boris)
    assert (first.client_id, second.client_id) == (w.clients[0].id, w.clients[1].id)  # queue order, then id
    assert (first.reserved_by_id, second.reserved_by_id) == (w.anna.id, w.boris.id)
    assert clock.to_local(first.reserved_until) == at("2026-11-23 10:10")
    assert first.manager_id is None  # still the pool's until a call is logged
    # Asking again before logging hands back the same contact: nobody hoards two.
    assert _next(w, w.anna).id == first.id
    actions = w.session.scalars(select(AuditRecord.action).where(AuditRecord.action.like("pool.%"))).all()
    assert actions == ["pool.reserve", "pool.reserve"]


def test_the_first_logged_call_ends_the_reservation_and_makes_the_deal_the_callers(w):
    deal = _next(w, w.anna)
    _log(w, w.anna, deal.id, outcome="no_answer")
    w.session.refresh(deal)
    assert (deal.manager_id, deal.reserved_by_id, deal.reserved_until) == (w.anna.id, None, None)
    take = w.session.scalars(select(AuditRecord).where(AuditRecord.action == "pool.take")).one()
    assert (take.entity_id, take.data) == (deal.id, {"manager_before": None, "manager_after": w.anna.id})
    # The retry two hours later comes back to anna, before anything from the pool.
    assert _next(w, w.anna, at("2026-11-23 12:00")).id == deal.id
    assert _next(w, w.boris, at("2026-11-23 12:00")).id != deal.id


def test_a_reservation_runs_out_and_the_contact_goes_to_the_next_operator(w):
    deal = _next(w, w.anna)
    assert _next(w, w.boris, at("2026-11-23 10:09")).id != deal.id
    assert _next(w, w.vera, at("2026-11-23 10:10")).id == deal.id  # anna's ten minutes are over
    with pytest.raises(PermissionDenied, match="a manager works only their own deals"):
        _log(w, w.anna, deal.id, when=at("2026-11-23 10:11"), outcome="interested")


def test_a_reservation_lasts_as_long_as_the_setting_says(w):
    w.session.add(Setting(key="pool_reservation_minutes", value=3))
    w.session.commit()
    assert settings.get(w.session, "pool_reservation_minutes") == 3
    deal = _next(w, w.anna)
    assert clock.to_local(deal.reserved_until) == at("2026-11-23 10:03")


def test_nobody_else_logs_a_call_on_a_contact_someone_holds(w, engine):
    deal = _next(w, w.anna)
    with pytest.raises(PermissionDenied):
        _log(w, w.boris, deal.id, outcome="no_answer")
    # A supervisor may work pool deals, but not one an operator is calling right now.
    expected = f"deal {deal.id} is reserved by anna until {clock.show(deal.reserved_until)}; they are calling it"
    with pytest.raises(Conflict) as refused:
        _log(w, w.irina, deal.id, outcome="no_answer")
    assert str(refused.value) == expected and "10:10" in expected
    w.session.rollback()
    assert w.session.get(Deal, deal.id).manager_id is None


def test_a_call_back_goes_back_to_whoever_promised_it_never_to_the_pool(w):
    deal = _next(w, w.anna)
    _log(w, w.anna, deal.id, outcome="call_back", next_call=at("2026-11-23 15:00"))
    later = at("2026-11-23 15:30")
    # boris empties the pool; the call-back is never among what he gets.
    got = []
    while (d := _next(w, w.boris, later)) is not None:
        got.append(d.id)
        _log(w, w.boris, d.id, when=later, outcome="no_answer")
    assert deal.id not in got and len(got) == 3
    mine = _next(w, w.anna, later)
    assert mine.id == deal.id
    with clock.frozen(later):
        assert pool.next_card(session=w.session, actor=w.anna)["source"] == "call_back"


def test_a_supervisors_call_back_on_a_pool_deal_stays_theirs(w):
    """A supervisor logging on an unassigned deal they did not take leaves it in the campaign's pool,
    but the call-back they promised is theirs, not the pool's."""
    deals_by_client = world.deal_ids(w.session, w.irina, "W48")
    deal_id = deals_by_client["C1"]
    _log(w, w.irina, deal_id, outcome="call_back", next_call=at("2026-11-23 11:00"))
    assert w.session.get(Deal, deal_id).manager_id is None
    at_eleven = at("2026-11-23 11:00")
    assert _next(w, w.anna, at_eleven).id != deal_id
    assert _next(w, w.boris, at_eleven).id != deal_id
    assert _next(w, w.irina, at_eleven).id == deal_id


def test_campaign_filter_and_an_empty_pool(w):
    assert _next(w, w.anna, at("2026-11-23 08:30")) is None  # nothing due before 09:00
    from yoolla_tui.core.calls import campaigns

    with clock.frozen(TEN):
        campaigns.create(session=w.session, actor=w.irina, name="Other", week="2026-W48")
        w.session.commit()
    assert _next(w, w.anna, campaign="Other") is None
    assert _next(w, w.anna, campaign="W48") is not None


def test_executors_take_nothing(w):
    with pytest.raises(PermissionDenied, match="egor \\(executor\\) may not take contacts from the pool"):
        _next(w, w.egor)


def test_a_manager_sees_the_pool_deal_they_hold(w):
    deal = _next(w, w.anna)
    with clock.frozen(TEN):
        assert [d["id"] for d in deals.list_deals(session=w.session, actor=w.anna)] == [deal.id]
        assert deals.show(session=w.session, actor=w.anna, deal_id=deal.id)["id"] == deal.id
        assert deals.list_deals(session=w.session, actor=w.boris) == []


def test_two_sessions_at_once_never_get_the_same_contact(engine, w):
    """Two open transactions (PostgreSQL: SKIP LOCKED; SQLite: the second waits for the first)."""
    import threading

    got, errors = [], []

    def take(login):
        try:
            with clock.frozen(TEN), db.session_scope(engine) as s:
                from yoolla_tui.core.people import users

                deal = pool.next_contact(session=s, actor=users.get_by_login(s, login))
                got.append(deal.id)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(login,)) for login in ("anna", "boris", "vera", "irina")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(set(got)) == 4
