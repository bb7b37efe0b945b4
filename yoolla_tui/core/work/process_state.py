"""When a process on a deal ends (issue 27), decided from its tasks alone, so that tasks can
call it without importing the process services above it (processes.py):

- approved: its decision task is done (a process with a decision step);
- done: every task closed, at least one done (a process without one);
- cancelled: every task closed, none done (or the decision cancelled);
- rejected: `finish(..., rejected)` from processes.reject_tasks.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock
from yoolla_tui.core.kernel.models import DealProcess, Order, OrderStatus, ProcessStatus, Task, TaskStatus, User

OPEN = (TaskStatus.todo, TaskStatus.in_progress)


def on_task_closed(session: Session, actor: User, task: Task) -> None:
    """A task was done or cancelled: the running process holding it ends once its last task is
    closed (approved / done / cancelled)."""
    process = session.scalars(select(DealProcess).where(DealProcess.order_id == task.order_id,
                                                        DealProcess.status == ProcessStatus.running)).first()
    if process is None:
        return
    session.flush()
    statuses = list(session.scalars(select(Task.status).where(Task.order_id == process.order_id)))
    if any(status in OPEN for status in statuses):
        return
    if process.decision:
        deciding = session.get(Task, process.decision_task_id) if process.decision_task_id else None
        status = ProcessStatus.approved if deciding is not None and deciding.status == TaskStatus.done else ProcessStatus.cancelled
    else:
        status = ProcessStatus.done if TaskStatus.done in statuses else ProcessStatus.cancelled
    finish(session, actor, process, status)


def finish(session: Session, actor: User, process: DealProcess, status: str, note: str = "") -> None:
    """End a process with `status`; its order is done or cancelled with it (audited)."""
    now = clock.now()
    process.status = status
    process.finished_at = now
    if status in (ProcessStatus.approved, ProcessStatus.rejected):
        process.decided_by_id = actor.id
    process.note = note or process.note
    order = session.get(Order, process.order_id)
    order.status = OrderStatus.done if status in (ProcessStatus.done, ProcessStatus.approved) else OrderStatus.cancelled
    order.updated_at = now
    audit.record(session, actor, "process." + ("finish" if status != ProcessStatus.rejected else "reject"), "deal",
                 process.deal_id, process=process.id, template=process.template, status=status, note=note or None)
