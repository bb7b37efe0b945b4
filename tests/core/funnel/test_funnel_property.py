"""Properties of the funnel (issue 13): for any sequence of advances, checkpoint completions,
payments and calls, no deal is ever past a gating stage with that gate's checkpoint undone;
and the traffic light depends only on (now, deal): checkpoints, other deals and the path that
led to the deal's columns do not change it, and SQL and Python agree on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.funnel import checkpoints, light
from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.calls import deals
from yoolla_tui.core.kernel.errors import YoollaError
from yoolla_tui.core.kernel.models import Checkpoint, CheckpointType, Deal, Stage, StageKind

from tests.core.world import at, build

STAGES = ["to_call", "agreed", "proposal_sent", "invoice_issued", "paid", "attended", "refused"]
GATES = {"Brief": "to_call", "Design": "agreed", "Prototype": "invoice_issued", "Work complete": "paid"}
ACTORS = ["anna", "irina", "egor"]

action = st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 3), st.sampled_from(STAGES), st.sampled_from(ACTORS)),
    st.tuples(st.just("done"), st.integers(0, 3), st.sampled_from(sorted(GATES)), st.sampled_from(ACTORS)),
    st.tuples(st.just("call"), st.integers(0, 3), st.sampled_from(["interested", "no_answer", "refused"]), st.just("anna")),
    st.tuples(st.just("invoice"), st.integers(0, 3), st.just(""), st.just("anna")),
    st.tuples(st.just("pay"), st.integers(0, 3), st.just(""), st.just("anna")),
)


@pytest.fixture
def world(engine, admin):
    """Four deals of anna's (C1, C4, C7, C10), and one checkpoint type per gate; committed."""
    with db.session_scope(engine) as s:
        w = build(s, n_clients=12)
        with clock.frozen(at("2026-11-23 08:00")):
            for name, stage in GATES.items():
                checkpoints.add_type(session=s, actor=w.irina, name=name, stage=stage, roles="executor")
        ids = sorted(s.scalars(select(Deal.id).where(Deal.manager_id == w.anna.id)))
    return engine, ids


def _violations(s: Session) -> list[tuple]:
    """(deal, checkpoint type) pairs where the deal stands past the type's stage, undone."""
    gate = Stage.__table__.alias("gate")
    rows = s.execute(
        select(Deal.id, CheckpointType.name)
        .join(Checkpoint, Checkpoint.deal_id == Deal.id).join(CheckpointType, CheckpointType.id == Checkpoint.type_id)
        .join(gate, gate.c.id == CheckpointType.stage_id).join(Stage, Stage.id == Deal.stage_id)
        .where(Checkpoint.done_at.is_(None), Stage.position > gate.c.position, Stage.kind != StageKind.lost)).all()
    return [tuple(r) for r in rows]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(planned=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(sorted(GATES))), max_size=8),
       actions=st.lists(action, min_size=1, max_size=25))
def test_no_deal_is_ever_past_a_gate_with_its_checkpoint_undone(world, planned, actions):
    engine, ids = world
    with Session(engine) as s:  # never committed: each example starts from the same world
        who = {login: deals.users.get_by_login(s, login) for login in ACTORS}
        now = at("2026-11-23 09:00")
        with clock.frozen(now):
            for index, type_name in planned:
                checkpoints.plan(session=s, actor=who["anna"], deal_id=ids[index], type_name=type_name, due=now + timedelta(days=3))
        for step, (kind, index, arg, login) in enumerate(actions):
            now = at("2026-11-23 09:00") + timedelta(minutes=10 * (step + 1))
            deal_id = ids[index]
            with clock.frozen(now):
                try:
                    with s.begin_nested():  # a refusal leaves the rest of the sequence's state intact
                        if kind == "advance":
                            deals.advance(session=s, actor=who[login], deal_id=deal_id, to=arg,
                                          reason="competitor" if arg == "refused" else None)
                        elif kind == "done":
                            cp = s.scalars(select(Checkpoint).join(CheckpointType).where(
                                Checkpoint.deal_id == deal_id, CheckpointType.name == arg)).first()
                            if cp is not None:
                                checkpoints.mark_done(session=s, actor=who[login], checkpoint_id=cp.id)
                        elif kind == "call":
                            deals.log_call(session=s, actor=who[login], deal_id=deal_id, outcome=arg,
                                           reason="competitor" if arg == "refused" else None)
                        elif kind == "invoice":
                            deals.invoice(session=s, actor=who[login], deal_id=deal_id, amount="1000")
                        else:
                            deals.pay(session=s, actor=who[login], deal_id=deal_id, amount="1000")
                except YoollaError:
                    pass
            s.expire_all()
            assert _violations(s) == [], (kind, index, arg, login)
        s.rollback()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(action, min_size=1, max_size=12), minutes=st.integers(0, 7 * 24 * 60))
def test_the_light_depends_only_on_now_and_the_deal(world, actions, minutes):
    engine, ids = world
    probe = at("2026-11-23 00:00") + timedelta(minutes=minutes)
    with Session(engine) as s:
        who = {login: deals.users.get_by_login(s, login) for login in ACTORS}
        with clock.frozen(at("2026-11-23 09:00")):
            for index, type_name in ((0, "Design"), (1, "Brief")):
                checkpoints.plan(session=s, actor=who["anna"], deal_id=ids[index], type_name=type_name,
                                 due=at("2026-11-24 12:00"))
        for step, (kind, index, arg, login) in enumerate(actions):
            with clock.frozen(at("2026-11-23 09:00") + timedelta(minutes=10 * (step + 1))):
                before = {d.id: (d.next_call_at, d.stage_due_at, d.closed_at) for d in s.scalars(select(Deal))}
                lights = {d.id: light.deal_light(d, probe) for d in s.scalars(select(Deal))}
                try:
                    with s.begin_nested():
                        if kind == "done":
                            for cp in s.scalars(select(Checkpoint).where(Checkpoint.deal_id == ids[index])):
                                checkpoints.mark_done(session=s, actor=who["irina"], checkpoint_id=cp.id)
                        elif kind == "advance":
                            deals.advance(session=s, actor=who[login], deal_id=ids[index], to=arg,
                                          reason="competitor" if arg == "refused" else None)
                        else:
                            deals.log_call(session=s, actor=who["anna"], deal_id=ids[index], outcome="no_answer")
                except YoollaError:
                    pass
            s.expire_all()
            for d in s.scalars(select(Deal)):
                # A deal whose light columns did not change keeps its light, whatever else happened.
                if before[d.id] == (d.next_call_at, d.stage_due_at, d.closed_at):
                    assert light.deal_light(d, probe) == lights[d.id]
            sql = dict(s.execute(select(Deal.id, light.light_expr(probe))).all())
            assert sql == {d.id: light.deal_light(d, probe) for d in s.scalars(select(Deal))}
            with clock.frozen(probe):
                listed = {r["id"]: r["light"] for r in deals.list_deals(session=s, actor=who["irina"], include_closed=True)}
            assert listed == sql
        s.rollback()
