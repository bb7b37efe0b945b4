"""`yoolla stage trigger …`, `yoolla process …` and `yoolla report processes`: what entering a
stage does to a deal, and the processes (approval, complaint review, assignment) it starts."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

process_moves = module("yoolla_tui.core.automation.processes")
triggers = module("yoolla_tui.core.automation.triggers")
process_report = module("yoolla_tui.core.reports.processes")
processes = module("yoolla_tui.core.work.processes")
from yoolla_tui.core.kernel import clock  # noqa: E402
from yoolla_tui.core.kernel.i18n import _  # noqa: E402

from yoolla_tui.cli import context  # noqa: E402
from yoolla_tui.cli.funnel import DEFAULT_PIPELINE, stage_app  # noqa: E402
from yoolla_tui.cli.reports import app as report_app  # noqa: E402
from yoolla_tui.cli.output import (AllOpt, FormatOpt, Fmt, LimitOpt, OutOpt, ReportFormatOpt, done, render,
                                   render_listing, render_one, report)

trigger_app = typer.Typer(help="Stage triggers: what entering a stage does to a deal; switch each on or off.\n\nExample: yoolla stage trigger list",
                          no_args_is_help=True)
process_app = typer.Typer(help="Processes on deals (approval, complaint review, assignment): start, approve, reject.\n\nExample: yoolla process list",
                          no_args_is_help=True)

PipelineOpt = Annotated[str, typer.Option("--pipeline", "-p", help="Pipeline code.")]
TriggerArg = Annotated[str, typer.Argument(metavar="ID", help="Trigger id (yoolla stage trigger list).")]
ProcessArg = Annotated[str, typer.Argument(metavar="PROCESS", help="Process id (yoolla process list).")]
TRIGGER_COLUMNS = ["id", "stage", "position", "kind", "state", "what"]
PROCESS_COLUMNS = ["id", "deal_id", "name", "stage", "status", "gate", "started_at", "finished_at", "estimate_minutes"]
REPORT_COLUMNS = ["id", "deal_id", "client", "name", "stage", "status", "started_at", "finished_at", "estimate_minutes",
                  "worked_minutes", "ratio", "elapsed_hours"]


# ---- stage triggers ------------------------------------------------------------------------

@trigger_app.command("add")
def trigger_add(
    stage: Annotated[str, typer.Argument(help="Stage code.")],
    kind: Annotated[str, typer.Argument(help="process | checkpoint | task | document | notify.")],
    template: Annotated[Optional[str], typer.Option("--template", help="process: the template (approval, complaint, assignment…).")] = None,
    gate: Annotated[Optional[bool], typer.Option("--gate/--no-gate", help="process: the deal waits at this stage until it ends (default: if it has a decision).", show_default=False)] = None,
    type_: Annotated[Optional[str], typer.Option("--type", help="checkpoint: the checkpoint type; task: the task type (default task).")] = None,
    days: Annotated[Optional[int], typer.Option("--days", help="checkpoint: due this many business days after entry.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="task: its title.")] = None,
    estimate: Annotated[Optional[str], typer.Option("--estimate", help="task: 1h30m, 90m…")] = None,
    role: Annotated[Optional[str], typer.Option("--role", help="task: who does it — the least-loaded user of this role, or deal_manager.")] = None,
    login: Annotated[Optional[str], typer.Option("--login", help="task: who does it, by login.")] = None,
    document: Annotated[Optional[str], typer.Option("--document", help="document: proposal | invoice | contract | spec.")] = None,
    send: Annotated[bool, typer.Option("--send", help="document: mail it to the client too.")] = False,
    users_: Annotated[Optional[str], typer.Option("--users", help="notify: logins, comma-separated.")] = None,
    roles: Annotated[Optional[str], typer.Option("--roles", help="notify: everyone of these roles.")] = None,
    manager: Annotated[bool, typer.Option("--manager", help="notify: the deal's manager.")] = False,
    text: Annotated[str, typer.Option("--text", help="notify: the message.")] = "",
    off: Annotated[bool, typer.Option("--off", help="Add it switched off.")] = False,
    pipeline: PipelineOpt = DEFAULT_PIPELINE,
) -> None:
    """Add a trigger to a stage (admins): it runs when a deal enters the stage, in the same
    transaction as the move; if it cannot run, the deal does not move.

    Example: yoolla stage trigger add proposal_sent process --template approval
    Example: yoolla stage trigger add agreed task --title "Prepare the proposal" --role deal_manager --estimate 30m
    Example: yoolla stage trigger add paid notify --roles supervisor --text "Paid!"
    """
    options = {"process": {"template": template, "gate": gate},
               "checkpoint": {"type": type_, "days": days},
               "task": {"title": title, "type": type_, "estimate": estimate, "role": role, "login": login},
               "document": {"document": document, "send": send},
               "notify": {"users": users_, "roles": roles, "manager": manager, "text": text}}.get(kind, {})
    with context.acting() as (session, actor):
        trigger = triggers.add_trigger(session=session, actor=actor, stage=stage, kind=kind, options=options,
                                       pipeline=pipeline, enabled=not off)
        done(_("Trigger {id} added to {stage!r}: {what} ({state}).").format(
            id=trigger.id, stage=stage, what=triggers.describe(trigger.kind, trigger.options),
            state=_("on") if trigger.enabled else _("off")))


@trigger_app.command("list")
def trigger_list(
    stage: Annotated[Optional[str], typer.Argument(help="One stage's triggers (default: every stage's).")] = None,
    pipeline: PipelineOpt = DEFAULT_PIPELINE,
    limit: LimitOpt = None, all_: AllOpt = False, fmt: FormatOpt = Fmt.table,
) -> None:
    """The stages' triggers in the order they run, on and off alike.

    Example: yoolla stage trigger list proposal_sent --format json
    """
    with context.session() as session:
        rows = triggers.list_triggers(session=session, stage=stage, pipeline=pipeline)
    render_listing(rows, fmt, TRIGGER_COLUMNS, limit=limit, all_=all_, empty=_("No stage triggers."))


def _switch(trigger_id: str, enabled: bool) -> None:
    with context.acting() as (session, actor):
        trigger = triggers.set_enabled(session=session, actor=actor, trigger_id=trigger_id, enabled=enabled)
        done((_("Trigger {id} is on: deals entering the stage run it.") if enabled
              else _("Trigger {id} is off: deals entering the stage no longer run it.")).format(id=trigger.id))


@trigger_app.command("on")
def trigger_on(trigger: TriggerArg) -> None:
    """Switch a trigger on (admins).

    Example: yoolla stage trigger on 3
    """
    _switch(trigger, True)


@trigger_app.command("off")
def trigger_off(trigger: TriggerArg) -> None:
    """Switch a trigger off (admins); it stays listed and can be switched on again.

    Example: yoolla stage trigger off 3
    """
    _switch(trigger, False)


@trigger_app.command("remove")
def trigger_remove(trigger: TriggerArg) -> None:
    """Remove a trigger (admins); processes it started keep running.

    Example: yoolla stage trigger remove 3
    """
    with context.acting() as (session, actor):
        triggers.remove_trigger(session=session, actor=actor, trigger_id=trigger)
        done(_("Trigger {id} removed.").format(id=trigger))


# ---- processes -----------------------------------------------------------------------------

@process_app.command("list")
def process_list(
    deal: Annotated[Optional[str], typer.Option("--deal", help="One deal's processes.")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="running | done | approved | rejected | cancelled.")] = None,
    limit: LimitOpt = None, all_: AllOpt = False, fmt: FormatOpt = Fmt.table,
) -> None:
    """Processes on the deals you may see, newest first.

    Example: yoolla process list --status running
    """
    with context.acting() as (session, actor):
        rows = processes.list_processes(session=session, actor=actor, deal_id=deal, status=status)
    render_listing(rows, fmt, PROCESS_COLUMNS, limit=limit, all_=all_, empty=_("No processes."))


@process_app.command("show")
def process_show(process: ProcessArg, fmt: FormatOpt = Fmt.table) -> None:
    """A process and its tasks (which one is the decision).

    Example: yoolla process show 1
    """
    with context.acting() as (session, actor):
        card = processes.show(session=session, actor=actor, process_id=process)
    if fmt == Fmt.json:
        render_one(card, fmt)
        return
    render_one({k: v for k, v in card.items() if k != "tasks"}, fmt)
    render(card["tasks"], fmt, ["id", "title", "assignee", "status", "estimate_minutes", "decision"], title=_("Tasks"))


@process_app.command("start")
def process_start(
    deal: Annotated[str, typer.Argument(metavar="DEAL", help="Deal id.")],
    template: Annotated[str, typer.Argument(help="Template code or name (yoolla template list).")],
    gate: Annotated[Optional[bool], typer.Option("--gate/--no-gate", help="The deal waits at its stage until it ends (default: if it has a decision).", show_default=False)] = None,
) -> None:
    """Start a process on a deal by hand, at its current stage.

    Example: yoolla process start 12 complaint
    """
    with context.acting() as (session, actor):
        started = process_moves.start(session=session, actor=actor, deal_id=deal, template=template, gate=gate)
        done(_("Process {id} «{name}» started on deal {deal} (order {order}).").format(
            id=started.id, name=started.name, deal=started.deal_id, order=started.order_id))


@process_app.command("approve")
def process_approve(process: ProcessArg, note: Annotated[str, typer.Option("--note")] = "") -> None:
    """Approve a process with a decision (its decision task is done); the deal may move on.

    Example: yoolla process approve 1 --note "OK"
    """
    with context.acting() as (session, actor):
        approved = processes.approve(session=session, actor=actor, process_id=process, note=note)
        done(_("Process {id} «{name}»: {status}.").format(id=approved.id, name=approved.name, status=approved.status))


@process_app.command("reject")
def process_reject(process: ProcessArg, note: Annotated[str, typer.Option("--note", help="Why.")] = "") -> None:
    """Reject a process with a decision: its open tasks are cancelled and the deal goes back a
    stage or to lost, as the template says.

    Example: yoolla process reject 1 --note "Discount too big"
    """
    with context.acting() as (session, actor):
        result = process_moves.reject(session=session, actor=actor, process_id=process, note=note)
        done(_("Process {id} «{name}» rejected; deal {deal} is at {stage!r}.").format(
            id=result["process"].id, name=result["process"].name, deal=result["deal"].id, stage=result["stage"]))


def report_processes(
    template: Annotated[Optional[str], typer.Option("--template", help="One template (code or name).")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="running | done | approved | rejected | cancelled.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Started on or after this day (YYYY-MM-DD).")] = None,
    fmt: ReportFormatOpt = None,
    out: OutOpt = None,
) -> None:
    """How long each process took against its estimate: minutes worked on its tasks (timer),
    worked / estimate, and hours from start to end.

    Example: yoolla report processes --template approval --format csv
    """
    when = clock.at_local(clock.parse_day(since, option="--since"), time(0, 0)) if since else None
    with context.acting() as (session, actor):
        rows = process_report.processes(session=session, actor=actor, template=template, status=status, since=when)
    report([(_("Processes"), rows, REPORT_COLUMNS)], fmt, out, rows, what=_("processes report"))


def register(app: typer.Typer) -> None:
    app.add_typer(process_app, name="process")


# `stage trigger …` and `report processes` join their groups when this module loads (the root
# loads it with `stage` and `report`, cli/__init__.py).
stage_app.add_typer(trigger_app, name="trigger")
report_app.command("processes")(report_processes)
