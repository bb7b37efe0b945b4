"""The reports' kept aggregates (kernel/tally.py) after any sequence of writes equal a recount of
the raw rows, and the reports read from them say exactly what a count of the raw rows says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.calls import campaigns, deals
from yoolla_tui.core.kernel import clock, db, tally
from yoolla_tui.core.kernel.errors import YoollaError
from yoolla_tui.core.kernel.models import Call, Deal
from yoolla_tui.core.people import users
from yoolla_tui.core.reports import summary

from tests.core.world import at, build

OUTCOMES = ["no_answer", "call_back", "interested", "refused", "wrong_number", "do_not_call"]
STAGES = ["to_call", "agreed", "proposal_sent", "invoice_issued", "paid", "attended", "refused"]
CALLERS = ["anna", "boris", "irina"]

step = st.one_of(
    st.tuples(st.just("call"), st.integers(0, 5), st.sampled_from(OUTCOMES), st.sampled_from(CALLERS)),
    st.tuples(st.just("undo"), st.integers(0, 5), st.just(""), st.sampled_from(CALLERS)),
    st.tuples(st.just("advance"), st.integers(0, 5), st.sampled_from(STAGES), st.just("irina")),
    st.tuples(st.just("invoice"), st.integers(0, 5), st.sampled_from(["100", "250.50"]), st.just("irina")),
    st.tuples(st.just("pay"), st.integers(0, 5), st.sampled_from(["40", "100"]), st.just("irina")),
    st.tuples(st.just("move"), st.integers(0, 5), st.sampled_from(["anna", "boris", "vera"]), st.just("irina")),
    st.tuples(st.just("assign"), st.just(0), st.sampled_from(["anna", "vera"]), st.just("irina")),
    st.tuples(st.just("rollover"), st.just(0), st.just(""), st.just("irina")),
    st.tuples(st.just("wait"), st.integers(1, 30), st.just(""), st.just("irina")),
)


@pytest.fixture
def world(engine, admin):
    """Six clients on W48, the first four assigned (anna, boris, vera, anna), two in the pool; committed."""
    with db.session_scope(engine) as s:
        build(s, n_clients=6, assign=False)
        ids = sorted(s.scalars(select(Deal.id)))
        irina = users.get_by_login(s, "irina")
        with clock.frozen(at("2026-11-23 08:00")):
            campaigns.move(session=s, actor=irina, deal_ids=ids[0:4:3], to="anna")
            campaigns.move(session=s, actor=irina, deal_ids=[ids[1]], to="boris")
            campaigns.move(session=s, actor=irina, deal_ids=[ids[2]], to="vera")
    return engine


def _run(s: Session, kind: str, index: int, arg: str, who, now) -> None:
    ids = sorted(s.scalars(select(Deal.id)))
    deal_id = ids[index % len(ids)]
    if kind == "call":
        deals.log_call(session=s, actor=who, deal_id=deal_id, outcome=arg,
                       next_call=now + timedelta(hours=2) if arg == "call_back" else None,
                       reason="competitor" if arg == "refused" else None)
    elif kind == "undo":
        last = s.scalars(select(Call.id).where(Call.user_id == who.id).order_by(Call.id.desc())).first()
        if last is not None:
            deals.undo_call(session=s, actor=who, call_id=last)
    elif kind == "advance":
        deals.advance(session=s, actor=who, deal_id=deal_id, to=arg, reason="competitor" if arg == "refused" else None)
    elif kind == "invoice":
        deals.invoice(session=s, actor=who, deal_id=deal_id, amount=arg)
    elif kind == "pay":
        deals.pay(session=s, actor=who, deal_id=deal_id, amount=arg)
    elif kind == "move":
        campaigns.move(session=s, actor=who, deal_ids=[deal_id], to=arg)
    elif kind == "assign":
        campaigns.assign(session=s, actor=who, ref="W48", managers=[arg])
    elif kind == "rollover":
        campaigns.rollover(session=s, actor=who, ref="W48", week="2026-W49")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=30))
def test_kept_aggregates_equal_a_recount_after_any_sequence_of_writes(world, steps):
    with Session(world) as s:  # never committed: each example starts from the same world
        who = {login: users.get_by_login(s, login) for login in CALLERS}
        now = at("2026-11-23 09:00")
        for kind, index, arg, login in steps:
            now += timedelta(minutes=7 * index if kind == "wait" else 3)
            with clock.frozen(now):
                if kind == "wait":
                    continue
                try:
                    with s.begin_nested():  # a refusal leaves the rest of the sequence's state intact
                        _run(s, kind, index, arg, who[login], now)
                except YoollaError:
                    pass
        s.flush()
        assert tally.problems(s.connection()) == []
        with clock.frozen(now):
            irina = who["irina"]
            kept = [summary.weekly(session=s, actor=irina), summary.daily(session=s, actor=irina),
                    summary.managers(session=s, actor=irina, week="2026-W48")]
            real, tally.covers = tally.covers, lambda start, end: False
            try:
                raw = [summary.weekly(session=s, actor=irina), summary.daily(session=s, actor=irina),
                       summary.managers(session=s, actor=irina, week="2026-W48")]
            finally:
                tally.covers = real
        assert kept == raw
        s.rollback()


def test_rebuild_recounts_what_a_bulk_write_left_behind(engine, admin):
    """A bulk write that bypassed the kept aggregates is found by problems() and put right by rebuild()."""
    from sqlalchemy import text

    with db.session_scope(engine) as s:
        w = build(s, n_clients=3)
        deal_id = sorted(s.scalars(select(Deal.id).where(Deal.manager_id == w.anna.id)))[0]
        with clock.frozen(at("2026-11-23 10:00")):
            deals.log_call(session=s, actor=w.anna, deal_id=deal_id, outcome="interested")
            deals.invoice(session=s, actor=w.irina, deal_id=deal_id, amount="300")
    with engine.begin() as conn:
        assert tally.problems(conn) == []
        conn.execute(text("UPDATE deal SET invoice_cents = 99900"))
        assert [p.split(":")[0] for p in tally.problems(conn)] == ["tally"]
        tally.rebuild(conn)
        assert tally.problems(conn) == []
    with db.session_scope(engine) as s:
        with clock.frozen(at("2026-11-23 12:00")):
            row = summary.daily(session=s, actor=users.get_by_login(s, "irina"))[0]
    assert (row["manager"], row["invoices"], row["invoiced"], row["reached"]) == ("anna", 1, "999.00", 1)
