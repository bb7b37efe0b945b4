"""Deals and calls: the listing and due lists, logging an outcome, stage moves, invoices, payments.

What each call outcome does to the queue is decided here, once (PRODUCT.md, "Call outcome").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, money, reference, refs, settings, text
from yoolla_tui.core.calls import clients
from yoolla_tui.core.calls.deal_rows import listing_stmt, public_row, queue_order
from yoolla_tui.core.funnel import transition as funnel, light
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.lookup import get_deal
from yoolla_tui.core.kernel.errors import BadInput, Conflict, NotFound, StaleEdit
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.listing import Listing
from yoolla_tui.core.kernel.models import Call, Campaign, Client, Deal, Outcome, Payment, Stage, StageKind, User
from yoolla_tui.core.kernel.permissions import deal_scope, require_deal_access
from yoolla_tui.core.people.calendar import WorkCalendar
from yoolla_tui.core.calls.campaigns import resolve as resolve_campaign
from yoolla_tui.core.work.orders import for_deal
from yoolla_tui.core.kernel.models import LostReason
from yoolla_tui.core.calls.pool import on_call_logged
from yoolla_tui.core.kernel.audit import last_change
from yoolla_tui.core.kernel.models import AuditRecord, Role
from yoolla_tui.core.kernel.errors import PermissionDenied

OUTCOMES = [o.value for o in Outcome]
DUE_FILTERS = ("today", "overdue")


def outcome_label(code: str) -> str:
    labels = {"no_answer": _("No answer"), "call_back": _("Call back"), "interested": _("Interested"),
              "refused": _("Refused"), "do_not_call": _("Do not call"), "wrong_number": _("Wrong number"),
              "new": _("New"), "phone_fixed": _("Phone corrected")}
    return labels.get(code, code)


# ---- reading -------------------------------------------------------------------------------

def list_deals(*, session: Session, actor: User, campaign: str | None = None, manager: str | None = None,
               due: str | None = None, stage: str | None = None, status: str | None = None,
               include_closed: bool = False, limit: int | None = None, offset: int = 0,
               light_: str | None = None) -> list[dict]:
    """Deals the actor may see, filtered. `due=today`: open deals due by the end of today
    (overdue included), in queue order; `due=overdue`: due before now. `light_`: red, yellow or
    green (the traffic light, filtered in SQL; it selects open deals only)."""
    listing = deal_listing(session=session, actor=actor, campaign=campaign, manager=manager, due=due, stage=stage,
                           status=status, include_closed=include_closed, light_=light_)
    return list(listing.rows(limit=limit, offset=offset if limit else 0))


def deal_listing(*, session: Session, actor: User, campaign: str | None = None, manager: str | None = None,
                 due: str | None = None, stage: str | None = None, status: str | None = None,
                 include_closed: bool = False, light_: str | None = None) -> Listing:
    """list_deals as a Listing: counted and streamed (see core/listing.py); same filters and order."""
    stmt = listing_stmt()
    scope = deal_scope(session, actor)
    if scope is not None:
        stmt = stmt.where(scope)
    if campaign:
        stmt = stmt.where(Deal.campaign_id == resolve_campaign(session, campaign).id)
    if manager:
        stmt = stmt.where(Deal.manager_id == users.get_by_login(session, manager).id)
    if stage:
        codes = set(session.scalars(select(Stage.code)))
        if stage not in codes:
            raise NotFound(_("unknown stage {code!r} (stages: {known})").format(code=stage, known=", ".join(sorted(codes))))
        stmt = stmt.where(Stage.code == stage)
    if status:
        if status not in OUTCOMES + ["new", "phone_fixed"]:
            raise BadInput(_("unknown status {status!r}: expected new or one of {known}").format(status=status, known=", ".join(OUTCOMES)))
        stmt = stmt.where(Deal.status == status)
    now = clock.now()
    if due:
        if due not in DUE_FILTERS:
            raise BadInput(_("--due takes today or overdue, not {due!r}").format(due=due))
        _start, end = clock.local_day_bounds(clock.today())
        stmt = stmt.where(Deal.closed_at.is_(None), Deal.next_call_at.is_not(None),
                          Deal.next_call_at < (end if due == "today" else now))
    elif not include_closed:
        stmt = stmt.where(Deal.closed_at.is_(None))
    if light_:
        if light_ not in light.LIGHTS:
            raise BadInput(_("--light takes red, yellow or green, not {light!r}").format(light=light_))
        stmt = stmt.where(light.light_clause(light_, now))
    stmt = stmt.order_by(*queue_order(now)) if due else stmt.order_by(Campaign.week_start, Client.name, Deal.id)
    return Listing(session, stmt, lambda row: public_row(row, now))


def show(*, session: Session, actor: User, deal_id: int | str) -> dict:
    """The deal card: its fields, calls on it, payments, orders, documents, and the size of the
    client's history."""
    deal = get_deal(session, deal_id)
    require_deal_access(session, actor, deal, action=_("see"))
    out = public_row(session.execute(listing_stmt().where(Deal.id == deal.id)).one())
    login = dict(session.execute(select(User.id, User.login)).all())
    stage_code = dict(session.execute(select(Stage.id, Stage.code)).all())
    out["lost_reason"] = reference_code(session, deal.lost_reason_id)
    out["lost_note"] = deal.lost_note or None
    out["quality"] = deal.quality
    out["stage_entered_at"] = clock.iso(deal.stage_entered_at)
    out["calls"] = [{"id": c.id, "at": clock.iso(c.at), "user": login.get(c.user_id), "outcome": c.outcome, "note": c.note,
                     "stage_before": stage_code.get(c.stage_before_id), "stage_after": stage_code.get(c.stage_after_id)}
                    for c in session.scalars(select(Call).where(Call.deal_id == deal.id).order_by(Call.at, Call.id))]
    out["payments"] = [{"id": p.id, "amount": money.show(p.amount_cents), "paid_at": clock.iso(p.paid_at)}
                       for p in session.scalars(select(Payment).where(Payment.deal_id == deal.id).order_by(Payment.paid_at))]
    out["client_calls_total"] = session.scalar(select(func.count(Call.id)).where(Call.client_id == deal.client_id))

    out["orders"] = for_deal(session, deal.id)
    from yoolla_tui.core.automation.triggers import runs_for_deal
    from yoolla_tui.core.work.processes import list_processes

    out["processes"] = list_processes(session=session, actor=actor, deal_id=deal.id)  # issue 27
    out["triggers"] = runs_for_deal(session, deal.id)
    # issue 27: the documents made for the deal (core/documents makes them; the rows are kernel's)
    from yoolla_tui.core.kernel.models import Document

    out["documents"] = [reference.public_document(d, login.get(d.made_by_id)) for d in session.scalars(
        select(Document).where(Document.deal_id == deal.id).order_by(Document.made_at, Document.id))]
    return out


