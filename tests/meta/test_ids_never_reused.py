"""SQLite hands out max(id) + 1 unless a table has AUTOINCREMENT: after `call undo` deleted the
newest call, the next call would take its id, and "call 329" in a note or an audit line would
name another call. Migration 0009 gives calls, payments and audit records AUTOINCREMENT."""

from __future__ import annotations

from sqlalchemy import select

from tests.core.world import build, deal_ids
from yoolla_tui.core.calls import deals
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Call


def test_an_undone_call_s_id_is_never_given_to_the_next_call(engine, admin):
    with db.session_scope(engine) as s:
        w = build(s, n_clients=2)
        ids = deal_ids(s, w.irina, "W48")
        first = deals.log_call(session=s, actor=w.anna, deal_id=ids["C1"], outcome="no_answer").id
    with db.session_scope(engine) as s:
        deals.undo_call(session=s, actor=w.anna, call_id=first)
    with db.session_scope(engine) as s:
        assert s.scalars(select(Call.id)).all() == []
        again = deals.log_call(session=s, actor=w.anna, deal_id=ids["C1"], outcome="no_answer").id
    assert again > first
