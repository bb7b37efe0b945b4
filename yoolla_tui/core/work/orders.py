"""Orders: units of work inside a deal (seed 001: a deal holds several), with priority,
quantity and status; their ready date is their last task's forecast finish."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock
from yoolla_tui.core.work import forecast as forecast_mod, tasks as tasks_mod, templates
from yoolla_tui.core.kernel.lookup import get_deal, get_order, get_task
from yoolla_tui.core.kernel.errors import BadInput, Conflict, PermissionDenied
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.listing import Listing
from yoolla_tui.core.kernel.models import Deal, Order, OrderStatus, Role, Task, TaskStatus, User
from yoolla_tui.core.kernel.permissions import deal_scope, require_deal_access
from yoolla_tui.core.kernel.text import checked as checked_text

STATUSES = [s.value for s in OrderStatus]


def add_order(*, session: Session, actor: User, deal_id: int | str, title: str, priority: int = 0, quantity: int = 1,
              template: str | None = None) -> Order:
    """Add an order to a deal (its manager, their supervisor, an admin). With `template`, its
    task chain is laid out too. Raises NotFound, BadInput, Conflict (closed deal), PermissionDenied."""
    deal = get_deal(session, deal_id)
    require_deal_access(session, actor, deal, action=_("add orders to"))
    if deal.closed_at is not None:
        raise Conflict(_("deal {id} is closed; orders cannot be added to it").format(id=deal.id))
    title = checked_text(title, field=_("the order title"), limit=300)
    if not title:
        raise BadInput(_("an order needs a title"))
    if quantity < 1:
        raise BadInput(_("the quantity must be at least 1"))
    chosen = templates.get(template) if template else None
    now = clock.now()
    order = Order(deal_id=deal.id, title=title.strip(), priority=priority, quantity=quantity,
                  template=chosen["code"] if chosen else None, created_by_id=actor.id, created_at=now, updated_at=now)
    session.add(order)
    session.flush()
    audit.record(session, actor, "order.add", "order", order.id, deal=deal.id, title=order.title, priority=priority,
                 quantity=quantity, template=order.template)
    if chosen:
        templates.apply(session, actor, order, chosen)
    return order


def set_status(*, session: Session, actor: User, order_id: int | str, status: str) -> Order:
    """open | done | cancelled. Done needs every task finished; cancelled cancels the open ones."""
    if status not in STATUSES:
        raise BadInput(_("unknown order status {status!r}: expected one of {known}").format(status=status,
                                                                                         known=", ".join(STATUSES)))
    order = get_order(session, order_id)
    require_deal_access(session, actor, session.get(Deal, order.deal_id), action=_("change orders of"))
    if order.status == status:
        raise Conflict(_("order {id} is already {status}").format(id=order.id, status=status))
    open_ids = list(session.scalars(select(Task.id).where(Task.order_id == order.id, Task.status.in_(forecast_mod.OPEN))
                                    .order_by(Task.id)))
    if status == OrderStatus.done and open_ids:
        raise Conflict(_("order {id} still has open tasks: {ids}").format(id=order.id, ids=", ".join(map(str, open_ids))))
    if status == OrderStatus.cancelled:
        for task_id in open_ids:
            tasks_mod.apply_status(session, actor, get_task(session, task_id), TaskStatus.cancelled,
                                    reason="order_cancelled")
    before = order.status
    order.status = status
    order.updated_at = clock.now()
    audit.record(session, actor, "order.status", "order", order.id, before=before, after=status)
    return order


def _public(order: Order, counts: dict, fc: forecast_mod.Forecast) -> dict:
    total, open_count = counts.get(order.id, (0, 0))
    last = fc.order_ready(order.id)
    return {"id": order.id, "deal_id": order.deal_id, "title": order.title, "priority": order.priority,
            "quantity": order.quantity, "status": order.status, "template": order.template, "tasks": total,
            "open_tasks": open_count, "ready_at": clock.iso(last.finish) if last else None,
            "ready_task": last.task_id if last else None, "created_at": clock.iso(order.created_at)}


def _counts(session: Session, order_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not order_ids:
        return {}
    open_case = func.sum(case((Task.status.in_(forecast_mod.OPEN), 1), else_=0))
    out = {}
    for order_id, total, opened in session.execute(
            select(Task.order_id, func.count(Task.id), open_case).where(Task.order_id.in_(order_ids)).group_by(Task.order_id)):
        out[order_id] = (total, int(opened or 0))
    return out


def list_orders(*, session: Session, actor: User, deal_id: int | str | None = None, include_closed: bool = True,
                forecast: forecast_mod.Forecast | None = None) -> list[dict]:
    """Orders the actor may see (executors: orders holding their tasks), each with its ready date."""
    return list(order_listing(session=session, actor=actor, deal_id=deal_id, include_closed=include_closed,
                              forecast=forecast))


def order_listing(*, session: Session, actor: User, deal_id: int | str | None = None, include_closed: bool = True,
                  forecast: forecast_mod.Forecast | None = None) -> Listing:
    """`list_orders` as a counted, streamed listing (`yoolla order list`): one query for the orders,
    task counts per batch, the forecast computed once when the first row is asked for."""
    stmt = select(Order).join(Deal, Deal.id == Order.deal_id)
    if actor.role == Role.executor:
        stmt = stmt.where(Order.id.in_(select(Task.order_id).where(Task.assignee_id == actor.id)))
    else:
        scope = deal_scope(session, actor)
        if scope is not None:
            stmt = stmt.where(scope)
    if deal_id is not None:
        deal = get_deal(session, deal_id)
        stmt = stmt.where(Order.deal_id == deal.id)
    if not include_closed:
        stmt = stmt.where(Order.status == OrderStatus.open)
    known = [forecast]

    def convert(batch) -> list[dict]:
        if known[0] is None:
            known[0] = forecast_mod.compute(session)
        orders = [row[0] for row in batch]
        counts = _counts(session, [o.id for o in orders])
        return [_public(o, counts, known[0]) for o in orders]

    return Listing(session, stmt.order_by(Order.deal_id, Order.id), convert, per_batch=True)


def for_deal(session: Session, deal_id: int) -> list[dict]:
    """The orders of one deal with their ready dates (for the deal card; access checked by the caller)."""
    orders = list(session.scalars(select(Order).where(Order.deal_id == deal_id).order_by(Order.id)))
    if not orders:
        return []
    fc = forecast_mod.compute(session)
    counts = _counts(session, [o.id for o in orders])
    return [_public(o, counts, fc) for o in orders]


def _readable(session: Session, actor: User, order: Order) -> None:
    if actor.role == Role.executor:
        mine = session.scalar(select(func.count(Task.id)).where(Task.order_id == order.id, Task.assignee_id == actor.id))
        if not mine:
            raise PermissionDenied(_("{login} (executor) may not see order {id}: none of its tasks is theirs").format(
                login=actor.login, id=order.id))
        return
    require_deal_access(session, actor, session.get(Deal, order.deal_id), action=_("see orders of"))


def show(*, session: Session, actor: User, order_id: int | str) -> dict:
    """An order's card: its fields, ready date and every task with its forecast."""
    order = get_order(session, order_id)
    _readable(session, actor, order)
    fc = forecast_mod.compute(session)
    out = _public(order, _counts(session, [order.id]), fc)
    out["task_list"] = tasks_mod.list_for_order(session, order.id, fc)
    return out


def why(*, session: Session, actor: User, order_id: int | str) -> dict:
    """Why the order is ready when it is: the chain behind its last task."""
    order = get_order(session, order_id)
    _readable(session, actor, order)
    fc = forecast_mod.compute(session)
    last = fc.order_ready(order.id)
    if last is None:
        raise Conflict(_("order {id} has no open tasks: nothing to forecast").format(id=order.id))
    return {"order": order.id, "title": order.title, "ready_at": clock.iso(last.finish), "ready_task": last.task_id,
            "steps": forecast_mod.explain(fc, last.task_id)}