def reference_code(session: Session, lost_reason_id: int | None) -> str | None:
    return session.get(LostReason, lost_reason_id).code if lost_reason_id else None


# ---- writing -------------------------------------------------------------------------------

def _open_for_write(session: Session, actor: User, deal_id, action: str, expected_version: int | None) -> Deal:
    deal = get_deal(session, deal_id, lock=True)
    require_deal_access(session, actor, deal, action=action)
    _require_writable(session, deal, expected_version)
    return deal


def _require_writable(session: Session, deal: Deal, expected_version: int | None) -> None:
    """Refuse a stale edit (StaleEdit) or any write on a closed deal (Conflict)."""
    if expected_version is not None and deal.version != expected_version:
        raise StaleEdit(_("deal {id} was changed by someone else since you opened it; reload and try again").format(id=deal.id))
    if deal.closed_at is not None:
        raise Conflict(_("deal {id} is closed ({stage}); nothing more can be logged on it").format(
            id=deal.id, stage=session.get(Stage, deal.stage_id).code))


def log_call(*, session: Session, actor: User, deal_id: int | str, outcome: str, note: str = "",
             next_call: datetime | None = None, reason: str | None = None,
             expected_version: int | None = None) -> Call:
    """Log one call and apply its outcome to the deal and the queue.

    - no_answer: retry after the delay (>= the floor), inside working hours, at most N a week;
      after the last attempt the deal leaves this week's queue (it rolls into next week's).
    - call_back: needs `next_call`; due then, for the manager who set it.
    - interested: a deal at the first stage moves to the next one; either way the next call is
      the stage's follow-up, or the next business day when the stage has none.
    - refused: needs a lost `reason`; closes the deal as lost.
    - do_not_call: blacklists the client everywhere (closes all its open deals).
    - wrong_number: out of the queue until the client's phone is corrected.
    Raises BadInput (missing time/reason, unknown outcome), Conflict (closed deal, do-not-call client),
    PermissionDenied, StaleEdit.
    """
    if outcome not in OUTCOMES:
        raise BadInput(_("unknown outcome {outcome!r}: expected one of {known}").format(outcome=outcome, known=", ".join(OUTCOMES)))
    note = text.checked(note, field=_("note"), limit=text.NOTE_LIMIT, lines=True)
    deal = get_deal(session, deal_id, lock=True)
    require_deal_access(session, actor, deal, action=_("log calls on"))
    client = session.get(Client, deal.client_id)
    # Checked before "closed": do-not-call closes the client's deals, and it is the reason to tell.
    if client.do_not_call:
        raise Conflict(_("client {id} ({name}) is do-not-call; calls to it are not allowed").format(id=client.id, name=client.name))
    _require_writable(session, deal, expected_version)

    on_call_logged(session, actor, deal)  # the pool reservation ends; a pool deal becomes the caller's
    now = clock.now()
    calendar = WorkCalendar(session)
    stage_before = deal.stage_id
    before = _undo_state(deal)  # what `undo_call` restores
    version_before = deal.version  # an undo of this call puts the deal back to this version's state
    lost_reason = None
    if outcome == Outcome.call_back:
        if next_call is None:
            raise BadInput(_("call_back needs a time: --next-call WHEN (e.g. 'tomorrow 10:00', '+2h')"))
        if next_call <= now:
            raise BadInput(_("call-back time {when} is in the past").format(when=clock.show(next_call)))
    if outcome == Outcome.refused:
        if not reason:
            known = ", ".join(r["code"] for r in reference.list_lost_reasons(session) if r["code"] != "do_not_call")
            raise BadInput(_("refused needs a lost reason: --reason REASON ({known})").format(known=known))
        lost_reason = reference.get_lost_reason(session, reason)
        if lost_reason.needs_note and not note.strip():
            raise BadInput(_("lost reason {reason!r} needs a note (--note)").format(reason=lost_reason.code))

    deal.status = outcome
    if outcome == Outcome.no_answer:
        deal.attempts_week += 1
        deal.attempts_total += 1
        if deal.attempts_week >= settings.get(session, "no_answer_max_attempts"):
            deal.next_call_at = None  # waits for next week's campaign
        else:
            delay = max(settings.get(session, "no_answer_delay_minutes"), settings.get(session, "no_answer_min_delay_minutes"))
            deal.next_call_at = calendar.into_working_hours(now + timedelta(minutes=delay))
        deal.callback_user_id = None
    elif outcome == Outcome.call_back:
        deal.next_call_at = next_call
        deal.callback_user_id = actor.id
    elif outcome == Outcome.interested:
        deal.next_call_at = None
        deal.callback_user_id = None
        current = session.get(Stage, deal.stage_id)
        stages = reference.stages(session, current.pipeline_id)
        if current.id == reference.first_stage(session, current.pipeline_id).id:
            following = next(s for s in stages if s.position > current.position and s.kind == StageKind.open)
            funnel.enter_stage(session, actor, deal, following, calendar=calendar, when=now)
        # Moved on (to_call -> agreed) or still moving (e.g. "will pay"): the stage's follow-up
        # applies from now, or the next business day for a stage without one ("agreed"), so an
        # interested client never drops out of the queue unnoticed.
        if deal.closed_at is None:  # a stage trigger may have closed it
            deal.next_call_at = funnel.followup_after_interest(session.get(Stage, deal.stage_id), now,
                                                               calendar=calendar)
    elif outcome == Outcome.refused:
        funnel.close_lost(session, actor, deal, lost_reason, calendar=calendar, note=note, when=now)
    elif outcome == Outcome.do_not_call:
        clients.blacklist(session=session, actor=actor, client=client, reason=note.strip() or _("asked on a call not to be called"),
                          calendar=calendar)
    elif outcome == Outcome.wrong_number:
        deal.next_call_at = None
        deal.callback_user_id = None
    funnel.touch(deal, now)
    call = Call(deal_id=deal.id, client_id=deal.client_id, user_id=actor.id, at=now, outcome=outcome, note=note,
                stage_before_id=stage_before, stage_after_id=deal.stage_id, next_call_at=deal.next_call_at)
    session.add(call)
    session.flush()
    audit.record(session, actor, "call.log", "deal", deal.id, call=call.id, outcome=outcome,
                 next_call_at=deal.next_call_at, reason=reason, before=before, version=deal.version,
                 version_before=version_before)
    return call


