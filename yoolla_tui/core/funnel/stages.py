"""Stage settings and lost reasons, changed from the shell (seed 003): add, rename, reorder,
remove an unused stage, set its kind, follow-up delay, time budget, required fields and the
close-tasks-on-entry flag; add and retire lost reasons. Admins only; everyone may list.

Names: the default stages and reasons (from the package's data/ folder) are shown through the catalogue, so they
read in Russian under YOOLLA_LANG=ru; a stage or reason added here keeps the name it was given.
"""

from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import func, select, update
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, reference
from yoolla_tui.core.kernel.errors import BadInput, Conflict
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import (Call, CheckpointType, Deal, DealProcess, LostReason, Stage, StageKind, StageTrigger,
                                           User)
from yoolla_tui.core.kernel.permissions import require_admin
from yoolla_tui.core.people.calendar import WorkCalendar
from yoolla_tui.core.kernel.text import checked as checked_text

REQUIRED_FIELDS = ("invoice", "payment", "quality", "lost_reason")
KINDS = tuple(k.value for k in StageKind)
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Changing a stage's budget rewrites the deadline of every open deal in it; ids per UPDATE.
_CHUNK = 5000


def default_names() -> list[str]:
    """The names of the shipped stages and lost reasons, translated (the catalogue holds them)."""
    return [_("Seminar"), _("To call"), _("Agreed"), _("Proposal sent"), _("Invoice issued"), _("Paid"), _("Attended"),
            _("Refused"), _("Not interested"), _("Too expensive"), _("No budget this period"),
            _("Bad timing / dates do not suit"), _("Chose a competitor"), _("Could not reach the decision maker"),
            _("Company closed"), _("Asked not to be called"), _("Other (note required)")]


# ---- stages --------------------------------------------------------------------------------

def public_stage(stage: Stage, pipeline_code: str, deals: int = 0) -> dict:
    return {"id": stage.id, "pipeline": pipeline_code, "position": stage.position, "code": stage.code,
            "name": _(stage.name), "kind": stage.kind, "followup_days": stage.followup_days,
            "time_budget_days": stage.time_budget_days, "required_fields": list(stage.required_fields or []),
            "close_tasks": stage.close_tasks, "requires_document": stage.requires_document,
            "requires_sent": stage.requires_sent, "deals": deals}


def list_stages(*, session: Session, pipeline: str = reference.DEFAULT_PIPELINE) -> list[dict]:
    """The pipeline's stages in order, each with the number of open deals sitting in it."""
    line = reference.get_pipeline(session, pipeline)
    counts = dict(session.execute(select(Deal.stage_id, func.count(Deal.id)).join(Stage, Stage.id == Deal.stage_id)
                                  .where(Stage.pipeline_id == line.id, Deal.closed_at.is_(None))
                                  .group_by(Deal.stage_id)).all())
    return [public_stage(s, line.code, counts.get(s.id, 0)) for s in reference.stages(session, line.id)]


def _renumber(session: Session, ordered: list[Stage]) -> None:
    for position, stage in enumerate(ordered, start=1):
        stage.position = position


def _check_code(code: str) -> str:
    if not _CODE_RE.match(code):
        raise BadInput(_("bad stage code {code!r}: lower-case letters, digits and _, starting with a letter").format(code=code))
    return code


def parse_required(text: str) -> list[str]:
    """`invoice,payment` -> ['invoice', 'payment']; empty or `none` -> []."""
    fields = [f.strip() for f in (text or "").split(",") if f.strip() and f.strip() != "none"]
    for field in fields:
        if field not in REQUIRED_FIELDS:
            raise BadInput(_("unknown required field {field!r}: expected {known}").format(
                field=field, known=", ".join(REQUIRED_FIELDS)))
    return list(dict.fromkeys(fields))


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise BadInput(_("unknown stage kind {kind!r}: expected open, won or lost").format(kind=kind))
    return kind


