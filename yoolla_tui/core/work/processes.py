"""Processes on deals (issue 27): a process template (approval «Согласование», complaint review
«Разбор претензии», assignment «Поручение») started on a deal lays out its tasks in an order of
their own and is tracked as a DealProcess until it ends:

- approved: the template's decision step (its task) is done — `approve` does that;
- done / cancelled: with its last task (process_state.py, which tasks call);
- rejected: `automation.processes.reject` (it also moves the deal, so it lives a layer up).

A running process with `gate` holds the deal at the stage it started in (the rule itself is
funnel.transition.check_transition, which reads the table).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, refs
from yoolla_tui.core.kernel.errors import Conflict, NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import (Deal, DealProcess, ProcessStatus, Stage, Task, TaskStatus,
                                           User)
from yoolla_tui.core.kernel.permissions import require_deal_access, require_task_worker
from yoolla_tui.core.work import forecast as forecast_mod, process_state, templates
from yoolla_tui.core.work.tasks import apply_status, set_status
from yoolla_tui.core.work.orders import add_order

OPEN = forecast_mod.OPEN


def get_process(session: Session, process_id: int | str) -> DealProcess:
    number = refs.number(process_id, _("{ref!r} is not a process id"))
    process = session.get(DealProcess, number)
    if process is None:
        raise NotFound(_("no process {id}").format(id=number))
    return process


def start(session: Session, actor: User, deal: Deal, template_name: str, *, stage: Stage | None = None,
          trigger_id: int | None = None, gate: bool | None = None) -> DealProcess:
    """Start a process template on `deal` at `stage` (default: its current stage): an order named
    after the template with its chained, assigned tasks. `gate` (default: the template has a
    decision step) holds the deal at that stage until the process ends.

    Raises NotFound (template), BadInput (nobody of a role), Conflict (closed deal), PermissionDenied."""
    require_deal_access(session, actor, deal, action=_("start processes on"))
    if deal.closed_at is not None:
        raise Conflict(_("deal {id} is closed; a process cannot start on it").format(id=deal.id))
    template = templates.get(template_name)
    stage = stage or session.get(Stage, deal.stage_id)
    order = add_order(session=session, actor=actor, deal_id=deal.id, title=template["name"], template=template["code"])
    now = clock.now()
    decision = bool(template.get("decision"))
    made = list(session.scalars(select(Task).where(Task.order_id == order.id).order_by(Task.id)))
    keys = [step["key"] for step in template["tasks"]]
    decision_task_id = made[keys.index(template["decision"])].id if decision else None
    process = DealProcess(deal_id=deal.id, order_id=order.id, template=template["code"], name=template["name"],
                          stage_id=stage.id, trigger_id=trigger_id, gate=decision if gate is None else gate,
                          decision=decision, decision_task_id=decision_task_id, status=ProcessStatus.running,
                          estimate_minutes=templates.estimate_minutes(template), started_by_id=actor.id,
                          started_at=now)
    session.add(process)
    session.flush()
    audit.record(session, actor, "process.start", "deal", deal.id, process=process.id, template=process.template,
                 order=order.id, stage=stage.code, gate=process.gate, trigger=trigger_id)
    return process


def decision_task(session: Session, process: DealProcess) -> Task | None:
    """The task of the template's decision step (None for a process without one)."""
    return session.get(Task, process.decision_task_id) if process.decision_task_id else None


def approve(*, session: Session, actor: User, process_id: int | str, note: str = "") -> DealProcess:
    """Approve a running process with a decision step: its decision task is done (so the tasks
    before it must be done first, like any task); the process ends approved and its gate opens.
    Who may: the decision task's assignee, or whoever may change the deal (not other executors)."""
    process = _running_decision(session, process_id, _("approved"))
    deciding = decision_task(session, process)
    set_status(session=session, actor=actor, task_id=deciding.id, status=TaskStatus.done, note=note)
    if note:
        process.note = note
    return process


