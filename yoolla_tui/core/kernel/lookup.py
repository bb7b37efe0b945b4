"""Records by the id a person typed (12 or #12): one rule for deals, orders and tasks.

Each function parses the id with `refs.number` and raises NotFound naming the record. They check
no permission: the service that uses the record does (`permissions.require_deal_access`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import refs
from yoolla_tui.core.kernel.db import for_update
from yoolla_tui.core.kernel.errors import NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Deal, Order, Task


def get_deal(session: Session, deal_id: int | str, *, lock: bool = False) -> Deal:
    deal_id = refs.number(deal_id, _("{ref!r} is not a deal id"))
    stmt = select(Deal).where(Deal.id == deal_id)
    deal = session.scalars(for_update(stmt) if lock else stmt).first()
    if deal is None:
        raise NotFound(_("no deal {id}").format(id=deal_id))
    return deal


def get_order(session: Session, order_id: int | str) -> Order:
    number = refs.number(order_id, _("{ref!r} is not an order id"))
    order = session.get(Order, number)
    if order is None:
        raise NotFound(_("no order {id}").format(id=number))
    return order


def get_task(session: Session, task_id: int | str, *, lock: bool = False) -> Task:
    number = refs.number(task_id, _("{ref!r} is not a task id"))
    stmt = select(Task).where(Task.id == number)
    task = session.scalars(for_update(stmt) if lock else stmt).first()
    if task is None:
        raise NotFound(_("no task {id}").format(id=number))
    return task


def deal_of_task(session: Session, task: Task) -> Deal:
    """The deal a task's order belongs to."""
    order = session.get(Order, task.order_id)
    return session.get(Deal, order.deal_id)
