"""Reports: what the administrator watches daily (seed 002)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from . import clock, money
from .models import Call, Campaign, Deal, Outcome, Payment, Role, User
from .permissions import supervised_ids

# Outcomes where nobody from the client was spoken to: they do not count as "reached".
NOT_REACHED = (Outcome.no_answer.value, Outcome.wrong_number.value)


def _visible_managers(session: Session, actor: User) -> list[User]:
    stmt = select(User).where(User.role.in_([Role.manager, Role.supervisor, Role.admin])).order_by(User.login)
    if actor.role == Role.manager:
        stmt = stmt.where(User.id == actor.id)
    elif actor.role == Role.supervisor:
        stmt = stmt.where(User.id.in_(supervised_ids(session, actor) + [actor.id]))
    elif actor.role != Role.admin:
        return []
    return list(session.scalars(stmt))


def daily(*, session: Session, actor: User, day: date | None = None, campaign: str | None = None) -> list[dict]:
    """Per manager for one local day: calls made, deals reached, contacts not yet called (now),
    invoices issued, payments received (count and amount). Managers with deals or activity only.

    "Not yet called" counts deals never called that are still in the queue: after a rollover
    the old week's uncalled deals leave the queue (the new week's deal replaces them), so a
    contact is not counted twice while both campaigns are open."""
    day = day or clock.today()
    start, end = clock.local_day_bounds(day)
    deal_filter = []
    if campaign:
        from .campaigns import resolve

        deal_filter.append(Deal.campaign_id == resolve(session, campaign).id)
    else:
        deal_filter.append(Deal.campaign_id.in_(select(Campaign.id).where(Campaign.status == "open")))
    rows = []
    for user in _visible_managers(session, actor):
        calls, reached = session.execute(
            select(func.count(Call.id), func.count(func.distinct(Call.deal_id)).filter(Call.outcome.not_in(NOT_REACHED)))
            .join(Deal, Deal.id == Call.deal_id)
            .where(Call.user_id == user.id, Call.at >= start, Call.at < end, *deal_filter)).one()
        deals, not_called = session.execute(
            select(func.count(Deal.id), func.count(Deal.id).filter(Deal.status == "new", Deal.closed_at.is_(None),
                                                        Deal.next_call_at.is_not(None)))
            .where(Deal.manager_id == user.id, *deal_filter)).one()
        invoices = session.scalar(select(func.count(Deal.id)).where(
            Deal.manager_id == user.id, Deal.invoiced_at >= start, Deal.invoiced_at < end, *deal_filter))
        payments, paid = session.execute(
            select(func.count(Payment.id), func.coalesce(func.sum(Payment.amount_cents), 0))
            .join(Deal, Deal.id == Payment.deal_id)
            .where(Deal.manager_id == user.id, Payment.paid_at >= start, Payment.paid_at < end, *deal_filter)).one()
        if not (deals or calls or invoices or payments):
            continue
        rows.append({"id": user.id, "manager": user.login, "date": day.isoformat(), "deals": deals, "calls": calls,
                     "reached": reached, "not_called": not_called, "invoices": invoices, "payments": payments,
                     "paid": money.show(paid) or "0.00"})
    return rows
