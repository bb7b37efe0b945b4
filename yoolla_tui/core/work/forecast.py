"""When will each task be done? Walk every executor's queue through their work schedule.

The simulation: each executor works their queue in order (task priority, order priority, due
date, age); a task waiting on an unfinished task is out of the queue until its blocker's forecast
finish, across executors; work is laid into the executor's hours, skipping weekends, public
holidays and leaves. As it places a task the engine records WHY it starts when it does (the
blocker, the task ahead in the queue, or now) and which days off it stepped over: `explain`
reads those records back as a chain; nothing is guessed afterwards.

Deterministic for a given `now` (YOOLLA_NOW): every tie is broken by task id.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.people import work_schedule
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Order, Task, TaskDependency, TaskStatus, TimeEntry, User

OPEN = (TaskStatus.todo.value, TaskStatus.in_progress.value)
_FAR = datetime.max.replace(tzinfo=clock.UTC)


@dataclass(slots=True)
class Item:
    """One open task as the forecast sees it."""

    task_id: int
    user_id: int
    order_id: int
    title: str
    key: tuple
    minutes: int  # still to do: estimate less time already spent, never below 0
    blockers: list[int] = field(default_factory=list)  # open tasks it waits on
    dependents: list[int] = field(default_factory=list)
    start: datetime | None = None
    finish: datetime | None = None
    cause: dict | None = None  # {"kind": "now" | "queue" | "blocker", "task": id, "at": datetime}
    pushes: list[dict] = field(default_factory=list)  # days off stepped over: {kind, first, last, name}

    @property
    def in_queue(self) -> bool:
        return not self.blockers


@dataclass
class Forecast:
    now: datetime
    items: dict[int, Item]
    queues: dict[int, list[int]]  # user id -> open task ids in queue order (waiting ones included)
    logins: dict[int, str]

    def order_ready(self, order_id: int) -> Item | None:
        """The order's last task (its finish is the order's ready date), None when nothing is open."""
        last = None
        for item in self.items.values():
            if item.order_id == order_id and item.finish is not None:
                if last is None or (item.finish, item.task_id) > (last.finish, last.task_id):
                    last = item
        return last


def queue_key(task_priority: int, order_priority: int, due_at: datetime | None, created_at: datetime, task_id: int):
    """The queue order, in one place: higher task priority, then higher order priority, then the
    earlier due date (none last), then the older task."""
    return (-task_priority, -order_priority, due_at or _FAR, created_at, task_id)


def compute(session: Session, *, now: datetime | None = None) -> Forecast:
    """The forecast of every open task (three queries, then pure Python)."""
    now = now or clock.now()
    rows = session.execute(
        select(Task.id, Task.assignee_id, Task.order_id, Task.title, Task.priority, Order.priority, Task.due_at,
               Task.created_at, Task.estimate_minutes)
        .join(Order, Order.id == Task.order_id)
        .where(Task.status.in_(OPEN))).all()
    spent: dict[int, float] = {}
    for task_id, started, stopped in session.execute(
            select(TimeEntry.task_id, TimeEntry.started_at, TimeEntry.stopped_at)
            .join(Task, Task.id == TimeEntry.task_id).where(Task.status.in_(OPEN))):
        spent[task_id] = spent.get(task_id, 0) + ((stopped or now) - started).total_seconds() / 60
    items: dict[int, Item] = {}
    for task_id, user_id, order_id, title, priority, order_priority, due_at, created_at, estimate in rows:
        left = max(int(round(estimate - spent.get(task_id, 0))), 0)
        items[task_id] = Item(task_id, user_id, order_id, title,
                              queue_key(priority, order_priority, due_at, created_at, task_id), left)
    blocker = aliased(Task)
    for task_id, blocker_id in session.execute(
            select(TaskDependency.task_id, TaskDependency.blocker_id)
            .join(blocker, blocker.id == TaskDependency.blocker_id).where(blocker.status.in_(OPEN))
            .order_by(TaskDependency.task_id, TaskDependency.blocker_id)):
        if task_id in items and blocker_id in items:
            items[task_id].blockers.append(blocker_id)
            items[blocker_id].dependents.append(task_id)
    queues: dict[int, list[int]] = {}
    for item in sorted(items.values(), key=lambda i: i.key):
        queues.setdefault(item.user_id, []).append(item.task_id)
    user_ids = sorted(queues)
    schedules = work_schedule.load(session, user_ids) if user_ids else {}
    logins = dict(session.execute(select(User.id, User.login)).all())
    _simulate(items, queues, schedules, now)
    return Forecast(now=now, items=items, queues=queues, logins=logins)


def _simulate(items: dict[int, Item], queues: dict[int, list[int]], schedules, now: datetime) -> None:
    """Event simulation: the executor who is free earliest takes the first task of their queue
    that is released (every blocker placed and finished by then). O(n log n) with heaps:
    `ready` by queue key, `timed` by release time, `unplaced` counts blockers not yet placed."""
    rank = {tid: pos for ids in queues.values() for pos, tid in enumerate(ids)}
    ready: dict[int, list] = {uid: [] for uid in queues}
    timed: dict[int, list] = {uid: [] for uid in queues}
    unplaced = {tid: len(item.blockers) for tid, item in items.items()}
    releaser: dict[int, tuple[datetime, int]] = {}  # task -> (latest blocker finish, that blocker)
    for tid, item in items.items():
        if not item.blockers:
            ready[item.user_id].append((rank[tid], tid))
    for heap in ready.values():
        heapq.heapify(heap)
    free_at = {uid: now for uid in queues}
    last_done: dict[int, int | None] = {uid: None for uid in queues}
    left = {uid: len(ids) for uid, ids in queues.items()}
    wake = [(now, uid) for uid in sorted(queues)]
    heapq.heapify(wake)
    while wake:
        at, uid = heapq.heappop(wake)
        if at < free_at[uid] or not left[uid]:
            continue  # a stale wake-up: busy until later, or nothing left
        own_timed, own_ready = timed[uid], ready[uid]
        while own_timed and own_timed[0][0] <= at:
            _release, tid = heapq.heappop(own_timed)
            heapq.heappush(own_ready, (rank[tid], tid))
        if not own_ready:
            if own_timed:
                heapq.heappush(wake, (own_timed[0][0], uid))
            continue  # otherwise parked until a blocker of theirs is placed
        _rank, tid = heapq.heappop(own_ready)
        item = items[tid]
        start = free_at[uid]
        released = releaser.get(tid)
        if released is not None and released[0] > start:
            start = released[0]
            item.cause = {"kind": "blocker", "task": released[1], "at": start}
        elif last_done[uid] is not None:
            item.cause = {"kind": "queue", "task": last_done[uid], "at": start}
        else:
            item.cause = {"kind": "now", "at": start}
        item.start, item.finish = schedules[uid].walk(start, item.minutes, item.pushes)
        free_at[uid] = item.finish
        last_done[uid] = tid
        left[uid] -= 1
        heapq.heappush(wake, (item.finish, uid))
        for dep in item.dependents:
            best = releaser.get(dep)
            if best is None or (item.finish, tid) > best:
                releaser[dep] = (item.finish, tid)
            unplaced[dep] -= 1
            if unplaced[dep] == 0:
                other = items[dep].user_id
                heapq.heappush(timed[other], (releaser[dep][0], dep))
                heapq.heappush(wake, (max(free_at[other], releaser[dep][0]), other))


# ---- explaining a date -----------------------------------------------------------------------

def _push_text(push: dict) -> str:
    first, last = push["first"], push["last"]
    days = first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
    if push["kind"] == "holiday":
        return _("public holiday {days} ({name})").format(days=days, name=push["name"])
    if push["kind"] == "leave":
        return _("leave {days}").format(days=days)
    return _("day off {days} (weekend)").format(days=days)


def chain(forecast: Forecast, task_id: int) -> list[Item]:
    """The tasks that set `task_id`'s date, from the first (started now) to `task_id` itself:
    follow each task's recorded cause (its blocker, or the task ahead of it in the queue)."""
    out: list[Item] = []
    seen: set[int] = set()
    item = forecast.items.get(task_id)
    while item is not None and item.task_id not in seen:
        seen.add(item.task_id)
        out.append(item)
        cause = item.cause or {}
        item = forecast.items.get(cause.get("task")) if cause.get("kind") in ("queue", "blocker") else None
    return list(reversed(out))


