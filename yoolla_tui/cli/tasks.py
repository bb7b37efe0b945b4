"""`yoolla task …`, `yoolla inbox`, `yoolla schedule …` and `yoolla report efficiency`: the
executor's side of orders."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

from yoolla_tui.core.kernel import clock
efficiency = module("yoolla_tui.core.work.efficiency")
inbox_core = module("yoolla_tui.core.work.inbox")
tasks = module("yoolla_tui.core.work.tasks")
timer = module("yoolla_tui.core.work.timer")
work_schedule = module("yoolla_tui.core.people.work_schedule")
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.orders import WHY_COLUMNS, _show
from yoolla_tui.cli.output import (AllOpt, FormatOpt, Fmt, LimitOpt, OutOpt, ReportFormatOpt, console, done, page_size, render,
                                   render_listing, render_one, report)
from yoolla_tui.cli.reports import app as report_app

app = typer.Typer(help="Tasks: add, depend, work your queue, run the timer, see why a date is what it is.\n\nExample: yoolla task queue",
                  no_args_is_help=True)
schedule_app = typer.Typer(help="Work schedules: hours per weekday, leaves; public holidays come from the calendar.\n\nExample: yoolla schedule show",
                           no_args_is_help=True)

# The table keeps what a person scans; --format json carries every key (README, "JSON output").
QUEUE_COLUMNS = ["position", "id", "title", "order", "priority", "due_at", "estimate", "actual", "status", "start", "finish"]
TaskArg = Annotated[str, typer.Argument(metavar="TASK", help="Task id.")]


def _minutes(text: str) -> int:
    return tasks.parse_duration(text)


@app.command("add")
def add(
    order: Annotated[str, typer.Argument(metavar="ORDER", help="Order id.")],
    title: Annotated[str, typer.Argument(help="What to do.")],
    type_: Annotated[str, typer.Option("--type", help="Task type: design, build, print, install…")],
    assignee: Annotated[str, typer.Option("--assignee", "-a", help="Login of who does it.")],
    estimate: Annotated[str, typer.Option("--estimate", "-e", help="How long: 2h30m, 90m, 1.5h.")],
    subtype: Annotated[str, typer.Option("--subtype", help="Finer kind, e.g. mobile.")] = "",
    priority: Annotated[int, typer.Option("--priority", "-p", help="Higher comes first in the queue.")] = 0,
    watch: Annotated[Optional[str], typer.Option("--watch", help="Logins told when it is ready: anna,boris.")] = None,
    after: Annotated[Optional[list[str]], typer.Option("--after", metavar="TASK", help="A task it waits on (repeat for several).")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="Due date: 2026-11-27, 'tomorrow 18:00'…")] = None,
) -> None:
    """Add a task to an order. A task with --after stays out of the queue until those are done.

    Example: yoolla task add 1 "Вёрстка" --type build --assignee fedor --estimate 8h --after 1 --watch anna
    """
    with context.acting() as (session, actor):
        task = tasks.add_task(session=session, actor=actor, order_id=order, title=title, type=type_, assignee=assignee,
                              estimate=estimate, subtype=subtype, priority=priority,
                              watchers=(watch or "").split(","), after=after or [],
                              due=clock.parse_when(due) if due else None)
        card = tasks.show(session=session, actor=actor, task_id=task.id)
    done(_("Task {id} added for {assignee}; forecast {start} → {finish}.").format(
        id=card["id"], assignee=card["assignee"], start=_show(card["start"]), finish=_show(card["finish"])))


@app.command("show")
def show(task: TaskArg, fmt: FormatOpt = Fmt.table) -> None:
    """A task's card: forecast, dependencies, watchers, comments, time entries.

    Example: yoolla task show 3
    """
    with context.acting() as (session, actor):
        card = tasks.show(session=session, actor=actor, task_id=task)
    render_one(card, fmt)
    if fmt == Fmt.table:
        for title, rows, cols in ((_("Comments"), card["comments"], ["at", "user", "text"]),
                                  (_("Time entries"), card["time_entries"], ["id", "user", "started_at", "stopped_at", "minutes"])):
            if rows:
                console.print()
                render(rows, fmt, cols, title=title)


@app.command("comment")
def comment(task: TaskArg, text: Annotated[str, typer.Argument(help="The comment.")]) -> None:
    """Comment on a task.

    Example: yoolla task comment 3 "Клиент прислал логотип"
    """
    with context.acting() as (session, actor):
        tasks.comment(session=session, actor=actor, task_id=task, text=text)
    done(_("Comment added to task {id}.").format(id=task))


@app.command("status")
def status(
    task: TaskArg,
    value: Annotated[str, typer.Argument(metavar="STATUS", help="todo | in_progress | done | cancelled.")],
    note: Annotated[str, typer.Option("--note", "-n", help="Why (kept in the audit trail).")] = "",
) -> None:
    """Move a task on. Done (or cancelled) releases the tasks waiting on it and notifies their people.

    Example: yoolla task status 3 done
    """
    with context.acting() as (session, actor):
        changed = tasks.set_status(session=session, actor=actor, task_id=task, status=value, note=note)
    done(_("Task {id} is now {status}.").format(id=changed.id, status=changed.status))


@app.command("depend")
def depend(
    task: TaskArg,
    on: Annotated[list[str], typer.Option("--on", metavar="TASK", help="A task it waits on (repeat for several).")],
    remove: Annotated[bool, typer.Option("--remove", help="Stop waiting on those tasks.")] = False,
) -> None:
    """Make a task wait on others (or stop waiting). A cycle is refused and named.

    Example: yoolla task depend 4 --on 3
    """
    with context.acting() as (session, actor):
        changed = tasks.depend(session=session, actor=actor, task_id=task, on=on, remove=remove)
        after = tasks.show(session=session, actor=actor, task_id=changed.id)["after"]
    done(_("Task {id} now waits on: {ids}.").format(id=changed.id, ids=", ".join(map(str, after)) or _("nothing")))


@app.command("queue")
def queue(
    of: Annotated[Optional[str], typer.Option("--of", help="Whose queue, a login (default: yours).")] = None,
    waiting: Annotated[bool, typer.Option("--waiting", help="Also list tasks waiting on others (blocked_by).")] = False,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = Fmt.table,
    old_user: Annotated[Optional[str], typer.Option("--user", hidden=True)] = None,
) -> None:
    """Your queue in working order (task priority, order priority, due date, age), each task with
    its forecast start and finish. Tasks waiting on unfinished ones appear when those are done.

    Example: yoolla task queue --of egor
    """
    context.renamed_user(old_user, command="task queue", new="--of", meaning=_("whose queue"))
    with context.acting() as (session, actor):
        rows = tasks.queue(session=session, actor=actor, login=of, include_waiting=waiting)
    # the order comes from the forecast, computed whole in core: a list, counted as such
    render_listing(rows, fmt, QUEUE_COLUMNS + (["blocked_by"] if waiting else []), limit=limit, all_=all_,
                   empty=_("The queue is empty."))


@app.command("why")
def why(task: TaskArg, fmt: FormatOpt = Fmt.table) -> None:
    """Why the task's forecast is what it is: which blocker, which tasks ahead in whose queue,
    which weekend, holiday or leave pushed it — each step with its dates.

    Example: yoolla task why 4
    """
    with context.acting() as (session, actor):
        out = tasks.why(session=session, actor=actor, task_id=task)
    if fmt == Fmt.json:
        render_one(out, fmt)
        return
    if fmt == Fmt.table:
        console.print(_("Task {id} {title!r}: {start} → {finish}").format(
            id=out["task"], title=out["title"], start=_show(out["start"]), finish=_show(out["finish"])), highlight=False)
    render(out["steps"], fmt, WHY_COLUMNS)


@app.command("start")
def start(task: TaskArg) -> None:
    """Start your timer on a task (a timer running on another task stops first).

    Example: yoolla task start 3
    """
    with context.acting() as (session, actor):
        entry, stopped = timer.start(session=session, actor=actor, task_id=task)
        if stopped is not None:
            minutes = int(round((stopped.stopped_at - stopped.started_at).total_seconds() / 60))
            done(_("Stopped the timer on task {id} ({minutes} min).").format(id=stopped.task_id, minutes=minutes))
    done(_("Timer started on task {id} at {at}.").format(id=entry.task_id, at=clock.show(entry.started_at)))


@app.command("stop")
def stop(task: Annotated[Optional[str], typer.Argument(metavar="[TASK]", help="Task id (default: whichever runs).")] = None) -> None:
    """Stop your running timer.

    Example: yoolla task stop
    """
    with context.acting() as (session, actor):
        entry = timer.stop(session=session, actor=actor, task_id=task)
    minutes = int(round((entry.stopped_at - entry.started_at).total_seconds() / 60))
    done(_("Timer stopped on task {id}: {minutes} min.").format(id=entry.task_id, minutes=minutes))


@app.command("time")
def time_(
    task: TaskArg,
    add: Annotated[Optional[str], typer.Option("--add", help="Supervisor: add this much work (1h30m).")] = None,
    who: Annotated[Optional[str], typer.Option("--for", help="With --add: whose work (default the assignee).")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="With --add: when it started.")] = None,
    entry: Annotated[Optional[int], typer.Option("--entry", help="Supervisor: the entry to correct…")] = None,
    set_: Annotated[Optional[str], typer.Option("--set", help="…to this length (45m).")] = None,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """A task's time entries; supervisors add (--add) or correct (--entry N --set 45m) them, audited.

    Example: yoolla task time 3 --entry 2 --set 45m
    """
    if (entry is None) != (set_ is None):
        raise BadInput(_("--entry and --set go together: --entry 2 --set 45m"))
    with context.acting() as (session, actor):
        if add:
            timer.add_entry(session=session, actor=actor, task_id=task, minutes=_minutes(add), login=who,
                            at=clock.parse_when(at) if at else None)
        if entry is not None:
            timer.correct(session=session, actor=actor, entry_id=entry, minutes=_minutes(set_))
        rows = timer.entries(session=session, actor=actor, task_id=task)
    render_listing(rows, fmt, ["id", "user", "started_at", "stopped_at", "minutes", "running", "corrected_by"],
                   limit=limit, all_=all_, empty=_("No time entries."))


def inbox(
    mark_read: Annotated[bool, typer.Option("--mark-read", help="Mark what is shown as read.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Include notifications already read.")] = False,
    limit: LimitOpt = None,
    all_rows: Annotated[bool, typer.Option("--all-rows", help="Every row, in a table too (here --all means: include read ones).")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Your notifications, newest first: tasks that became ready to start when what they waited on
    was done. A table shows a page of 200 and says what it left out; --all-rows shows every one
    (--all keeps its meaning: include notifications already read).

    Example: yoolla inbox --mark-read
    Example: yoolla inbox --all --all-rows --format csv
    """
    with context.acting() as (session, actor):
        rows = inbox_core.inbox_listing(session=session, actor=actor, include_read=all_)
        render_listing(rows, fmt, ["id", "at", "task_id", "text", "read"], limit=limit, all_=all_rows,
                       empty=_("No new notifications."), every="--all-rows")
        if mark_read:  # what was shown, no more
            ids = [r["id"] for r in rows.rows(limit=page_size(fmt, limit, all_rows)) if not r["read"]]
            if ids:
                inbox_core.mark_read(session=session, actor=actor, ids=ids)


