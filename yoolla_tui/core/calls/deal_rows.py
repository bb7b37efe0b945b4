"""The deal listing's query and row, and the queue order: one definition that the deal list,
the shared pool and Today all read deals through."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select

from yoolla_tui.core.funnel import light
from yoolla_tui.core.kernel import clock, money
from yoolla_tui.core.kernel.models import Campaign, Client, Deal, Payment, Stage, User


def listing_stmt():
    """Each deal with its client, campaign, stage, manager and the sum paid (see `public_row`)."""
    return (select(Deal, Client.name, Client.phone, Client.phone_ext, Campaign.name, Stage.code, User.login,
                   func.coalesce(select(func.sum(Payment.amount_cents)).where(Payment.deal_id == Deal.id).scalar_subquery(), 0))
            .join(Client, Client.id == Deal.client_id)
            .join(Campaign, Campaign.id == Deal.campaign_id)
            .join(Stage, Stage.id == Deal.stage_id)
            .join(User, User.id == Deal.manager_id, isouter=True))


def public_row(row, now: datetime | None = None) -> dict:
    deal, client_name, phone, ext, campaign, stage, manager, paid = row
    return {"id": deal.id, "campaign": campaign, "client_id": deal.client_id, "client": client_name,
            "phone": phone, "phone_ext": ext or None, "manager": manager, "stage": stage, "status": deal.status,
            "next_call_at": clock.iso(deal.next_call_at), "attempts_week": deal.attempts_week,
            "attempts_total": deal.attempts_total, "carried_over": deal.carried_over,
            "invoice": money.show(deal.invoice_cents), "paid": money.show(paid) if paid else None,
            "closed": deal.closed_at is not None, "version": deal.version,
            "light": light.deal_light(deal, now), "close_by": deal.close_by.isoformat() if deal.close_by else None}


def queue_order(now: datetime):
    """Overdue call-backs first (they never silently vanish), then by due time."""
    overdue_callback = case((and_(Deal.status == "call_back", Deal.next_call_at < now), 0), else_=1)
    return (overdue_callback, Deal.next_call_at, Deal.id)