def advance(*, session: Session, actor: User, deal_id: int | str, to: str, reason: str | None = None, note: str = "",
            expected_version: int | None = None) -> Deal:
    """Move a deal to stage `to` (by code), through the stage's gate."""
    note = text.checked(note, field=_("note"), limit=text.NOTE_LIMIT, lines=True)
    deal = _open_for_write(session, actor, deal_id, _("move"), expected_version)
    pipeline_id = session.get(Stage, deal.stage_id).pipeline_id
    stage = reference.get_stage(session, pipeline_id, to)
    if stage.id == deal.stage_id:
        raise Conflict(_("deal {id} is already at {stage!r}").format(id=deal.id, stage=stage.code))
    lost_reason = reference.get_lost_reason(session, reason) if reason else None
    funnel.enter_stage(session, actor, deal, stage, calendar=WorkCalendar(session), reason=lost_reason, note=note)
    return deal


def _advance_to_gate(session: Session, actor: User, deal: Deal, field: str, when: datetime) -> None:
    """Enter the first later stage whose gate is `field`, if the deal is before it."""
    current = session.get(Stage, deal.stage_id)
    for stage in reference.stages(session, current.pipeline_id):
        if stage.position > current.position and field in (stage.required_fields or []):
            funnel.enter_stage(session, actor, deal, stage, calendar=WorkCalendar(session), when=when)
            return