@schedule_app.command("show")
def schedule_show(
    login: Annotated[Optional[str], typer.Argument(metavar="[LOGIN]", help="Whose (default: yours).")] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="How many days ahead to list.")] = 14,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """A user's week, leaves and the coming days (work or off: weekend, holiday, leave).

    Example: yoolla schedule show egor --days 10
    """
    with context.acting() as (session, actor):
        out = work_schedule.show(session=session, actor=actor, login=login, days=days)
    if fmt == Fmt.json:
        render_one(out, fmt)
        return
    render(out["week"], fmt, ["weekday", "start", "end"], title=out["user"])
    if out["leaves"]:
        render(out["leaves"], fmt, ["id", "first_day", "last_day", "note"], title=_("Leaves"))
    render(out["days"], fmt, ["date", "weekday", "hours", "off", "name"])


@schedule_app.command("set")
def schedule_set(
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    days: Annotated[str, typer.Option("--days", metavar="WEEKDAYS", help="mon-fri, sat, mon,wed.")],
    hours: Annotated[str, typer.Option("--hours", help="10:00-19:00, or off.")],
) -> None:
    """Set a user's working hours on some weekdays (supervisors, admins).

    Example: yoolla schedule set egor --days sat --hours 10:00-14:00
    """
    with context.acting() as (session, actor):
        work_schedule.set_hours(session=session, actor=actor, login=login, days=days, hours=hours)
    done(_("Schedule of {login} updated.").format(login=login))


