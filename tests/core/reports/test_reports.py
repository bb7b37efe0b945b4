"""The report layer: a fixed number of queries however many managers, and who sees which rows."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from yoolla_tui.core.calls import campaigns, deals
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.reports import summary as reports
from yoolla_tui.core.people import users

from tests.core.world import at, build, deal_ids


@contextmanager
def counting(session):
    seen = []
    engine = session.get_bind()
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _queries(w, fn, **kwargs) -> int:
    with clock.frozen(at("2026-11-24 13:00")), counting(w.session) as seen:
        fn(session=w.session, actor=w.irina, **kwargs)
    return len(seen)


def test_query_count_does_not_grow_with_managers(admin, session):
    w = build(session, n_clients=9)
    with clock.frozen(at("2026-11-23 10:00")):
        ids = deal_ids(session, w.irina, "W48")
        deals.log_call(session=session, actor=w.anna, deal_id=ids["C1"], outcome="interested")
        deals.log_call(session=session, actor=w.boris, deal_id=ids["C2"], outcome="no_answer")
    session.flush()
    before = {name: _queries(w, fn) for name, fn in (("daily", reports.daily), ("weekly", reports.weekly),
                                                        ("funnel", reports.funnel), ("managers", reports.managers))}
    with clock.frozen(at("2026-11-23 11:00")):
        logins = [f"extra{i}" for i in range(6)]
        for login in logins:
            users.add_user(session=session, actor=w.irina, login=login, supervisor="irina")
        campaigns.move(session=session, actor=w.irina, deal_ids=[ids["C4"], ids["C5"], ids["C6"]], to="extra0")
        campaigns.move(session=session, actor=w.irina, deal_ids=[ids["C7"], ids["C8"]], to="extra3")
    session.flush()
    after = {name: _queries(w, fn) for name, fn in (("daily", reports.daily), ("weekly", reports.weekly),
                                                       ("funnel", reports.funnel), ("managers", reports.managers))}
    assert after == before
    assert before["daily"] <= 8
    rows = reports.daily(session=session, actor=w.irina, day=clock.to_local(at("2026-11-23 12:00")).date())
    assert [r["manager"] for r in rows] == ["anna", "boris", "extra0", "extra3", "vera", "TOTAL"]


def test_a_manager_sees_only_their_row_and_the_total_of_it(admin, session):
    w = build(session, n_clients=6)
    with clock.frozen(at("2026-11-23 10:00")):
        ids = deal_ids(session, w.irina, "W48")
        deals.log_call(session=session, actor=w.anna, deal_id=ids["C1"], outcome="interested")
        deals.log_call(session=session, actor=w.boris, deal_id=ids["C2"], outcome="interested")
        rows = reports.daily(session=session, actor=w.anna)
        sveta = reports.daily(session=session, actor=w.sveta)
    assert [(r["manager"], r["calls"], r["deals"]) for r in rows] == [("anna", 1, 2), ("TOTAL", 1, 2)]
    assert [(r["manager"], r["calls"], r["deals"]) for r in sveta] == [("vera", 0, 2), ("TOTAL", 0, 2)]