def invoice(*, session: Session, actor: User, deal_id: int | str, amount: str, expected_version: int | None = None) -> Deal:
    """Issue (or correct) the invoice; a deal before the invoice stage moves into it."""
    cents = money.parse_amount(amount)
    deal = _open_for_write(session, actor, deal_id, _("invoice"), expected_version)
    now = clock.now()
    before = deal.invoice_cents
    deal.invoice_cents = cents
    deal.invoiced_at = now
    funnel.touch(deal, now)
    audit.record(session, actor, "deal.invoice", "deal", deal.id, amount_cents=cents, before_cents=before)
    _advance_to_gate(session, actor, deal, "invoice", now)
    return deal


def pay(*, session: Session, actor: User, deal_id: int | str, amount: str, at: datetime | None = None,
        expected_version: int | None = None, over: bool = False) -> Payment:
    """Record a payment; once payments cover the invoice the deal moves into the paid stage.

    A payment above what is still unpaid on the invoice (a typo, a payment for another deal) is
    refused (Conflict, naming the amounts) unless `over`: then it is recorded, and the audit
    record says by how much it went over."""
    cents = money.parse_amount(amount)
    deal = _open_for_write(session, actor, deal_id, _("record payments on"), expected_version)
    excess = 0
    if deal.invoice_cents:
        unpaid = max(deal.invoice_cents - int(funnel.paid_cents(session, deal.id)), 0)  # PostgreSQL's sum is a Decimal
        excess = cents - unpaid if cents > unpaid else 0
        if excess and not over:
            raise Conflict(_("{amount} is more than the {unpaid} still unpaid on deal {id}'s invoice of {invoice}: "
                             "check the amount, or record it anyway with --over").format(
                amount=money.show(cents), unpaid=money.show(unpaid), id=deal.id, invoice=money.show(deal.invoice_cents)))
    now = clock.now()
    paid_at = at or now
    if paid_at > now:
        raise BadInput(_("payment date {when} is in the future").format(when=clock.show(paid_at)))
    created_day = clock.local_day_bounds(clock.to_local(deal.created_at).date())[0]
    if paid_at < created_day:
        raise BadInput(_("payment date {when} is before deal {id} existed ({created}); check the date").format(
            when=clock.show(paid_at), id=deal.id, created=clock.show(deal.created_at)))
    payment = Payment(deal_id=deal.id, amount_cents=cents, paid_at=paid_at, user_id=actor.id, created_at=now)
    session.add(payment)
    session.flush()
    funnel.touch(deal, now)
    audit.record(session, actor, "deal.pay", "deal", deal.id, payment=payment.id, amount_cents=cents, paid_at=paid_at,
                 **({"over_cents": excess} if excess else {}))
    if funnel.paid_cents(session, deal.id) >= (deal.invoice_cents or 0):
        _advance_to_gate(session, actor, deal, "payment", now)
    return payment


# ---- undoing a call log (the dashboard's `z`, `yoolla call undo`) ------------------------------

_UNDO_FIELDS = ("status", "stage_id", "next_call_at", "callback_user_id", "attempts_week", "attempts_total",
                "lost_reason_id", "lost_note", "stage_entered_at", "stage_due_at", "closed_at")


def _undo_state(deal: Deal) -> dict:
    return {key: (value.isoformat() if isinstance(value, datetime) else value)
            for key in _UNDO_FIELDS for value in [getattr(deal, key)]}