@schedule_app.command("leave")
def schedule_leave(
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    first: Annotated[str, typer.Argument(metavar="FROM", help="First day off, YYYY-MM-DD.")],
    last: Annotated[Optional[str], typer.Argument(metavar="TO", help="Last day off (default: FROM).")] = None,
    note: Annotated[str, typer.Option("--note", "-n")] = "",
) -> None:
    """Give a user leave (vacation, sick days), both days included (supervisors, admins).

    Example: yoolla schedule leave fedor 2026-11-05 2026-11-06 --note отпуск
    """
    first_day, last_day = _day(first), _day(last or first)
    with context.acting() as (session, actor):
        work_schedule.add_leave(session=session, actor=actor, login=login, first_day=first_day, last_day=last_day,
                                note=note)
    done(_("Leave for {login}: {first} to {last}.").format(login=login, first=first_day, last=last_day))


def _day(text: str, option: str = "date") -> date:
    return clock.parse_day(text, option=option)


@report_app.command("efficiency")
def report_efficiency(
    since: Annotated[Optional[str], typer.Option("--since", help="Tasks done since this day (YYYY-MM-DD).")] = None,
    by: Annotated[str, typer.Option("--by", metavar="user|type", help="user | type.")] = "user",
    fmt: ReportFormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Estimate against actual per executor or per task type: ratio, mean actual time, and the
    weekly trend (one row per ISO week after each total).

    Example: yoolla report efficiency --by type --since 2026-11-01
    """
    when = clock.at_local(_day(since, "--since"), time(0, 0)) if since else None
    with context.acting() as (session, actor):
        rows = efficiency.report(session=session, actor=actor, since=when, by=by)
    report([(_("Efficiency"), rows, ["key", "week", "tasks", "estimate_minutes", "actual_minutes", "ratio",
                                     "mean_actual_minutes"])], fmt, out, rows, what=_("efficiency report"))
