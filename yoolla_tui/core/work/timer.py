"""The task timer: one running entry per user; starting another stops the first. Supervisors
may add and correct entries (audited). A task's actual time is the sum of its entries."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.db import for_update
from yoolla_tui.core.kernel.errors import BadInput, Conflict, NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import TaskStatus, TimeEntry, User
from yoolla_tui.core.kernel.permissions import require_task_reader, require_task_worker, require_time_corrector
from yoolla_tui.core.work.tasks import apply_status, entry_public, require_released, watcher_ids
from yoolla_tui.core.kernel.lookup import deal_of_task, get_task


def running(session: Session, user_id: int, *, lock: bool = False) -> TimeEntry | None:
    stmt = select(TimeEntry).where(TimeEntry.user_id == user_id, TimeEntry.stopped_at.is_(None)).order_by(TimeEntry.id)
    return session.scalars(for_update(stmt) if lock else stmt).first()


def start(*, session: Session, actor: User, task_id: int | str) -> tuple[TimeEntry, TimeEntry | None]:
    """Start the actor's timer on a task; a timer running on another task stops first and is
    returned second. A todo task becomes in_progress. Refused on a finished task, a task that
    waits on an open one, or when this task's timer already runs (Conflict)."""
    task = get_task(session, task_id, lock=True)
    require_task_worker(session, actor, task, deal_of_task(session, task), action=_("run the timer on"))
    if task.status in (TaskStatus.done, TaskStatus.cancelled):
        raise Conflict(_("task {id} is {status}; its timer cannot start").format(id=task.id, status=task.status))
    require_released(session, task)
    now = clock.now()
    # Lock the user's row: two starts at once (two terminals) must not leave two running timers.
    session.scalars(for_update(select(User).where(User.id == actor.id))).first()
    current = running(session, actor.id, lock=True)
    if current is not None and current.task_id == task.id:
        raise Conflict(_("your timer already runs on task {id} (since {since})").format(id=task.id,
                                                                                      since=clock.show(current.started_at)))
    if current is not None:
        current.stopped_at = now
        audit.record(session, actor, "timer.stop", "task", current.task_id, entry=current.id, reason="another_started")
    entry = TimeEntry(task_id=task.id, user_id=actor.id, started_at=now)
    session.add(entry)
    session.flush()
    if task.status == TaskStatus.todo:
        apply_status(session, actor, task, TaskStatus.in_progress, reason="timer_start")
    audit.record(session, actor, "timer.start", "task", task.id, entry=entry.id)
    return entry, current


def stop(*, session: Session, actor: User, task_id: int | str | None = None) -> TimeEntry:
    """Stop the actor's running timer (on `task_id` if given). Conflict when none runs."""
    current = running(session, actor.id, lock=True)
    if current is None:
        raise Conflict(_("no timer is running for {login}").format(login=actor.login))
    if task_id is not None and current.task_id != get_task(session, task_id).id:
        raise Conflict(_("your timer runs on task {running}, not on task {asked}").format(running=current.task_id,
                                                                                        asked=task_id))
    current.stopped_at = clock.now()
    session.flush()
    audit.record(session, actor, "timer.stop", "task", current.task_id, entry=current.id)
    return current


def entries(*, session: Session, actor: User, task_id: int | str) -> list[dict]:
    task = get_task(session, task_id)
    require_task_reader(session, actor, task, deal_of_task(session, task), watcher_ids(session, task.id))
    logins = dict(session.execute(select(User.id, User.login)).all())
    return [entry_public(e, logins) for e in session.scalars(
        select(TimeEntry).where(TimeEntry.task_id == task.id).order_by(TimeEntry.started_at, TimeEntry.id))]


def add_entry(*, session: Session, actor: User, task_id: int | str, minutes: int, login: str | None = None,
              at: datetime | None = None) -> TimeEntry:
    """Add `minutes` of work on a task for `login` (default: the assignee), starting `at` (default:
    `minutes` before now). Supervisors and admins only; audited."""
    require_time_corrector(actor)
    task = get_task(session, task_id)
    if minutes <= 0:
        raise BadInput(_("the duration must be positive"))
    user_id = users.get_by_login(session, login).id if login else task.assignee_id
    started = at or clock.now() - timedelta(minutes=minutes)
    entry = TimeEntry(task_id=task.id, user_id=user_id, started_at=started, stopped_at=started + timedelta(minutes=minutes),
                      corrected_by_id=actor.id)
    session.add(entry)
    session.flush()
    audit.record(session, actor, "timer.add", "task", task.id, entry=entry.id, minutes=minutes, started_at=started)
    return entry


def correct(*, session: Session, actor: User, entry_id: int, minutes: int) -> TimeEntry:
    """Set a time entry's length to `minutes` (its start stays). Supervisors and admins; audited
    with the value before."""
    require_time_corrector(actor)
    entry = session.get(TimeEntry, entry_id)
    if entry is None:
        raise NotFound(_("no time entry {id}").format(id=entry_id))
    if minutes < 0:
        raise BadInput(_("the duration must not be negative"))
    before = entry.stopped_at
    entry.stopped_at = entry.started_at + timedelta(minutes=minutes)
    entry.corrected_by_id = actor.id
    session.flush()
    audit.record(session, actor, "timer.correct", "task", entry.task_id, entry=entry.id, minutes=minutes,
                 stopped_before=before, stopped_after=entry.stopped_at)
    return entry
