"""Stage triggers (issue 27): an admin adds them to a stage, switches them on and off, removes
them; each enabled one runs when a deal enters the stage, in the same transaction as the move.

A trigger that fails (nobody of the role to give the task to, a removed template…) refuses the
whole move: `run_triggers` raises TriggerFailed naming the trigger and its reason, and the
caller's transaction rolls back the stage change with everything the earlier triggers wrote.
Each run leaves a `trigger.run` audit record on the deal, which the deal card lists.

run_triggers is the StageEntered handler (core/reactions.py): every stage change, from any
service, runs the entered stage's triggers after the funnel's own rules.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlmodel import Session

from yoolla_tui.core.funnel import checkpoints
from yoolla_tui.core.kernel import audit, clock, events, reference, refs
from yoolla_tui.core.kernel.errors import BadInput, Conflict, GateNotMet, NotFound, YoollaError
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import (AuditRecord, CheckpointType, Deal, DealProcess, Role, Stage, StageKind,
                                           StageTrigger, TriggerKind, User)
from yoolla_tui.core.kernel.permissions import require_admin
from yoolla_tui.core.people import users
from yoolla_tui.core.people.calendar import WorkCalendar
from yoolla_tui.core.work import inbox, processes, templates

KINDS = tuple(k.value for k in TriggerKind)
DOCUMENT_KINDS = ("proposal", "invoice", "contract", "spec")
# A deal entering a won or lost stage is closed: it takes no new work.
_OPEN_ONLY = (TriggerKind.process, TriggerKind.checkpoint, TriggerKind.task)


class TriggerFailed(GateNotMet):
    """A stage trigger could not run, so the deal did not move (nothing was written)."""


def _split(text) -> list[str]:
    if isinstance(text, (list, tuple)):
        return [str(t).strip() for t in text if str(t).strip()]
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def get_trigger(session: Session, trigger_id: int | str) -> StageTrigger:
    number = refs.number(trigger_id, _("{ref!r} is not a trigger id"))
    trigger = session.get(StageTrigger, number)
    if trigger is None:
        raise NotFound(_("no stage trigger {id} (yoolla stage trigger list)").format(id=number))
    return trigger


# ---- settings ------------------------------------------------------------------------------

def check_options(session: Session, kind: str, options: dict, stage: Stage) -> dict:
    """The options of a trigger of `kind`, checked and normalised (BadInput / NotFound otherwise)."""
    from yoolla_tui.core.work.tasks import parse_duration

    if kind not in KINDS:
        raise BadInput(_("unknown trigger kind {kind!r}: expected one of {known}").format(kind=kind, known=", ".join(KINDS)))
    if kind in _OPEN_ONLY and stage.kind != StageKind.open:
        raise BadInput(_("stage {stage!r} is {kind}: a deal entering it is closed and takes no new work; a {trigger} trigger cannot run there (notify can)").format(
            stage=stage.code, kind=stage.kind, trigger=kind))
    o = options
    if kind == TriggerKind.process:
        if not o.get("template"):
            raise BadInput(_("a process trigger needs --template (yoolla template list)"))
        template = templates.get(o["template"])
        gate = o.get("gate")
        return {"template": template["code"], "gate": bool(template.get("decision")) if gate is None else bool(gate)}
    if kind == TriggerKind.checkpoint:
        if not o.get("type"):
            raise BadInput(_("a checkpoint trigger needs --type (yoolla checkpoint type list)"))
        checkpoint_type = checkpoints.get_type(session, o["type"])
        days = o.get("days")
        if days is None or int(days) < 0:
            raise BadInput(_("a checkpoint trigger needs --days: how many business days after entry it is due"))
        return {"type_id": checkpoint_type.id, "type": checkpoint_type.name, "days": int(days)}
    if kind == TriggerKind.task:
        if not (o.get("title") or "").strip():
            raise BadInput(_("a task trigger needs --title"))
        if not o.get("estimate"):
            raise BadInput(_("a task trigger needs --estimate (e.g. 1h30m)"))
        minutes = parse_duration(str(o["estimate"]))
        role, login = o.get("role"), o.get("login")
        if bool(role) == bool(login):
            raise BadInput(_("a task trigger needs either --role or --login (who gets the task)"))
        if role and role not in [r.value for r in Role] + ["deal_manager"]:
            raise BadInput(_("unknown role {role!r}: expected one of {roles}").format(
                role=role, roles=", ".join([r.value for r in Role] + ["deal_manager"])))
        if login:
            login = users.get_by_login(session, login).login
        return {"title": o["title"].strip(), "type": (o.get("type") or "task").strip().lower(),
                "estimate_minutes": minutes, "role": role or None, "login": login or None}
    if kind == TriggerKind.document:
        document = o.get("document")
        if document not in DOCUMENT_KINDS:
            raise BadInput(_("a document trigger needs --document {known}").format(known="|".join(DOCUMENT_KINDS)))
        return {"document": document, "send": bool(o.get("send"))}
    # notify
    logins = [users.get_by_login(session, login).login for login in _split(o.get("users"))]
    roles = _split(o.get("roles"))
    for role in roles:
        if role not in [r.value for r in Role]:
            raise BadInput(_("unknown role {role!r}: expected one of {roles}").format(
                role=role, roles=", ".join(r.value for r in Role)))
    if not (logins or roles or o.get("manager")):
        raise BadInput(_("a notify trigger needs someone to tell: --users, --roles or --manager"))
    return {"users": logins, "roles": roles, "manager": bool(o.get("manager")), "text": (o.get("text") or "").strip()}


def add_trigger(*, session: Session, actor: User, stage: str, kind: str, options: dict,
                pipeline: str = reference.DEFAULT_PIPELINE, enabled: bool = True) -> StageTrigger:
    """Add a trigger to a stage (admins); it runs after the stage's others. Raises BadInput and
    NotFound for options that cannot run (unknown template, role, login, checkpoint type)."""
    require_admin(actor, action=_("change stage triggers"))
    target = reference.get_stage(session, reference.get_pipeline(session, pipeline).id, stage)
    checked = check_options(session, kind, options, target)
    position = (session.scalar(select(func.max(StageTrigger.position)).where(StageTrigger.stage_id == target.id)) or 0) + 1
    trigger = StageTrigger(stage_id=target.id, kind=kind, options=checked, enabled=enabled, position=position,
                           created_by_id=actor.id, created_at=clock.now())
    session.add(trigger)
    session.flush()
    audit.record(session, actor, "trigger.add", "stage_trigger", trigger.id, stage=target.code, kind=kind,
                 options=checked, enabled=enabled)
    return trigger


def set_enabled(*, session: Session, actor: User, trigger_id: int | str, enabled: bool) -> StageTrigger:
    """Switch a trigger on or off (admins); Conflict when it already is."""
    require_admin(actor, action=_("change stage triggers"))
    trigger = get_trigger(session, trigger_id)
    if trigger.enabled == enabled:
        raise Conflict(_("trigger {id} is already {state}").format(id=trigger.id, state=_("on") if enabled else _("off")))
    trigger.enabled = enabled
    audit.record(session, actor, "trigger.on" if enabled else "trigger.off", "stage_trigger", trigger.id,
                 stage=session.get(Stage, trigger.stage_id).code, kind=trigger.kind)
    return trigger


def remove_trigger(*, session: Session, actor: User, trigger_id: int | str) -> None:
    """Remove a trigger (admins). Processes it started keep running, no longer linked to it."""
    require_admin(actor, action=_("change stage triggers"))
    trigger = get_trigger(session, trigger_id)
    session.execute(update(DealProcess).where(DealProcess.trigger_id == trigger.id).values(trigger_id=None)
                    .execution_options(synchronize_session=False))
    audit.record(session, actor, "trigger.remove", "stage_trigger", trigger.id,
                 stage=session.get(Stage, trigger.stage_id).code, kind=trigger.kind, options=trigger.options)
    session.delete(trigger)
    session.flush()


def describe(kind: str, o: dict) -> str:
    """What a trigger does, in one line of the reader's language."""
    if kind == TriggerKind.process:
        text = _("start process «{name}»").format(name=_template_name(o["template"]))
        return text + (" " + _("(the deal waits for it)") if o.get("gate") else "")
    if kind == TriggerKind.checkpoint:
        return _("plan checkpoint {name!r} due in {days} business day(s)").format(name=o["type"], days=o["days"])
    if kind == TriggerKind.task:
        who = o["login"] or (_("the deal's manager") if o["role"] == "deal_manager" else _("role {role}").format(role=o["role"]))
        return _("task {title!r} for {who}, {minutes} min").format(title=o["title"], who=who, minutes=o["estimate_minutes"])
    if kind == TriggerKind.document:
        return (_("make the {document} and send it") if o.get("send") else _("make the {document}")).format(
            document=o["document"])
    people = list(o.get("users") or []) + [_("role {role}").format(role=r) for r in o.get("roles") or []]
    if o.get("manager"):
        people.append(_("the deal's manager"))
    return _("notify {people}").format(people=", ".join(people))