def _check_days(value: int | None, option: str) -> int | None:
    if value is not None and value < 0:
        raise BadInput(_("{option} takes a number of business days, 0 or more").format(option=option))
    return value


def add_stage(*, session: Session, actor: User, code: str, name: str, pipeline: str = reference.DEFAULT_PIPELINE,
              kind: str = StageKind.open, after: str | None = None, followup_days: int | None = None,
              time_budget_days: int | None = None, required: str = "", close_tasks: bool = False) -> Stage:
    """Add a stage after `after` (default: after the last open stage). Raises Conflict for a
    code already in the pipeline, BadInput for a bad code, kind, delay or field."""
    require_admin(actor, action=_("change stages"))
    line = reference.get_pipeline(session, pipeline)
    _check_code(code)
    _check_kind(kind)
    name = checked_text(name, field=_("the stage name"), limit=100)
    if not name:
        raise BadInput(_("a stage needs a name (--name)"))
    fields = parse_required(required)
    ordered = reference.stages(session, line.id)
    if any(s.code == code for s in ordered):
        raise Conflict(_("pipeline {pipeline!r} already has a stage {code!r}").format(pipeline=line.code, code=code))
    if after:
        anchor = reference.get_stage(session, line.id, after)
        index = ordered.index(anchor) + 1
    else:
        index = max((i + 1 for i, s in enumerate(ordered) if s.kind == StageKind.open), default=0)
    stage = Stage(pipeline_id=line.id, code=code, name=name.strip(), position=0, kind=kind,
                  followup_days=_check_days(followup_days, "--followup-days"),
                  time_budget_days=_check_days(time_budget_days, "--budget-days"), required_fields=fields,
                  close_tasks=close_tasks)
    session.add(stage)
    ordered.insert(index, stage)
    _renumber(session, ordered)
    session.flush()
    audit.record(session, actor, "stage.add", "stage", stage.id, pipeline=line.code, code=code, name=stage.name,
                 position=stage.position, kind=kind)
    return stage


def _stage(session: Session, pipeline: str, code: str) -> Stage:
    return reference.get_stage(session, reference.get_pipeline(session, pipeline).id, code)


def rename_stage(*, session: Session, actor: User, code: str, name: str, pipeline: str = reference.DEFAULT_PIPELINE) -> Stage:
    """Give a stage a new display name (its code stays)."""
    require_admin(actor, action=_("change stages"))
    stage = _stage(session, pipeline, code)
    name = checked_text(name, field=_("the stage name"), limit=100)
    if not name:
        raise BadInput(_("a stage needs a name (--name)"))
    before = stage.name
    stage.name = name.strip()
    audit.record(session, actor, "stage.rename", "stage", stage.id, before=before, after=stage.name)
    return stage


def move_stage(*, session: Session, actor: User, code: str, position: int, pipeline: str = reference.DEFAULT_PIPELINE) -> Stage:
    """Put a stage at `position` (1 = first); the others keep their order."""
    require_admin(actor, action=_("change stages"))
    stage = _stage(session, pipeline, code)
    ordered = reference.stages(session, stage.pipeline_id)
    if not 1 <= position <= len(ordered):
        raise BadInput(_("--to takes a position from 1 to {count}").format(count=len(ordered)))
    before = stage.position
    ordered.remove(stage)
    ordered.insert(position - 1, stage)
    _renumber(session, ordered)
    audit.record(session, actor, "stage.move", "stage", stage.id, before=before, after=stage.position)
    return stage