def undo_call(*, session: Session, actor: User, call_id: int | str, since: datetime | None = None) -> Deal:
    """Undo a call log within `undo_minutes` (setting, default 5): the deal returns to its state
    before the call, the call is deleted, and `call.undo` is audited.

    `since`: when the actor's dashboard opened. A call the actor logged since then has no time
    limit (the dashboard's `z` walks back through its session step by step); the window holds for
    everything else (`yoolla call undo`, another session's calls).

    Refused (Conflict) once the deal changed after the call (any later write, by anyone, except
    calls logged after it that were undone since: undoing those put the deal back), for a
    do_not_call (lifting a blacklist is an admin's `yoolla client allow`), and after the window;
    PermissionDenied for a call someone else logged (admins may undo any); NotFound for no such call.
    """
    call_id = refs.number(call_id, _("{ref!r} is not a call id"))
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(_("no call {id}").format(id=call_id))
    deal = get_deal(session, call.deal_id, lock=True)
    require_deal_access(session, actor, deal, action=_("undo calls on"))
    if call.user_id != actor.id and actor.role != Role.admin:
        raise PermissionDenied(_("{login} may not undo call {id}: only who logged it (or an admin) may").format(
            login=actor.login, id=call.id))
    if call.outcome == Outcome.do_not_call:
        raise Conflict(_("call {id} put the client on the do-not-call list; only an admin lifts that (yoolla client allow)").format(
            id=call.id))
    now = clock.now()
    minutes = settings.get(session, "undo_minutes")
    this_session = since is not None and call.user_id == actor.id and call.at >= since
    if not this_session and now - call.at > timedelta(minutes=minutes):
        raise Conflict(_("call {id} was logged at {at}, more than {minutes} minutes ago; it can no longer be undone").format(
            id=call.id, at=clock.show(call.at), minutes=minutes))
    logged = next((r for r in session.scalars(
        select(AuditRecord).where(AuditRecord.action == "call.log", AuditRecord.entity == "deal",
                                  AuditRecord.entity_id == deal.id).order_by(AuditRecord.id.desc()))
        if r.data.get("call") == call.id), None)
    if logged is None or "before" not in logged.data:
        raise Conflict(_("call {id} cannot be undone: its record has no earlier state").format(id=call.id))
    if _version_undone_to(session, deal, after=logged.id) != logged.data.get("version"):
        change = last_change(session, "deal", deal.id) or {}
        raise Conflict(_("deal {deal} changed after call {id} ({who}, {at}); the call can no longer be undone").format(
            deal=deal.id, id=call.id, who=change.get("login") or "?", at=change.get("at") or "?"))
    # Issue 27: the stage the call moved the deal into ran its triggers (a task, a process, a
    # notification); putting the deal back would leave those behind, so the call stays.
    fired = session.scalar(select(func.count(AuditRecord.id)).where(
        AuditRecord.entity == "deal", AuditRecord.entity_id == deal.id, AuditRecord.action == "trigger.run",
        AuditRecord.at >= call.at, AuditRecord.id < logged.id))
    if fired:
        raise Conflict(_("call {id} moved deal {deal} into {stage!r}, whose triggers ran ({count}); the call can no longer be undone").format(
            id=call.id, deal=deal.id, stage=session.get(Stage, call.stage_after_id).code, count=fired))
    for key, value in logged.data["before"].items():
        if key in ("next_call_at", "stage_entered_at", "stage_due_at", "closed_at") and value is not None:
            value = datetime.fromisoformat(value)
        setattr(deal, key, value)
    funnel.touch(deal, now)
    session.delete(call)
    session.flush()
    audit.record(session, actor, "call.undo", "deal", deal.id, call=call_id, outcome=call.outcome,
                 at=call.at, user=call.user_id, version=deal.version, back_to=logged.data.get("version_before"))
    return deal


def _version_undone_to(session: Session, deal: Deal, *, after: int) -> int:
    """The deal's version, seen through the undos audited after record `after`: an undo that put
    the deal back to the state of version N (its `back_to`) counts as version N. So a call, then a
    second one on the same deal, then `z` twice undoes both; any other write breaks the chain."""
    version = deal.version
    undos = {r.data.get("version"): r.data.get("back_to") for r in session.scalars(
        select(AuditRecord).where(AuditRecord.action == "call.undo", AuditRecord.entity == "deal",
                                  AuditRecord.entity_id == deal.id, AuditRecord.id > after))}
    while undos.get(version) is not None and undos[version] < version:
        version = undos[version]
    return version