def _template_name(code: str) -> str:
    try:
        return templates.get(code)["name"]
    except NotFound:
        return code


def public(trigger: StageTrigger, stage_code: str) -> dict:
    return {"id": trigger.id, "stage": stage_code, "position": trigger.position, "kind": trigger.kind,
            "enabled": trigger.enabled, "state": _("on") if trigger.enabled else _("off"),
            "what": describe(trigger.kind, trigger.options), "options": dict(trigger.options),
            "created_at": clock.iso(trigger.created_at)}


def list_triggers(*, session: Session, stage: str | None = None, pipeline: str = reference.DEFAULT_PIPELINE) -> list[dict]:
    """The pipeline's triggers in stage order (one stage's with `stage`), on and off alike."""
    line = reference.get_pipeline(session, pipeline)
    stmt = (select(StageTrigger, Stage.code).join(Stage, Stage.id == StageTrigger.stage_id)
            .where(Stage.pipeline_id == line.id))
    if stage:
        stmt = stmt.where(Stage.id == reference.get_stage(session, line.id, stage).id)
    rows = session.execute(stmt.order_by(Stage.position, StageTrigger.position, StageTrigger.id)).all()
    return [public(trigger, code) for trigger, code in rows]


def preview(session: Session, stage_ids: list[int]) -> dict[int, list[str]]:
    """Stage id -> what entering it will do (its enabled triggers, described): the Deal screen
    shows it before a move."""
    out: dict[int, list[str]] = {}
    if not stage_ids:
        return out
    for trigger in session.scalars(select(StageTrigger).where(StageTrigger.stage_id.in_(stage_ids),
                                                              StageTrigger.enabled.is_(True))
                                   .order_by(StageTrigger.position, StageTrigger.id)):
        out.setdefault(trigger.stage_id, []).append(describe(trigger.kind, trigger.options))
    return out


