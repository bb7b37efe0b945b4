"""Starting a process by hand and rejecting one: a rejection sends the deal where the template
says (`on_reject.to`: `back` — the open stage before the one the process started at — or
`lost`, with `on_reject.reason`, default `other`), through the one transition rule."""

from __future__ import annotations

from sqlmodel import Session

from yoolla_tui.core.funnel import transition as funnel
from yoolla_tui.core.kernel import reference
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.lookup import get_deal
from yoolla_tui.core.kernel.models import DealProcess, Stage, StageKind, User
from yoolla_tui.core.people.calendar import WorkCalendar
from yoolla_tui.core.work import processes, templates


def start(*, session: Session, actor: User, deal_id: int | str, template: str, gate: bool | None = None) -> DealProcess:
    """Start a process template on a deal at its current stage (the deal's manager, their
    supervisor, admins). See work.processes.start."""
    return processes.start(session, actor, get_deal(session, deal_id, lock=True), template, gate=gate)


def reject(*, session: Session, actor: User, process_id: int | str, note: str = "") -> dict:
    """Reject a running approval: its open tasks are cancelled, it ends rejected, and the deal (if
    still open) goes where the template says — back to the open stage before the process's stage,
    or to lost — through the transition rule (moving back needs a supervisor or an admin).
    Returns {"process", "deal", "stage"}. Raises Conflict, PermissionDenied, GateNotMet."""
    process = processes.get_process(session, process_id)
    deal = get_deal(session, process.deal_id, lock=True)
    processes.reject_tasks(session, actor, process.id, note)
    where = (templates.get(process.template).get("on_reject") or {})
    if deal.closed_at is None and where:
        calendar = WorkCalendar(session)
        started_at = session.get(Stage, process.stage_id)
        if where.get("to") == "lost":
            reason = reference.get_lost_reason(session, where.get("reason") or "other")
            funnel.close_lost(session, actor, deal, reason, calendar=calendar,
                             note=note or _("rejected: process {id} {name!r}").format(id=process.id, name=process.name))
        else:
            earlier = [s for s in reference.stages(session, started_at.pipeline_id)
                       if s.kind == StageKind.open and s.position < started_at.position]
            if earlier and earlier[-1].id != deal.stage_id:
                funnel.enter_stage(session, actor, deal, earlier[-1], calendar=calendar, note=note)
    return {"process": process, "deal": deal, "stage": session.get(Stage, deal.stage_id).code}
