"""Tasks: adding them to orders, dependencies (cycles refused and named), status, comments, the
executor's queue, and closing a deal's tasks when it enters a `close_tasks` stage.

A task waiting on an unfinished task is out of its assignee's queue; when its last blocker is
done (or cancelled) its assignee and watchers get a notification (core/inbox.py).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock
from yoolla_tui.core.work import forecast as forecast_mod, inbox, process_state
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.lookup import deal_of_task, get_order, get_task
from yoolla_tui.core.kernel.errors import BadInput, Conflict
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Deal, Order, OrderStatus, Role, Task, TaskComment, TaskDependency, TaskStatus, TaskWatcher, TimeEntry, User
from yoolla_tui.core.kernel.permissions import deal_scope, require_deal_access, require_queue_reader, require_task_reader, require_task_worker
from yoolla_tui.core.kernel.text import checked as checked_text

STATUSES = [s.value for s in TaskStatus]
OPEN = forecast_mod.OPEN
_DURATION_RE = re.compile(r"^(?:(\d+(?:[.,]\d+)?)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$")


def parse_duration(text: str) -> int:
    """`2h30m`, `2h`, `90m`, `1.5h` or a bare number of minutes -> minutes."""
    raw = (text or "").strip().lower().replace(" ", "")
    if raw.isdigit():
        return int(raw)
    match = _DURATION_RE.match(raw)
    if not raw or not match or not (match.group(1) or match.group(2)):
        raise BadInput(_("bad duration {text!r}: expected e.g. 2h30m, 90m or 1.5h").format(text=text))
    hours = float((match.group(1) or "0").replace(",", "."))
    return int(round(hours * 60)) + int(match.group(2) or 0)


def watcher_ids(session: Session, task_id: int) -> set[int]:
    return set(session.scalars(select(TaskWatcher.user_id).where(TaskWatcher.task_id == task_id)))


def _open_blockers(session: Session, task_id: int) -> list[Task]:
    return list(session.scalars(select(Task).join(TaskDependency, TaskDependency.blocker_id == Task.id)
                                .where(TaskDependency.task_id == task_id, Task.status.in_(OPEN)).order_by(Task.id)))


def require_released(session: Session, task: Task) -> None:
    """Refuse (Conflict, naming them) while a task it waits on is open: it cannot start or finish yet."""
    waiting = _open_blockers(session, task.id)
    if waiting:
        raise Conflict(_("task {id} waits on {blockers}, not finished yet").format(
            id=task.id, blockers=", ".join(_("task {id} ({title})").format(id=b.id, title=b.title) for b in waiting)))


def actual_minutes(session: Session, task_ids: list[int]) -> dict[int, int]:
    """Task id -> minutes of its time entries (a running timer counts up to now)."""
    if not task_ids:
        return {}
    now = clock.now()
    out: dict[int, float] = {}
    for task_id, started, stopped in session.execute(
            select(TimeEntry.task_id, TimeEntry.started_at, TimeEntry.stopped_at).where(TimeEntry.task_id.in_(task_ids))):
        out[task_id] = out.get(task_id, 0) + ((stopped or now) - started).total_seconds() / 60
    return {k: int(round(v)) for k, v in out.items()}


# ---- writing -------------------------------------------------------------------------------

def add_task(*, session: Session, actor: User, order_id: int | str, title: str, type: str, assignee: str,
             estimate: str | int, subtype: str = "", priority: int = 0, watchers: list[str] | None = None,
             after: list[int | str] | None = None, due: datetime | None = None) -> Task:
    """Add a task to an order (the deal's manager, their supervisor or an admin).

    Raises NotFound (order, assignee, watcher or blocker), BadInput (empty title or type, bad
    estimate), Conflict (the order is closed), PermissionDenied."""
    order = get_order(session, order_id)
    deal = session.get(Deal, order.deal_id)
    require_deal_access(session, actor, deal, action=_("add tasks to"))
    if order.status != OrderStatus.open:
        raise Conflict(_("order {id} is {status}; tasks cannot be added to it").format(id=order.id, status=order.status))
    title = checked_text(title, field=_("the task title"), limit=300)
    if not title:
        raise BadInput(_("a task needs a title"))
    if not (type or "").strip():
        raise BadInput(_("a task needs a type (--type design, build, …)"))
    minutes = estimate if isinstance(estimate, int) else parse_duration(estimate)
    person = users.get_by_login(session, assignee)
    if not person.active:
        raise BadInput(_("user {login!r} is deactivated").format(login=person.login))
    watcher_users = [users.get_by_login(session, login) for login in (watchers or []) if login.strip()]
    blockers = [get_task(session, ref) for ref in (after or [])]
    now = clock.now()
    task = Task(order_id=order.id, title=title.strip(), type=type.strip().lower(), subtype=(subtype or "").strip().lower(),
                assignee_id=person.id, priority=priority, estimate_minutes=minutes, due_at=due,
                status=TaskStatus.todo, created_by_id=actor.id, created_at=now, updated_at=now)
    session.add(task)
    session.flush()
    for watcher in {w.id: w for w in watcher_users}.values():
        session.add(TaskWatcher(task_id=task.id, user_id=watcher.id))
    for blocker in {b.id: b for b in blockers}.values():
        session.add(TaskDependency(task_id=task.id, blocker_id=blocker.id))
    session.flush()
    audit.record(session, actor, "task.add", "task", task.id, order=order.id, title=task.title, type=task.type,
                 assignee=person.login, estimate_minutes=minutes, after=[b.id for b in blockers],
                 watchers=[w.login for w in watcher_users])
    return task


def _cycle(session: Session, task_id: int, blocker_id: int) -> list[int] | None:
    """If `task_id` waiting on `blocker_id` closes a loop, the loop as ids (task, blocker, …, task)."""
    waits: dict[int, list[int]] = {}
    for tid, bid in session.execute(select(TaskDependency.task_id, TaskDependency.blocker_id)):
        waits.setdefault(tid, []).append(bid)
    # Breadth-first from the blocker along "waits on" edges; a path back to task_id is the cycle.
    parents: dict[int, int | None] = {blocker_id: None}
    frontier = [blocker_id]
    while frontier:
        following = []
        for node in frontier:
            if node == task_id:
                path = [node]
                while parents[path[-1]] is not None:
                    path.append(parents[path[-1]])
                return [task_id] + list(reversed(path))
            for nxt in sorted(waits.get(node, [])):
                if nxt not in parents:
                    parents[nxt] = node
                    following.append(nxt)
        frontier = following
    return None


def depend(*, session: Session, actor: User, task_id: int | str, on: list[int | str], remove: bool = False) -> Task:
    """Make a task wait on others (`remove`: stop waiting). A loop is refused with its chain:
    "dependency cycle: 3 → 1 → 2 → 3"."""
    task = get_task(session, task_id, lock=True)
    require_task_worker(session, actor, task, deal_of_task(session, task), action=_("change dependencies of"))
    blockers = [get_task(session, ref) for ref in on]
    if not blockers:
        raise BadInput(_("name the tasks it waits on: yoolla task depend TASK --on OTHER"))
    for blocker in blockers:
        link = session.get(TaskDependency, (task.id, blocker.id))
        if remove:
            if link is not None:
                session.delete(link)
            continue
        if link is not None:
            continue
        loop = _cycle(session, task.id, blocker.id)
        if loop:
            raise Conflict(_("dependency cycle: {chain} (each waits on the next); task {task} cannot wait on {blocker}").format(
                chain=" → ".join(str(i) for i in loop), task=task.id, blocker=blocker.id))
        session.add(TaskDependency(task_id=task.id, blocker_id=blocker.id))
        session.flush()
    task.updated_at = clock.now()
    audit.record(session, actor, "task.unblock" if remove else "task.depend", "task", task.id,
                 on=[b.id for b in blockers])
    return task


def set_status(*, session: Session, actor: User, task_id: int | str, status: str, note: str = "") -> Task:
    """Move a task to todo | in_progress | done | cancelled.

    A task cannot start or finish while a task it waits on is open (Conflict names it). Finishing
    or cancelling stops its running timers and tells the assignees and watchers of the tasks it
    released."""
    if status not in STATUSES:
        raise BadInput(_("unknown task status {status!r}: expected one of {known}").format(status=status,
                                                                                        known=", ".join(STATUSES)))
    task = get_task(session, task_id, lock=True)
    require_task_worker(session, actor, task, deal_of_task(session, task), action=_("change the status of"))
    if task.status == status:
        raise Conflict(_("task {id} is already {status}").format(id=task.id, status=status))
    if status in (TaskStatus.in_progress, TaskStatus.done):
        require_released(session, task)
    apply_status(session, actor, task, status, note=note)
    return task


def apply_status(session: Session, actor: User, task: Task, status: str, *, note: str = "", hooks: bool = True,
                  **audit_data) -> None:
    now = clock.now()
    before = task.status
    task.status = status
    task.updated_at = now
    task.done_at = now if status == TaskStatus.done else None
    if status in (TaskStatus.done, TaskStatus.cancelled):
        for entry in session.scalars(select(TimeEntry).where(TimeEntry.task_id == task.id, TimeEntry.stopped_at.is_(None))):
            entry.stopped_at = now
        session.flush()
        _notify_released(session, task)
    audit.record(session, actor, "task.status", "task", task.id, before=before, after=status, note=note or None,
                 **audit_data)
    if hooks and status in (TaskStatus.done, TaskStatus.cancelled):
        process_state.on_task_closed(session, actor, task)  # a process ends with its last task (issue 27)


def _notify_released(session: Session, finished: Task) -> None:
    """Tasks whose last open blocker was `finished`: tell their assignees and watchers."""
    dependents = list(session.scalars(select(Task).join(TaskDependency, TaskDependency.task_id == Task.id)
                                      .where(TaskDependency.blocker_id == finished.id, Task.status.in_(OPEN))
                                      .order_by(Task.id)))
    for task in dependents:
        if _open_blockers(session, task.id):
            continue
        people = sorted({task.assignee_id} | watcher_ids(session, task.id))
        inbox.notify(session, people, "task_ready", task_id=task.id, title=task.title, blocker=finished.id,
                     blocker_title=finished.title, blocker_status=finished.status)


def comment(*, session: Session, actor: User, task_id: int | str, text: str) -> TaskComment:
    """Comment on a task you may see."""
    task = get_task(session, task_id)
    require_task_reader(session, actor, task, deal_of_task(session, task), watcher_ids(session, task.id))
    text = checked_text(text, field=_("the comment"), limit=4000, lines=True)
    if not text:
        raise BadInput(_("the comment is empty"))
    row = TaskComment(task_id=task.id, user_id=actor.id, at=clock.now(), text=text.strip())
    session.add(row)
    session.flush()
    audit.record(session, actor, "task.comment", "task", task.id, comment=row.id)
    return row


def cancel_for_stage(session: Session, actor: User, deal: Deal, stage) -> int:
    """A deal entered a stage with `close_tasks`: cancel its open tasks (each audited)."""
    open_tasks = list(session.scalars(select(Task).join(Order, Order.id == Task.order_id)
                                      .where(Order.deal_id == deal.id, Task.status.in_(OPEN)).order_by(Task.id)))
    for task in open_tasks:
        apply_status(session, actor, task, TaskStatus.cancelled, stage=stage.code, reason="stage_close_tasks")
    return len(open_tasks)


# ---- reading -------------------------------------------------------------------------------

def _rows_stmt():
    return (select(Task, Order.deal_id, Order.priority, Order.title, User.login)
            .join(Order, Order.id == Task.order_id).join(User, User.id == Task.assignee_id))


def _public(task: Task, deal_id: int, order_priority: int, order_title: str, login: str, *, actual: int,
            blocked_by: list[int], item=None) -> dict:
    return {"id": task.id, "order_id": task.order_id, "order": order_title, "deal_id": deal_id, "title": task.title,
            "type": task.type, "subtype": task.subtype or None, "assignee": login, "priority": task.priority,
            "order_priority": order_priority, "status": task.status, "estimate_minutes": task.estimate_minutes,
            "estimate": forecast_mod.format_minutes(task.estimate_minutes), "actual_minutes": actual,
            "actual": forecast_mod.format_minutes(actual), "due_at": clock.iso(task.due_at),
            "blocked_by": blocked_by, "created_at": clock.iso(task.created_at), "done_at": clock.iso(task.done_at),
            "start": clock.iso(item.start) if item else None, "finish": clock.iso(item.finish) if item else None}


def queue(*, session: Session, actor: User, login: str | None = None, include_waiting: bool = False,
          forecast: forecast_mod.Forecast | None = None) -> list[dict]:
    """A user's queue (default: the actor's) in working order, each task with its forecast start
    and finish. Tasks waiting on an open task are left out unless `include_waiting`.
    The dashboard calls this too."""
    user = users.get_by_login(session, login) if login else actor
    require_queue_reader(actor, user)
    fc = forecast or forecast_mod.compute(session)
    ids = [tid for tid in fc.queues.get(user.id, []) if include_waiting or fc.items[tid].in_queue]
    if not ids:
        return []
    by_id = {row[0].id: row for row in session.execute(_rows_stmt().where(Task.id.in_(ids)))}
    actual = actual_minutes(session, ids)
    hidden = _hidden_deals(session, actor, user, {row[1] for row in by_id.values()})
    out = []
    for position, tid in enumerate(ids, 1):
        task, deal_id, order_priority, order_title, assignee = by_id[tid]
        secret = deal_id in hidden  # another manager's deal: its place in the queue, not its content
        item = fc.items[tid]
        row = _public(task, deal_id, order_priority, order_title, assignee, actual=actual.get(tid, 0),
                      blocked_by=list(item.blockers), item=item)
        if secret:
            row.update(order=None, deal_id=None, order_id=None, title=_("(a task on another manager's deal)"))
        out.append({"position": position, **row})
    return out


def _hidden_deals(session: Session, actor: User, user: User, deal_ids: set[int]) -> set[int]:
    """Of `deal_ids` (on `user`'s queue), those `actor` may not see: someone looking at another
    person's queue sees the titles of their own (or their team's) deals only; admins see all."""
    if actor.id == user.id:
        return set()
    scope = deal_scope(session, actor)
    if scope is None:
        return set()
    visible = set(session.scalars(select(Deal.id).where(Deal.id.in_(deal_ids), scope)))
    return set(deal_ids) - visible


def list_for_order(session: Session, order_id: int, fc: forecast_mod.Forecast) -> list[dict]:
    rows = list(session.execute(_rows_stmt().where(Task.order_id == order_id).order_by(Task.id)))
    actual = actual_minutes(session, [r[0].id for r in rows])
    out = []
    for task, deal_id, order_priority, order_title, login in rows:
        item = fc.items.get(task.id)
        out.append(_public(task, deal_id, order_priority, order_title, login, actual=actual.get(task.id, 0),
                           blocked_by=list(item.blockers) if item else [], item=item))
    return out


def show(*, session: Session, actor: User, task_id: int | str) -> dict:
    """A task's card: fields, forecast, who watches, what it waits on and what waits on it,
    comments and time entries."""
    task = get_task(session, task_id)
    deal = deal_of_task(session, task)
    watchers = watcher_ids(session, task.id)
    require_task_reader(session, actor, task, deal, watchers)
    fc = forecast_mod.compute(session)
    row = session.execute(_rows_stmt().where(Task.id == task.id)).one()
    item = fc.items.get(task.id)
    out = _public(*row, actual=actual_minutes(session, [task.id]).get(task.id, 0),
                  blocked_by=list(item.blockers) if item else [], item=item)
    login = dict(session.execute(select(User.id, User.login)).all())
    out["watchers"] = sorted(login[w] for w in watchers)
    out["after"] = list(session.scalars(select(TaskDependency.blocker_id).where(TaskDependency.task_id == task.id)
                                        .order_by(TaskDependency.blocker_id)))
    out["before"] = list(session.scalars(select(TaskDependency.task_id).where(TaskDependency.blocker_id == task.id)
                                         .order_by(TaskDependency.task_id)))
    out["comments"] = [{"id": c.id, "at": clock.iso(c.at), "user": login.get(c.user_id), "text": c.text}
                       for c in session.scalars(select(TaskComment).where(TaskComment.task_id == task.id)
                                                .order_by(TaskComment.at, TaskComment.id))]
    out["time_entries"] = [entry_public(e, login) for e in session.scalars(
        select(TimeEntry).where(TimeEntry.task_id == task.id).order_by(TimeEntry.started_at, TimeEntry.id))]
    return out


def why(*, session: Session, actor: User, task_id: int | str) -> dict:
    """Why the task's forecast is what it is: the chain of blockers, queues and days off."""
    task = get_task(session, task_id)
    require_task_reader(session, actor, task, deal_of_task(session, task), watcher_ids(session, task.id))
    fc = forecast_mod.compute(session)
    item = fc.items.get(task.id)
    if item is None:
        raise Conflict(_("task {id} is {status}: it has no forecast").format(id=task.id, status=task.status))
    if item.finish is None:
        raise Conflict(_("task {id} cannot be forecast: it waits on work that never gets placed").format(id=task.id))
    return {"task": task.id, "title": task.title, "start": clock.iso(item.start), "finish": clock.iso(item.finish),
            "steps": forecast_mod.explain(fc, task.id)}


