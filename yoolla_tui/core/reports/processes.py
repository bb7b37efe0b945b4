"""How long each process (approval, complaint review, assignment; issue 27) took against its
estimate: the work timed on its tasks (time entries) and the time from start to end, beside the
template's estimate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Client, Deal, DealProcess, ProcessStatus, Stage, Task, User
from yoolla_tui.core.kernel.permissions import deal_scope
from yoolla_tui.core.work import templates
from yoolla_tui.core.work.tasks import actual_minutes


def processes(*, session: Session, actor: User, template: str | None = None, status: str | None = None,
              since: datetime | None = None) -> list[dict]:
    """One row per process on the deals the actor may see, oldest first: estimate_minutes (the
    template's), worked_minutes (timed on its tasks; a running timer counts to now), ratio
    (worked / estimate), elapsed_hours (start to end, or to now while it runs) and its outcome.
    `template` (code or name), `status`, `since` (started at or after) filter."""
    stmt = (select(DealProcess, Client.name, Stage.code).join(Deal, Deal.id == DealProcess.deal_id)
            .join(Client, Client.id == Deal.client_id).join(Stage, Stage.id == DealProcess.stage_id))
    scope = deal_scope(session, actor)
    if scope is not None:
        stmt = stmt.where(scope)
    if template:
        stmt = stmt.where(DealProcess.template == templates.get(template)["code"])
    if status:
        known = [s.value for s in ProcessStatus]
        if status not in known:
            raise BadInput(_("unknown process status {status!r}: expected one of {known}").format(
                status=status, known=", ".join(known)))
        stmt = stmt.where(DealProcess.status == status)
    if since is not None:
        stmt = stmt.where(DealProcess.started_at >= since)
    rows = session.execute(stmt.order_by(DealProcess.started_at, DealProcess.id)).all()
    order_ids = [p.order_id for p, _c, _s in rows]
    task_orders = dict(session.execute(select(Task.id, Task.order_id).where(Task.order_id.in_(order_ids))).all()) if order_ids else {}
    worked_by_task = actual_minutes(session, list(task_orders))
    worked: dict[int, int] = {}
    for task_id, minutes in worked_by_task.items():
        worked[task_orders[task_id]] = worked.get(task_orders[task_id], 0) + minutes
    now = clock.now()
    out = []
    for process, client, stage in rows:
        minutes = worked.get(process.order_id, 0)
        elapsed = ((process.finished_at or now) - process.started_at).total_seconds() / 3600
        out.append({"id": process.id, "deal_id": process.deal_id, "client": client, "template": process.template,
                    "name": process.name, "stage": stage, "status": process.status,
                    "started_at": clock.iso(process.started_at), "finished_at": clock.iso(process.finished_at),
                    "estimate_minutes": process.estimate_minutes, "worked_minutes": minutes,
                    "ratio": round(minutes / process.estimate_minutes, 2) if process.estimate_minutes else None,
                    "elapsed_hours": round(elapsed, 1)})
    return out
