"""The orders-and-tasks world on top of tests/core/world.py: executors egor and fedor, an order
on anna's deal C1, built on Monday 2 November 2026 (the week of Unity Day, 4 November)."""

from __future__ import annotations

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.work import orders, tasks
from yoolla_tui.core.people import users

from tests.core.world import at, build, deal_ids

MONDAY = "2026-11-02 09:00"


def build_tasks(session):
    w = build(session, n_clients=3)
    with clock.frozen(at("2026-11-23 08:00")):
        w.fedor = users.add_user(session=session, actor=w.irina, login="fedor", role="executor")
    w.deal = deal_ids(session, w.irina, "W48")
    with clock.frozen(at(MONDAY)):
        w.order = orders.add_order(session=session, actor=w.anna, deal_id=w.deal["C1"], title="Сайт", priority=1)
    return w


def chain(session, w):
    """egor: logo (priority 5, 2h) then design (16h); fedor: build (8h) after design; egor:
    testing (12h) after build. Returns the four tasks."""
    with clock.frozen(at(MONDAY)):
        design = tasks.add_task(session=session, actor=w.anna, order_id=w.order.id, title="Design", type="design",
                                assignee="egor", estimate="16h")
        logo = tasks.add_task(session=session, actor=w.anna, order_id=w.order.id, title="Logo", type="design",
                              assignee="egor", estimate="2h", priority=5)
        build_ = tasks.add_task(session=session, actor=w.anna, order_id=w.order.id, title="Build", type="build",
                                assignee="fedor", estimate="8h", after=[design.id], watchers=["anna"])
        testing = tasks.add_task(session=session, actor=w.anna, order_id=w.order.id, title="Testing", type="testing",
                                 assignee="egor", estimate="12h", after=[build_.id])
    session.commit()
    return logo, design, build_, testing