def load(session: Session, user_id: int) -> int:
    """Minutes of open work assigned to a user (estimates less time spent): who is least loaded."""
    ids = list(session.scalars(select(Task.id).where(Task.assignee_id == user_id, Task.status.in_(OPEN))))
    if not ids:
        return 0
    estimate = session.scalar(select(func.coalesce(func.sum(Task.estimate_minutes), 0)).where(Task.id.in_(ids))) or 0
    spent = sum(actual_minutes(session, ids).values())
    return max(int(estimate) - spent, 0)


def executors_by_role(session: Session, role: str) -> list[User]:
    if role not in [r.value for r in Role]:
        raise BadInput(_("unknown role {role!r}: expected one of {roles}").format(role=role,
                                                                               roles=", ".join(r.value for r in Role)))
    return list(session.scalars(select(User).where(User.role == role, User.active.is_(True)).order_by(User.login)))


def entry_public(entry: TimeEntry, logins: dict[int, str]) -> dict:
    end = entry.stopped_at
    minutes = int(round(((end or clock.now()) - entry.started_at).total_seconds() / 60))
    return {"id": entry.id, "task_id": entry.task_id, "user": logins.get(entry.user_id), "started_at": clock.iso(entry.started_at),
            "stopped_at": clock.iso(end), "minutes": minutes, "running": end is None,
            "corrected_by": logins.get(entry.corrected_by_id) if entry.corrected_by_id else None}