def explain(forecast: Forecast, task_id: int) -> list[dict]:
    """The chain as rows a person reads top to bottom: what each task waited for, which days off
    pushed it, and when it starts and ends. Consecutive tasks of one executor's queue fold into
    one row ("3 tasks ahead in egor's queue")."""
    steps = chain(forecast, task_id)
    rows: list[dict] = []
    index = 0
    while index < len(steps):
        item = steps[index]
        login = forecast.logins.get(item.user_id, "?")
        run = index
        while (run + 1 < len(steps) - 1 and _foldable(steps[run + 1]) and _foldable(item)
               and steps[run + 1].user_id == item.user_id):
            run += 1
        if run > index:
            folded = steps[index:run + 1]
            rows.append(_row(forecast, item, "queue", _("{count} tasks ahead in {login}'s queue ({ids})").format(
                count=len(folded), login=login, ids=", ".join(str(s.task_id) for s in folded)),
                start=folded[0].start, finish=folded[-1].finish, task=None))
            index = run + 1
            continue
        cause = item.cause or {"kind": "now"}
        if cause["kind"] == "now":
            because = _("{login} is free now").format(login=login)
        elif cause["kind"] == "queue":
            because = _("after task {task} in {login}'s queue").format(task=cause["task"], login=login)
        else:
            blocker = forecast.items[cause["task"]]
            because = _("waits for task {task} ({other}) to finish").format(
                task=cause["task"], other=forecast.logins.get(blocker.user_id, "?"))
        rows.append(_row(forecast, item, cause["kind"], because, start=cause.get("at"), finish=None, task=item.task_id))
        for push in item.pushes:
            rows.append({"task": item.task_id, "user": login, "kind": push["kind"], "start": None, "finish": None,
                         "what": _push_text(push), "first_day": push["first"].isoformat(),
                         "last_day": push["last"].isoformat()})
        rows.append(_row(forecast, item, "work", _("works {title!r}: {hours}").format(
            title=item.title, hours=format_minutes(item.minutes)), start=item.start, finish=item.finish, task=item.task_id))
        index += 1
    return rows


def _foldable(item: Item) -> bool:
    return (item.cause or {}).get("kind") == "queue" and not item.pushes


def _row(forecast: Forecast, item: Item, kind: str, what: str, *, start, finish, task) -> dict:
    return {"task": task, "user": forecast.logins.get(item.user_id, "?"), "kind": kind, "start": clock.iso(start),
            "finish": clock.iso(finish), "what": what, "first_day": None, "last_day": None}


def format_minutes(minutes: int | float | None) -> str:
    """90 -> '1h30m'; 0 -> '0m'."""
    if minutes is None:
        return ""
    minutes = int(round(minutes))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}m"
    return f"{hours}h" if hours else f"{rest}m"
