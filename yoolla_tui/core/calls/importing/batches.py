"""Import batches: every import is a batch that can be listed, shown with its rejected rows, and
undone as a whole (refused once its clients or deals have moved on)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, select, update as sql_update
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, refs
from yoolla_tui.core.kernel.errors import Conflict, NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.listing import Listing
from yoolla_tui.core.kernel.models import AuditRecord, Call, Campaign, Client, Deal, ImportBatch, ImportRejectedRow, ImportUpdate, Payment, User
from yoolla_tui.core.kernel.permissions import require_campaign_admin
from yoolla_tui.core.calls.importing.service import RESULT_KEYS


def _batch_row(batch: ImportBatch, logins: dict[int, str], names: dict[int, str]) -> dict:
    stats = batch.stats or {}
    return {"batch": batch.id, "created_at": clock.iso(batch.created_at), "actor": logins.get(batch.actor_id),
            "file": Path(batch.source).name, "source": batch.source, "campaign": names.get(batch.campaign_id),
            **{k: stats.get(k) for k in RESULT_KEYS if k != "batch"}, "undone_at": clock.iso(batch.undone_at)}


def list_batches(*, session: Session, actor: User, limit: int | None = 50) -> list[dict]:
    """Imports, newest first."""
    return list(batch_listing(session=session, actor=actor).rows(limit=limit))


def batch_listing(*, session: Session, actor: User) -> Listing:
    """Every import, newest first, counted and streamed (see core/listing.py)."""
    require_campaign_admin(actor, action=_("see imports"))
    logins = dict(session.execute(select(User.id, User.login)).all())
    names = dict(session.execute(select(Campaign.id, Campaign.name)).all())
    return Listing(session, select(ImportBatch).order_by(ImportBatch.id.desc()),
                   lambda row: _batch_row(row[0], logins, names))


def get_batch(session: Session, ref: int | str) -> ImportBatch:
    batch_id = refs.number(ref, _("{ref!r} is not an import batch number (see `yoolla import list`)"))
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(_("no import batch {id} (see `yoolla import list`)").format(id=batch_id))
    return batch


def show_batch(*, session: Session, actor: User, ref: int | str, limit: int | None = 1000) -> dict:
    """One import: its result, the mapping it used and its rejected rows (first `limit`; None: all)."""
    require_campaign_admin(actor, action=_("see imports"))
    batch = get_batch(session, ref)
    logins = dict(session.execute(select(User.id, User.login)).all())
    names = dict(session.execute(select(Campaign.id, Campaign.name)).all())
    out = _batch_row(batch, logins, names)
    stats = batch.stats or {}
    for key in ("duplicates_within_file", "duplicates_in_base", "blank", "skipped_do_not_call", "rejected_file", "sheets",
                "statuses"):
        if key in stats:
            out[key] = stats[key]
    out["rejected_rows"] = list(rejected_listing(session=session, actor=actor, ref=batch.id).rows(limit=limit))
    return out


def rejected_listing(*, session: Session, actor: User, ref: int | str) -> Listing:
    """The rejected rows of one import in file order, counted and streamed (see core/listing.py)."""
    require_campaign_admin(actor, action=_("see imports"))
    batch = get_batch(session, ref)
    stmt = (select(ImportRejectedRow.sheet, ImportRejectedRow.row_number, ImportRejectedRow.reason, ImportRejectedRow.cells)
            .where(ImportRejectedRow.batch_id == batch.id).order_by(ImportRejectedRow.id))
    return Listing(session, stmt, _rejected_row)


def _rejected_row(row) -> dict:
    return {"sheet": row.sheet or None, "row": row.row_number, "reason": row.reason, "cells": row.cells}


def undo_batch(*, session: Session, actor: User, ref: int | str) -> dict:
    """Remove what the batch inserted (its clients and the deals it created) and restore the fields
    an --update filled — only if nothing has happened to them since.

    Raises Conflict listing what blocks it: calls, stage moves or other changes on its deals, its
    clients on other campaigns or changed since, or an undo already done.
    """
    require_campaign_admin(actor, action=_("undo imports"))
    batch = get_batch(session, ref)
    if batch.undone_at is not None:
        raise Conflict(_("import {id} was already undone on {at}").format(id=batch.id, at=clock.show(batch.undone_at)))
    blockers = _undo_blockers(session, batch)
    if blockers:
        shown = "; ".join(blockers[:10]) + (_("; and {n} more").format(n=len(blockers) - 10) if len(blockers) > 10 else "")
        raise Conflict(_("import {id} cannot be undone, things happened since: {blockers}").format(id=batch.id, blockers=shown))
    deals = session.execute(delete(Deal).where(Deal.import_batch_id == batch.id)).rowcount
    # Before-values other (already undone) imports kept for these clients go with them.
    session.execute(delete(ImportUpdate).where(ImportUpdate.client_id.in_(
        select(Client.id).where(Client.import_batch_id == batch.id))))
    restored = 0
    for change in session.scalars(select(ImportUpdate).where(ImportUpdate.batch_id == batch.id)):
        session.execute(sql_update(Client).where(Client.id == change.client_id).values(**change.before, updated_at=clock.now()))
        restored += 1
    clients = session.execute(delete(Client).where(Client.import_batch_id == batch.id)).rowcount
    batch.undone_at = clock.now()
    result = {"batch": batch.id, "clients_removed": clients, "deals_removed": deals, "clients_restored": restored}
    audit.record(session, actor, "import.undo", "import_batch", batch.id, **result)
    return result


def _run_record_id(session: Session, batch: ImportBatch) -> int:
    return session.scalar(select(func.max(AuditRecord.id)).where(AuditRecord.action == "import.run",
                                                                  AuditRecord.entity_id == batch.id)) or 0


def _undo_blockers(session: Session, batch: ImportBatch) -> list[str]:
    out: list[str] = []
    batch_deals = select(Deal.id).where(Deal.import_batch_id == batch.id)
    batch_clients = select(Client.id).where(Client.import_batch_id == batch.id)
    for deal_id, name, n in session.execute(
            select(Call.deal_id, Client.name, func.count(Call.id)).join(Client, Client.id == Call.client_id)
            .where(Call.deal_id.in_(batch_deals) | Call.client_id.in_(batch_clients))
            .group_by(Call.deal_id, Client.name).order_by(Call.deal_id).limit(50)):
        out.append(_("deal {deal} ({name}) has {n} call(s)").format(deal=deal_id, name=name, n=n))
    for deal_id, n in session.execute(
            select(Payment.deal_id, func.count(Payment.id)).where(Payment.deal_id.in_(batch_deals))
            .group_by(Payment.deal_id).limit(50)):
        out.append(_("deal {deal} has {n} payment(s)").format(deal=deal_id, n=n))
    since = _run_record_id(session, batch)
    deal_actions = session.execute(
        select(AuditRecord.entity_id, AuditRecord.action).where(
            AuditRecord.entity == "deal", AuditRecord.id > since, AuditRecord.action != "call.log",
            AuditRecord.entity_id.in_(batch_deals)).order_by(AuditRecord.id).limit(50)).all()
    labels = {"deal.stage": _("moved to another stage"), "deal.move": _("given to another manager"),
              "deal.invoice": _("invoiced"), "deal.pay": _("paid")}
    for deal_id, action in dict.fromkeys(deal_actions):
        out.append(_("deal {deal} was {what}").format(deal=deal_id, what=labels.get(action, action)))
    for client_id, action in dict.fromkeys(session.execute(
            select(AuditRecord.entity_id, AuditRecord.action).where(
                AuditRecord.entity == "client", AuditRecord.id > since,
                AuditRecord.entity_id.in_(batch_clients)).order_by(AuditRecord.id).limit(50)).all()):
        out.append(_("client {id} changed since ({action})").format(id=client_id, action=action))
    for deal_id, name, campaign in session.execute(
            select(Deal.id, Client.name, Campaign.name).join(Client, Client.id == Deal.client_id)
            .join(Campaign, Campaign.id == Deal.campaign_id)
            .where(Deal.client_id.in_(batch_clients), (Deal.import_batch_id != batch.id) | Deal.import_batch_id.is_(None))
            .order_by(Deal.id).limit(50)):
        out.append(_("client {name} is also on campaign {campaign!r} (deal {deal})").format(name=name, campaign=campaign, deal=deal_id))
    for deal_id, in session.execute(select(Deal.id).where(Deal.rolled_from_deal_id.in_(batch_deals)).limit(50)):
        out.append(_("deal {deal} was rolled over from one of its deals").format(deal=deal_id))
    for client_id, other in session.execute(
            select(ImportUpdate.client_id, ImportUpdate.batch_id).join(ImportBatch, ImportBatch.id == ImportUpdate.batch_id)
            .where(ImportUpdate.client_id.in_(batch_clients), ImportBatch.undone_at.is_(None)).limit(50)):
        out.append(_("client {id} was updated by import {batch}").format(id=client_id, batch=other))
    return out
