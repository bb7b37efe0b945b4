"""Estimate against actual: per executor or per task type, the mean actual time per type, and
the weekly trend (seed 001, "Оценка эффективности сотрудников", "Динамика эффективности").

Counted: finished (done) tasks, by the ISO week they were done in; actual = the sum of their time
entries. `ratio` = actual / estimate (1.0 on plan, above 1 slower than estimated).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Task, TaskStatus, TimeEntry, User
from yoolla_tui.core.kernel.permissions import require_efficiency_reader

BY = ("user", "type")


def report(*, session: Session, actor: User, since: datetime | None = None, by: str = "user") -> list[dict]:
    """Rows per key (login or task type): one `week` = "all" row with the totals, then one row per
    ISO week (the trend). Each: tasks, estimate_minutes, actual_minutes, ratio, mean_actual_minutes."""
    require_efficiency_reader(actor)
    if by not in BY:
        raise BadInput(_("--by takes user or type, not {by!r}").format(by=by))
    stmt = (select(Task.id, Task.type, User.login, Task.estimate_minutes, Task.done_at)
            .join(User, User.id == Task.assignee_id).where(Task.status == TaskStatus.done, Task.done_at.is_not(None)))
    if since is not None:
        stmt = stmt.where(Task.done_at >= since)
    done = list(session.execute(stmt.order_by(Task.id)))
    minutes: dict[int, float] = {}
    if done:
        ids = [row[0] for row in done]
        for task_id, started, stopped in session.execute(
                select(TimeEntry.task_id, TimeEntry.started_at, TimeEntry.stopped_at)
                .where(TimeEntry.task_id.in_(ids), TimeEntry.stopped_at.is_not(None))):
            minutes[task_id] = minutes.get(task_id, 0) + (stopped - started).total_seconds() / 60
    groups: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for task_id, task_type, login, estimate, done_at in done:
        key = login if by == "user" else task_type
        week = clock.week_of(clock.to_local(done_at).date())
        for bucket in ("all", week):
            groups.setdefault((key, bucket), []).append((estimate, minutes.get(task_id, 0)))
    out = []
    for (key, week), values in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] != "all", kv[0][1])):
        estimate = sum(v[0] for v in values)
        spent = int(round(sum(v[1] for v in values)))
        out.append({"by": by, "key": key, "week": week, "tasks": len(values), "estimate_minutes": estimate,
                    "actual_minutes": spent, "ratio": round(spent / estimate, 2) if estimate else None,
                    "mean_actual_minutes": int(round(spent / len(values)))})
    return out