def remove_stage(*, session: Session, actor: User, code: str, pipeline: str = reference.DEFAULT_PIPELINE) -> None:
    """Remove an unused stage. Refused (Conflict) while deals sit in it (closed ones too, they
    keep it as their history), calls record it, a checkpoint type is bound to it, a process
    started in it, it has triggers, or it is the pipeline's last open or last lost stage."""
    require_admin(actor, action=_("change stages"))
    stage = _stage(session, pipeline, code)
    held = session.scalar(select(func.count(Deal.id)).where((Deal.stage_id == stage.id) | (Deal.lost_at_stage_id == stage.id)))
    if held:
        raise Conflict(_("stage {code!r} holds {count} deal(s); move them first (yoolla deal list --stage {code} --closed --all)").format(
            code=code, count=held))
    calls = session.scalar(select(func.count(Call.id)).where((Call.stage_before_id == stage.id) | (Call.stage_after_id == stage.id)))
    if calls:
        raise Conflict(_("stage {code!r} is in the history of {count} call(s); it cannot be removed, rename it instead").format(
            code=code, count=calls))
    bound = list(session.scalars(select(CheckpointType.name).where(CheckpointType.stage_id == stage.id)))
    if bound:
        raise Conflict(_("stage {code!r} gates checkpoint type(s) {names}; unbind them first (yoolla checkpoint type set NAME --stage none)").format(
            code=code, names=", ".join(repr(n) for n in bound)))
    started = session.scalar(select(func.count(DealProcess.id)).where(DealProcess.stage_id == stage.id))
    if started:
        raise Conflict(_("stage {code!r} is where {count} process(es) started; it cannot be removed, rename it instead").format(
            code=code, count=started))
    fires = list(session.scalars(select(StageTrigger.id).where(StageTrigger.stage_id == stage.id).order_by(StageTrigger.id)))
    if fires:
        raise Conflict(_("stage {code!r} has trigger(s) {ids}; remove them first (yoolla stage trigger remove ID)").format(
            code=code, ids=", ".join(map(str, fires))))
    ordered = reference.stages(session, stage.pipeline_id)
    if stage.kind in (StageKind.open, StageKind.lost) and sum(s.kind == stage.kind for s in ordered) == 1:
        raise Conflict(_("stage {code!r} is the pipeline's only {kind} stage; add another first").format(code=code, kind=stage.kind))
    ordered.remove(stage)
    session.delete(stage)
    _renumber(session, ordered)
    session.flush()
    audit.record(session, actor, "stage.remove", "stage", stage.id, code=code)


UNSET = object()


def set_stage(*, session: Session, actor: User, code: str, pipeline: str = reference.DEFAULT_PIPELINE,
              kind: str | None = None, followup_days=UNSET, time_budget_days=UNSET, required: str | None = None,
              close_tasks: bool | None = None, requires_document: str | None = None,
              requires_sent: bool | None = None) -> dict:
    """Change a stage's settings; only the arguments given change (None clears a delay or budget).

    `requires_document`: a document kind (proposal, invoice, contract, spec) the deal must have to
    enter the stage, `none` for no document gate; `requires_sent`: that document must have been
    mailed to the client. BadInput for an unknown kind.

    A new time budget recomputes the deadline (`stage_due_at`) of every open deal in the stage,
    counted from when each entered it; the traffic light follows. A stage holding deals keeps
    its kind (Conflict). Returns the stage and how many deals were recomputed."""
    require_admin(actor, action=_("change stages"))
    stage = _stage(session, pipeline, code)
    changes: dict = {}
    if kind is not None and kind != stage.kind:
        _check_kind(kind)
        held = session.scalar(select(func.count(Deal.id)).where(Deal.stage_id == stage.id))
        if held:
            raise Conflict(_("stage {code!r} holds {count} deal(s); its kind cannot change").format(code=code, count=held))
        changes["kind"] = kind
    if followup_days is not UNSET:
        changes["followup_days"] = _check_days(followup_days, "--followup-days")
    if time_budget_days is not UNSET:
        changes["time_budget_days"] = _check_days(time_budget_days, "--budget-days")
    if required is not None:
        changes["required_fields"] = parse_required(required)
    if close_tasks is not None:
        changes["close_tasks"] = close_tasks
    if requires_document is not None:
        kind = requires_document.strip()
        if kind not in reference.DOCUMENT_KINDS + ("none", ""):
            raise BadInput(_("unknown document kind {kind!r}: expected {known} or none").format(
                kind=kind, known=", ".join(reference.DOCUMENT_KINDS)))
        changes["requires_document"] = kind if kind in reference.DOCUMENT_KINDS else None
        if changes["requires_document"] is None and requires_sent is None:
            changes["requires_sent"] = False
    if requires_sent is not None:
        changes["requires_sent"] = requires_sent
    before = {key: getattr(stage, key) for key in changes}
    for key, value in changes.items():
        setattr(stage, key, value)
    recomputed = 0
    if "time_budget_days" in changes and before["time_budget_days"] != changes["time_budget_days"]:
        session.flush()
        recomputed = recompute_deadlines(session, stage)
    audit.record(session, actor, "stage.set", "stage", stage.id, before=before, after=changes, recomputed=recomputed)
    return {"stage": stage, "recomputed": recomputed}


