"""Stage moves: the gates to enter a stage, follow-up scheduling, closing won and lost deals.

Every stage change in Yoolla goes through `enter_stage`, whichever face or service asks, and
`check_transition` is the one rule deciding whether a move may happen (the dashboard calls it
to show what is missing before a move):

- the target stage's required fields (invoice, payment, quality, lost reason) are present;
- a lost stage has a lost reason, and a note when the reason needs one;
- a stage that requires a document (`requires_document`) has one of that kind made on the
  deal, and mailed to the client when the stage says so (`requires_sent`);
- every checkpoint the deal has, whose type is bound to a stage the move goes past, is done.
  A deal with no checkpoint of a gating type is not held by it (checkpoints are optional,
  seed 000); moving into a lost stage is never held by checkpoints;
- every running process with a gate (issue 27: an approval started by a stage trigger) holds the
  deal at the stage it started in: moving past that stage waits until it is finished (the
  approval approved); moving back or into a lost stage is not held;
- moving back (to an earlier open stage) is for supervisors and admins only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, events, reference
from yoolla_tui.core.kernel.errors import BadInput, Conflict, GateNotMet
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import (Checkpoint, CheckpointType, Deal, DealProcess, Document, LostReason, Payment,
                                           ProcessStatus, Role, Stage, StageKind, User)
from yoolla_tui.core.people.calendar import WorkCalendar
from yoolla_tui.core.kernel.lookup import get_deal
from yoolla_tui.core.kernel.permissions import require_deal_access


def paid_cents(session: Session, deal_id: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(Payment.deal_id == deal_id)) or 0


def missing_fields(session: Session, deal: Deal, stage: Stage, reason: LostReason | None) -> list[str]:
    """What the deal lacks to enter `stage` (empty when the gate is open)."""
    missing = []
    for field in stage.required_fields or []:
        if field == "invoice" and not deal.invoice_cents:
            missing.append(_("an invoice (yoolla deal invoice {deal} AMOUNT)").format(deal=deal.id))
        elif field == "payment" and paid_cents(session, deal.id) <= 0:
            missing.append(_("a payment (yoolla deal pay {deal} AMOUNT)").format(deal=deal.id))
        elif field == "quality" and not deal.quality:
            missing.append(_("a quality mark"))
        elif field == "lost_reason" and reason is None and deal.lost_reason_id is None:
            missing.append(_("a lost reason (--reason)"))
    if stage.kind == StageKind.lost and reason is None and deal.lost_reason_id is None and not missing:
        missing.append(_("a lost reason (--reason)"))
    return missing


def missing_document(session: Session, deal: Deal, stage: Stage) -> str | None:
    """What the deal lacks of the document `stage` requires (None: nothing required, or made and
    sent as required). Reads the `document` table: the documents domain sits above the funnel."""
    kind = stage.requires_document
    if not kind:
        return None
    stmt = select(Document.id).where(Document.deal_id == deal.id, Document.kind == kind)
    if stage.requires_sent:
        stmt = stmt.where(Document.sent_at.is_not(None))
    if session.scalar(stmt.limit(1)) is not None:
        return None
    name = reference.document_kind_name(kind)
    if stage.requires_sent:
        return _("a document sent to the client: {name} (yoolla deal document {deal} {kind} --send)").format(
            name=name, deal=deal.id, kind=kind)
    return _("a document: {name} (yoolla deal document {deal} {kind})").format(name=name, deal=deal.id, kind=kind)


def undone_gates(session: Session, deal: Deal, target: Stage) -> list[Checkpoint]:
    """The deal's undone checkpoints whose type is bound to a stage a move to `target` goes past."""
    if target.kind == StageKind.lost:
        return []
    stmt = (select(Checkpoint)
            .join(CheckpointType, CheckpointType.id == Checkpoint.type_id)
            .join(Stage, Stage.id == CheckpointType.stage_id)
            .where(Checkpoint.deal_id == deal.id, Checkpoint.done_at.is_(None),
                   Stage.pipeline_id == target.pipeline_id, Stage.position < target.position)
            .order_by(Stage.position, Checkpoint.id))
    return list(session.scalars(stmt))


def running_gates(session: Session, deal: Deal, target: Stage) -> list[DealProcess]:
    """The deal's running gated processes started at a stage a move to `target` goes past."""
    if target.kind == StageKind.lost:
        return []
    stmt = (select(DealProcess)
            .join(Stage, Stage.id == DealProcess.stage_id)
            .where(DealProcess.deal_id == deal.id, DealProcess.gate.is_(True),
                   DealProcess.status == ProcessStatus.running,
                   Stage.pipeline_id == target.pipeline_id, Stage.position < target.position)
            .order_by(Stage.position, DealProcess.id))
    return list(session.scalars(stmt))