# ---- running -------------------------------------------------------------------------------

def run_triggers(session: Session, actor: User, deal: Deal, stage: Stage) -> list[dict]:
    """Run the enabled triggers of `stage` for `deal`, which has just entered it, as `actor`,
    each audited (`trigger.run`). Raises TriggerFailed on the first that cannot run; the caller's
    transaction must then roll back (the CLI and the dashboard do)."""
    ran = []
    triggers = list(session.scalars(select(StageTrigger).where(StageTrigger.stage_id == stage.id,
                                                               StageTrigger.enabled.is_(True))
                                    .order_by(StageTrigger.position, StageTrigger.id)))
    for trigger in triggers:
        try:
            result = _RUN[trigger.kind](session, actor, deal, stage, trigger)
        except YoollaError as error:
            _forget_files(ran)
            raise TriggerFailed(_("deal {deal} cannot enter {stage!r}: trigger {id} ({what}) failed: {reason}").format(
                deal=deal.id, stage=stage.code, id=trigger.id, what=describe(trigger.kind, trigger.options),
                reason=error.message)) from None
        audit.record(session, actor, "trigger.run", "deal", deal.id, trigger=trigger.id, kind=trigger.kind,
                     stage=stage.code, what=describe(trigger.kind, trigger.options), result=result)
        ran.append({"trigger": trigger.id, "kind": trigger.kind, **result})
    return ran


def _forget_files(ran: list[dict]) -> None:
    """The move rolls back: the document files earlier triggers of this run wrote go too."""
    from pathlib import Path

    for result in ran:
        for file in result.get("files") or []:
            Path(file).unlink(missing_ok=True)


def _run_process(session, actor, deal, stage, trigger) -> dict:
    o = trigger.options
    process = processes.start(session, actor, deal, o["template"], stage=stage, trigger_id=trigger.id, gate=o.get("gate"))
    return {"process": process.id, "order": process.order_id}