def recompute_deadlines(session: Session, stage: Stage) -> int:
    """Set `stage_due_at` of the open deals in `stage` from its budget, in bulk UPDATEs: one per
    distinct deadline (deals that entered on the same day share one)."""
    open_in_stage = (Deal.stage_id == stage.id, Deal.closed_at.is_(None))
    if not stage.time_budget_days or stage.kind != StageKind.open:
        result = session.execute(update(Deal).where(*open_in_stage).values(stage_due_at=None)
                                 .execution_options(synchronize_session=False))
        session.expire_all()
        return result.rowcount
    calendar = WorkCalendar(session)
    by_deadline: dict = defaultdict(list)
    cache: dict = {}
    for deal_id, entered in session.execute(select(Deal.id, Deal.stage_entered_at).where(*open_in_stage)):
        key = clock.to_local(entered).date()  # the deadline depends on the local day of entry only
        if key not in cache:
            cache[key] = calendar.stage_deadline(entered, stage.time_budget_days)
        by_deadline[cache[key]].append(deal_id)
    count = 0
    for deadline, ids in by_deadline.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            session.execute(update(Deal).where(Deal.id.in_(chunk)).values(stage_due_at=deadline)
                            .execution_options(synchronize_session=False))
            count += len(chunk)
    session.expire_all()
    return count


# ---- lost reasons --------------------------------------------------------------------------

def add_lost_reason(*, session: Session, actor: User, code: str, name: str, final: bool = False,
                    needs_note: bool = False) -> LostReason:
    """Add a lost reason (or bring back a removed one with new settings)."""
    require_admin(actor, action=_("change lost reasons"))
    if not _CODE_RE.match(code):
        raise BadInput(_("bad reason code {code!r}: lower-case letters, digits and _, starting with a letter").format(code=code))
    name = checked_text(name, field=_("the reason's name"), limit=200)
    if not name:
        raise BadInput(_("a lost reason needs a name (--name)"))
    reason = session.scalars(select(LostReason).where(LostReason.code == code)).first()
    if reason is not None and reason.active:
        raise Conflict(_("lost reason {code!r} already exists").format(code=code))
    if reason is None:
        reason = LostReason(code=code, name=name.strip(), final=final, needs_note=needs_note)
        session.add(reason)
    else:
        reason.name, reason.final, reason.needs_note, reason.active = name.strip(), final, needs_note, True
    session.flush()
    audit.record(session, actor, "lost_reason.add", "lost_reason", reason.id, code=code, name=reason.name,
                 final=final, needs_note=needs_note)
    return reason


def remove_lost_reason(*, session: Session, actor: User, code: str) -> LostReason:
    """Retire a lost reason: it is no longer offered; lost deals keep it in their history."""
    require_admin(actor, action=_("change lost reasons"))
    reason = reference.get_lost_reason(session, code)
    if code == "do_not_call":
        raise Conflict(_("lost reason 'do_not_call' is used by the do-not-call list and cannot be removed"))
    reason.active = False
    audit.record(session, actor, "lost_reason.remove", "lost_reason", reason.id, code=code)
    return reason