def check_transition(session: Session, actor: User, deal: Deal, stage: Stage, reason: LostReason | None = None,
                     note: str = "") -> list[str]:
    """Every condition a move of `deal` into `stage` by `actor` does not meet, in the user's
    language, each phrased to follow "it needs …" (empty: the move may happen). Does not check
    that the actor may work the deal at all (permissions.require_deal_access) or that it is open."""
    missing = missing_fields(session, deal, stage, reason)
    document = missing_document(session, deal, stage)
    if document:
        missing.append(document)
    if stage.kind == StageKind.lost and reason is not None and reason.needs_note and not note.strip():
        missing.append(_("a note for lost reason {reason!r} (--note)").format(reason=reason.code))
    current = session.get(Stage, deal.stage_id)
    for checkpoint in undone_gates(session, deal, stage):
        kind = session.get(CheckpointType, checkpoint.type_id)
        missing.append(_("checkpoint {id} {name!r} done (yoolla checkpoint done {id})").format(
            id=checkpoint.id, name=kind.name))
    for process in running_gates(session, deal, stage):
        if process.decision:
            missing.append(_("process {id} {name!r} approved (yoolla process approve {id})").format(
                id=process.id, name=process.name))
        else:
            missing.append(_("process {id} {name!r} finished (yoolla process show {id})").format(
                id=process.id, name=process.name))
    if (stage.kind == StageKind.open and current.kind == StageKind.open and stage.position < current.position
            and actor.role not in (Role.admin, Role.supervisor)):
        missing.append(_("a supervisor or an admin to move it back from {stage!r}").format(stage=current.code))
    return missing


def unmet(*, session: Session, actor: User, deal_id: int | str, to: str, reason: str | None = None,
          note: str = "") -> list[str]:
    """`check_transition` by ids and codes, for a face that shows what a move still needs before
    it is tried (the dashboard): the deal by id, the stage by code in the deal's pipeline, the
    lost reason by code. Raises NotFound / PermissionDenied like `deals.advance` would."""
    deal = get_deal(session, deal_id)
    require_deal_access(session, actor, deal, action=_("move"))
    stage = reference.get_stage(session, _pipeline_id(session, deal), to)
    lost_reason = reference.get_lost_reason(session, reason) if reason else None
    return check_transition(session, actor, deal, stage, lost_reason, note)


def enter_stage(session: Session, actor: User, deal: Deal, stage: Stage, *, calendar: WorkCalendar,
                reason: LostReason | None = None, note: str = "", when: datetime | None = None) -> None:
    """Move `deal` into `stage`, checking the gate; schedules the follow-up and closes won/lost deals.

    Raises GateNotMet naming every unmet condition at once (`check_transition`), Conflict when
    the deal is already closed, BadInput for a stage of another pipeline.
    """
    when = when or clock.now()
    if deal.closed_at is not None:
        raise Conflict(_("deal {deal} is closed; nothing can move it").format(deal=deal.id))
    if stage.pipeline_id != _pipeline_id(session, deal):
        raise BadInput(_("stage {stage!r} is not in this deal's pipeline").format(stage=stage.code))
    missing = check_transition(session, actor, deal, stage, reason, note)
    if missing:
        raise GateNotMet(_("deal {deal} cannot enter {stage!r}: it needs {missing}").format(
            deal=deal.id, stage=stage.code, missing="; ".join(missing)))
    before = deal.stage_id
    deal.stage_id = stage.id
    deal.stage_entered_at = when
    deal.stage_due_at = calendar.stage_deadline(when, stage.time_budget_days) if stage.kind == StageKind.open else None
    if stage.kind in (StageKind.won, StageKind.lost):
        deal.closed_at = when
        deal.next_call_at = None
        deal.callback_user_id = None
        if stage.kind == StageKind.lost:
            deal.lost_at_stage_id = before
            deal.lost_reason_id = reason.id if reason else deal.lost_reason_id
            deal.lost_note = note or deal.lost_note
    elif stage.followup_days is not None:
        deal.next_call_at = calendar.followup(when, stage.followup_days)
        deal.callback_user_id = None
    elif deal.callback_user_id is None:
        # The previous stage's follow-up (e.g. "ask about payment") no longer applies; a
        # call-back someone promised does, and stays.
        deal.next_call_at = None
    touch(deal, when)
    audit.record(session, actor, "deal.stage", "deal", deal.id, stage_before=before, stage_after=stage.id,
                 reason=reason.code if reason else None, note=note or None)
    # What other domains do on entering a stage (work: close the deal's tasks) runs here, in this
    # transaction: see kernel/events.py and core/reactions.py.
    events.publish(session, actor, events.StageEntered(deal=deal, stage=stage, stage_before_id=before))


# A stage with no follow-up of its own (e.g. "agreed") still gets a next call after a client says
# yes: the next business day, so a deal that moved on never drops out of its manager's queue.
FOLLOWUP_WITHOUT_OWN_DAYS = 1


def followup_after_interest(stage: Stage, when: datetime, *, calendar: WorkCalendar) -> datetime:
    """When a deal at open `stage` is called next after the client showed interest at `when`:
    the stage's follow-up (business days), or the next business day's start when the stage has
    none (FOLLOWUP_WITHOUT_OWN_DAYS). The rule behind the `interested` outcome, for both faces."""
    days = stage.followup_days if stage.followup_days is not None else FOLLOWUP_WITHOUT_OWN_DAYS
    return calendar.followup(when, days)


def close_lost(session: Session, actor: User, deal: Deal, reason: LostReason, *, calendar: WorkCalendar,
               note: str = "", when: datetime | None = None) -> None:
    """Close an open deal as lost with `reason` in its pipeline's lost stage."""
    stage = reference.lost_stage(session, _pipeline_id(session, deal))
    enter_stage(session, actor, deal, stage, calendar=calendar, reason=reason, note=note, when=when)


def touch(deal: Deal, when: datetime) -> None:
    deal.updated_at = when
    deal.version += 1


def _pipeline_id(session: Session, deal: Deal) -> int:
    return session.get(Stage, deal.stage_id).pipeline_id