def _run_checkpoint(session, actor, deal, stage, trigger) -> dict:
    from yoolla_tui.core.kernel.models import Checkpoint

    o = trigger.options
    kind = session.get(CheckpointType, o["type_id"])
    if kind is None:
        raise NotFound(_("checkpoint type {name!r} no longer exists").format(name=o["type"]))
    existing = session.scalars(select(Checkpoint).where(Checkpoint.deal_id == deal.id, Checkpoint.type_id == kind.id)).first()
    if existing is not None and existing.done_at is not None:
        return {"checkpoint": existing.id, "skipped": "already done"}
    calendar = WorkCalendar(session)
    day = clock.to_local(clock.now()).date()
    due = clock.at_local(calendar.add_business_days(day, o["days"]), calendar.end)
    checkpoint = checkpoints.plan(session=session, actor=actor, deal_id=deal.id, type_name=kind.name, due=due)
    return {"checkpoint": checkpoint.id, "due_at": clock.iso(due)}


def _run_task(session, actor, deal, stage, trigger) -> dict:
    from yoolla_tui.core.work.orders import add_order
    from yoolla_tui.core.work.tasks import add_task, executors_by_role, load

    o = trigger.options
    if o.get("login"):
        assignee = users.get_by_login(session, o["login"])
    elif o["role"] == "deal_manager":
        assignee = session.get(User, deal.manager_id) if deal.manager_id else actor
    else:
        candidates = executors_by_role(session, o["role"])
        if not candidates:
            raise BadInput(_("nobody has the role {role!r} to do {title!r}").format(role=o["role"], title=o["title"]))
        assignee = min(candidates, key=lambda u: (load(session, u.id), u.login))
    order = add_order(session=session, actor=actor, deal_id=deal.id, title=o["title"])
    task = add_task(session=session, actor=actor, order_id=order.id, title=o["title"], type=o["type"],
                    assignee=assignee.login, estimate=o["estimate_minutes"])
    return {"task": task.id, "order": order.id, "assignee": assignee.login}


def _run_document(session, actor, deal, stage, trigger) -> dict:
    # Documents sit above calls, this layer below it: the request goes through the event bus and
    # core/reactions.py hands it to documents.make_document, in this same transaction.
    if not events.handlers(events.DocumentRequested):
        raise Conflict(_("documents are not part of this Yoolla yet"))
    o = trigger.options
    event = events.DocumentRequested(deal=deal, kind=o["document"], send=bool(o.get("send")))
    events.publish(session, actor, event)
    return {"document": event.made.get("id"), "kind": o["document"], "sent": bool(o.get("send")),
            "files": event.made.get("files", [])}


def _run_notify(session, actor, deal, stage, trigger) -> dict:
    o = trigger.options
    ids = set()
    for login in o.get("users") or []:
        ids.add(users.get_by_login(session, login).id)
    if o.get("roles"):
        ids |= set(session.scalars(select(User.id).where(User.role.in_(o["roles"]), User.active.is_(True))))
    if o.get("manager") and deal.manager_id:
        ids.add(deal.manager_id)
    people = sorted(ids)
    inbox.notify(session, people, "stage_trigger", deal=deal.id, stage=stage.code, stage_name=stage.name,
                 text=o.get("text") or "", by=actor.login)
    logins = dict(session.execute(select(User.id, User.login).where(User.id.in_(people))).all()) if people else {}
    return {"notified": [logins[i] for i in people]}


_RUN = {TriggerKind.process: _run_process, TriggerKind.checkpoint: _run_checkpoint, TriggerKind.task: _run_task,
        TriggerKind.document: _run_document, TriggerKind.notify: _run_notify}


def runs_for_deal(session: Session, deal_id: int) -> list[dict]:
    """The deal's trigger runs, oldest first (the deal card's history of what stages did)."""
    login = dict(session.execute(select(User.id, User.login)).all())
    stmt = (select(AuditRecord).where(AuditRecord.entity == "deal", AuditRecord.entity_id == deal_id,
                                      AuditRecord.action == "trigger.run").order_by(AuditRecord.at, AuditRecord.id))
    return [{"at": clock.iso(r.at), "user": login.get(r.actor_id), "trigger": r.data.get("trigger"),
             "stage": r.data.get("stage"), "kind": r.data.get("kind"), "what": r.data.get("what"),
             "result": r.data.get("result")} for r in session.scalars(stmt)]
