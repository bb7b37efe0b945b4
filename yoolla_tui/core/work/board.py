"""The executor's day in one read, for the dashboard's Tasks screen."""

from __future__ import annotations

from sqlmodel import Session

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.models import Task, User
from yoolla_tui.core.work import inbox, tasks, timer


def work_board(*, session: Session, actor: User) -> dict:
    """The executor's day in one read: their queue in working order with forecasts
    (`tasks.queue`), the timer running for them (task and start, so a face can tick the elapsed
    time without asking again), and their unread inbox (`inbox.list_inbox`)."""
    current = timer.running(session, actor.id)
    running = None
    if current is not None:
        running = {"entry_id": current.id, "task_id": current.task_id, "title": session.get(Task, current.task_id).title,
                   "started_at": clock.iso(current.started_at)}
    return {"queue": tasks.queue(session=session, actor=actor), "running": running,
            "inbox": inbox.list_inbox(session=session, actor=actor)}