def _running_decision(session: Session, process_id, verb: str) -> DealProcess:
    process = get_process(session, process_id)
    if process.status != ProcessStatus.running:
        raise Conflict(_("process {id} is {status}; it cannot be {verb}").format(id=process.id, status=process.status,
                                                                              verb=verb))
    if not process.decision:
        raise Conflict(_("process {id} ({name}) has no decision step; it ends when its tasks are done").format(
            id=process.id, name=process.name))
    return process


def reject_tasks(session: Session, actor: User, process_id: int | str, note: str) -> DealProcess:
    """The work side of a rejection (automation.processes.reject moves the deal): the decision's
    assignee or whoever may change the deal rejects; open tasks are cancelled; the process ends
    rejected. Raises Conflict (not running, no decision), PermissionDenied."""
    process = _running_decision(session, process_id, _("rejected"))
    deal = session.get(Deal, process.deal_id)
    require_task_worker(session, actor, decision_task(session, process), deal, action=_("reject"))
    for task in session.scalars(select(Task).where(Task.order_id == process.order_id, Task.status.in_(OPEN))
                                .order_by(Task.id)).all():
        apply_status(session, actor, task, TaskStatus.cancelled, reason="process_rejected", hooks=False)
    process_state.finish(session, actor, process, ProcessStatus.rejected, note)
    return process


# ---- reading -------------------------------------------------------------------------------

def public(process: DealProcess, stage_code: str | None, logins: dict) -> dict:
    return {"id": process.id, "deal_id": process.deal_id, "order_id": process.order_id, "template": process.template,
            "name": process.name, "stage": stage_code, "status": process.status, "gate": process.gate,
            "decision": process.decision, "estimate_minutes": process.estimate_minutes,
            "started_by": logins.get(process.started_by_id), "started_at": clock.iso(process.started_at),
            "finished_at": clock.iso(process.finished_at), "decided_by": logins.get(process.decided_by_id),
            "note": process.note or None}


def list_processes(*, session: Session, actor: User, deal_id: int | str | None = None,
                   status: str | None = None) -> list[dict]:
    """Processes on the deals the actor may see, newest first (one deal's with `deal_id`)."""
    from yoolla_tui.core.kernel.permissions import deal_scope

    stmt = select(DealProcess).join(Deal, Deal.id == DealProcess.deal_id)
    scope = deal_scope(session, actor)
    if scope is not None:
        stmt = stmt.where(scope)
    if deal_id is not None:
        number = refs.number(deal_id, _("{ref!r} is not a deal id"))
        deal = session.get(Deal, number)
        if deal is None:
            raise NotFound(_("no deal {id}").format(id=number))
        require_deal_access(session, actor, deal, action=_("see"))
        stmt = stmt.where(DealProcess.deal_id == deal.id)
    if status:
        known = [s.value for s in ProcessStatus]
        if status not in known:
            from yoolla_tui.core.kernel.errors import BadInput

            raise BadInput(_("unknown process status {status!r}: expected one of {known}").format(
                status=status, known=", ".join(known)))
        stmt = stmt.where(DealProcess.status == status)
    logins = dict(session.execute(select(User.id, User.login)).all())
    stages = dict(session.execute(select(Stage.id, Stage.code)).all())
    return [public(p, stages.get(p.stage_id), logins)
            for p in session.scalars(stmt.order_by(DealProcess.started_at.desc(), DealProcess.id.desc()))]


def show(*, session: Session, actor: User, process_id: int | str) -> dict:
    """A process with its tasks (status, assignee, estimate)."""
    process = get_process(session, process_id)
    require_deal_access(session, actor, session.get(Deal, process.deal_id), action=_("see"))
    logins = dict(session.execute(select(User.id, User.login)).all())
    out = public(process, session.get(Stage, process.stage_id).code, logins)
    deciding = decision_task(session, process)
    out["tasks"] = [{"id": t.id, "title": t.title, "assignee": logins.get(t.assignee_id), "status": t.status,
                     "estimate_minutes": t.estimate_minutes, "decision": deciding is not None and t.id == deciding.id}
                    for t in session.scalars(select(Task).where(Task.order_id == process.order_id).order_by(Task.id))]
    return out
