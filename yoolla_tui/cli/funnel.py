"""`yoolla stage …`, `yoolla lost-reason …`, `yoolla checkpoint …`, `yoolla health`, `yoolla deal
set`, `yoolla report lost|checkpoints`: the funnel's settings, checkpoints and deal health."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

checkpoints = module("yoolla_tui.core.funnel.checkpoints")
health_core = module("yoolla_tui.core.funnel.health")
stages = module("yoolla_tui.core.funnel.stages")
from yoolla_tui.core.kernel import clock
reference = module("yoolla_tui.core.kernel.reference")
funnel_reports = module("yoolla_tui.core.reports.execution")
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.deals import DealArg, deal_app
from yoolla_tui.cli.output import (AllOpt, FormatOpt, Fmt, LimitOpt, OutOpt, ReportFormatOpt, console, done, render, render_listing,
                                   render_one, report)
from yoolla_tui.cli.reports import app as report_app

stage_app = typer.Typer(help="The funnel's stages: order, kind, follow-up delay, time budget, required fields.\n\nExample: yoolla stage list",
                        no_args_is_help=True)
reason_app = typer.Typer(help="Lost reasons: why a deal was lost; final ones keep the client off later campaigns.\n\nExample: yoolla lost-reason list",
                         no_args_is_help=True)
checkpoint_app = typer.Typer(help="Checkpoints on deals (planned and actual dates); types may gate a stage.\n\nExample: yoolla checkpoint list 253",
                             no_args_is_help=True)
type_app = typer.Typer(help="Checkpoint types: their names, the stage they gate, who may mark them done.\n\nExample: yoolla checkpoint type list",
                       no_args_is_help=True)
checkpoint_app.add_typer(type_app, name="type")

DEFAULT_PIPELINE = "seminar"  # = reference.DEFAULT_PIPELINE, spelled here so that --help imports no ORM
PipelineOpt = Annotated[str, typer.Option("--pipeline", "-p", help="Pipeline code.")]
STAGE_COLUMNS = ["position", "code", "name", "kind", "followup_days", "time_budget_days", "required_fields",
                 "close_tasks", "requires_document", "deals"]


def _days(text: Optional[str], option: str):
    """'3' -> 3, 'none' -> None (clears it); not given -> leave it as it is."""
    if text is None:
        return stages.UNSET
    if text.strip().lower() in ("none", "-", ""):
        return None
    try:
        return int(text)
    except ValueError:
        raise BadInput(_("{option} takes a number of business days or none, not {value!r}").format(option=option, value=text))


# ---- stages --------------------------------------------------------------------------------

@stage_app.command("list")
def stage_list(pipeline: PipelineOpt = DEFAULT_PIPELINE, limit: LimitOpt = None, all_: AllOpt = False,
               fmt: FormatOpt = Fmt.table) -> None:
    """The pipeline's stages in order, with their settings and how many open deals sit in each.

    Example: yoolla stage list --format json
    """
    with context.reading() as session:
        rows = stages.list_stages(session=session, pipeline=pipeline)
    render_listing(rows, fmt, STAGE_COLUMNS, limit=limit, all_=all_)


@stage_app.command("add")
def stage_add(
    code: Annotated[str, typer.Argument(help="Stage code: lower-case letters, digits, _.")],
    name: Annotated[str, typer.Option("--name", help="The name people see.")],
    after: Annotated[Optional[str], typer.Option("--after", metavar="STAGE", help="Put it after this stage (default: after the last open stage).")] = None,
    kind: Annotated[str, typer.Option("--kind", help="open | won | lost.")] = "open",
    followup_days: Annotated[Optional[int], typer.Option("--followup-days", help="Entering it schedules a call this many business days later.")] = None,
    budget_days: Annotated[Optional[int], typer.Option("--budget-days", help="Time budget: business days a deal may sit here before its light turns red.")] = None,
    requires: Annotated[str, typer.Option("--requires", help="Fields required to enter: invoice,payment,quality,lost_reason.")] = "",
    close_tasks: Annotated[bool, typer.Option("--close-tasks/--no-close-tasks", help="Close the deal's open tasks on entry.")] = False,
    pipeline: PipelineOpt = DEFAULT_PIPELINE,
) -> None:
    """Add a stage (admins).

    Example: yoolla stage add contract_signed --name "Contract signed" --after invoice_issued --budget-days 3
    """
    with context.acting() as (session, actor):
        stage = stages.add_stage(session=session, actor=actor, code=code, name=name, pipeline=pipeline, kind=kind, after=after,
                                 followup_days=followup_days, time_budget_days=budget_days, required=requires,
                                 close_tasks=close_tasks)
        done(_("Stage {code!r} added at position {position}.").format(code=stage.code, position=stage.position))


@stage_app.command("rename")
def stage_rename(
    code: Annotated[str, typer.Argument(help="Stage code.")],
    name: Annotated[str, typer.Option("--name", help="The new name people see.")],
    pipeline: PipelineOpt = DEFAULT_PIPELINE,
) -> None:
    """Give a stage a new name; its code stays (admins).

    Example: yoolla stage rename agreed --name "Said yes"
    """
    with context.acting() as (session, actor):
        stage = stages.rename_stage(session=session, actor=actor, code=code, name=name, pipeline=pipeline)
        done(_("Stage {code!r} is now called {name!r}.").format(code=stage.code, name=stage.name))


@stage_app.command("move")
def stage_move(
    code: Annotated[str, typer.Argument(help="Stage code.")],
    to: Annotated[int, typer.Option("--to", help="New position, 1 = first.")],
    pipeline: PipelineOpt = DEFAULT_PIPELINE,
) -> None:
    """Move a stage to another position; the others keep their order (admins).

    Example: yoolla stage move proposal_sent --to 2
    """
    with context.acting() as (session, actor):
        stage = stages.move_stage(session=session, actor=actor, code=code, position=to, pipeline=pipeline)
        done(_("Stage {code!r} is now at position {position}.").format(code=stage.code, position=stage.position))


@stage_app.command("remove")
def stage_remove(code: Annotated[str, typer.Argument(help="Stage code.")], pipeline: PipelineOpt = DEFAULT_PIPELINE) -> None:
    """Remove a stage no deal, call or checkpoint type uses (admins); refused with the count otherwise.

    Example: yoolla stage remove contract_signed
    """
    with context.acting() as (session, actor):
        stages.remove_stage(session=session, actor=actor, code=code, pipeline=pipeline)
        done(_("Stage {code!r} removed.").format(code=code))


@stage_app.command("set")
def stage_set(
    code: Annotated[str, typer.Argument(help="Stage code.")],
    kind: Annotated[Optional[str], typer.Option("--kind", help="open | won | lost (only while no deal sits in it).")] = None,
    followup_days: Annotated[Optional[str], typer.Option("--followup-days", help="Business days to the next call on entry, or none.")] = None,
    budget_days: Annotated[Optional[str], typer.Option("--budget-days", help="Time budget in business days, or none; open deals in the stage get the new deadline.")] = None,
    requires: Annotated[Optional[str], typer.Option("--requires", help="Fields required to enter: invoice,payment,quality,lost_reason (none: no gate).")] = None,
    close_tasks: Annotated[Optional[bool], typer.Option("--close-tasks/--no-close-tasks", help="Close the deal's open tasks on entry.", show_default=False)] = None,
    requires_document: Annotated[Optional[str], typer.Option("--requires-document", help="A document the deal must have to enter: proposal | invoice | contract | spec (none: no document gate).")] = None,
    sent: Annotated[Optional[bool], typer.Option("--sent/--made", help="With --requires-document: the document must have been mailed to the client (--sent) or only made (--made).", show_default=False)] = None,
    pipeline: PipelineOpt = DEFAULT_PIPELINE,
) -> None:
    """Change a stage's settings; only the options given change (admins). A new time budget
    recomputes the deadline, and so the traffic light, of every open deal in the stage.

    Example: yoolla stage set proposal_sent --budget-days 3 --followup-days 1 --requires none
    Example: yoolla stage set proposal_sent --requires-document proposal --sent
    """
    with context.acting() as (session, actor):
        result = stages.set_stage(session=session, actor=actor, code=code, pipeline=pipeline, kind=kind,
                                  followup_days=_days(followup_days, "--followup-days"),
                                  time_budget_days=_days(budget_days, "--budget-days"), required=requires,
                                  close_tasks=close_tasks, requires_document=requires_document,
                                  requires_sent=sent)
        done(_("Stage {code!r} updated; {count} open deal(s) got a new deadline.").format(
            code=result["stage"].code, count=result["recomputed"]))


# ---- lost reasons --------------------------------------------------------------------------

@reason_app.command("list")
def reason_list(limit: LimitOpt = None, all_: AllOpt = False, fmt: FormatOpt = Fmt.table) -> None:
    """The lost reasons to give with --reason (also `yoolla call reasons`).

    Example: yoolla lost-reason list --format csv
    """
    with context.reading() as session:
        render_listing(reference.list_lost_reasons(session), fmt, ["code", "name", "final", "needs_note"], limit=limit,
                       all_=all_)


@reason_app.command("add")
def reason_add(
    code: Annotated[str, typer.Argument(help="Reason code: lower-case letters, digits, _.")],
    name: Annotated[str, typer.Option("--name", help="The name people see.")],
    final: Annotated[bool, typer.Option("--final", help="The client is not rolled into later campaigns.")] = False,
    needs_note: Annotated[bool, typer.Option("--needs-note", help="Losing a deal for this reason needs a note.")] = False,
) -> None:
    """Add a lost reason (admins).

    Example: yoolla lost-reason add moved_away --name "Moved to another city" --final
    """
    with context.acting() as (session, actor):
        reason = stages.add_lost_reason(session=session, actor=actor, code=code, name=name, final=final, needs_note=needs_note)
        done(_("Lost reason {code!r} added.").format(code=reason.code))


@reason_app.command("remove")
def reason_remove(code: Annotated[str, typer.Argument(help="Reason code.")]) -> None:
    """Stop offering a lost reason (admins); deals lost for it keep it.

    Example: yoolla lost-reason remove bad_timing
    """
    with context.acting() as (session, actor):
        stages.remove_lost_reason(session=session, actor=actor, code=code)
        done(_("Lost reason {code!r} removed.").format(code=code))


# ---- checkpoints ---------------------------------------------------------------------------

@type_app.command("add")
def type_add(
    name: Annotated[str, typer.Argument(help="The checkpoint's name, e.g. Design.")],
    stage: Annotated[Optional[str], typer.Option("--stage", help="Gate: a deal cannot move past this stage until its checkpoint of this type is done.")] = None,
    roles: Annotated[Optional[str], typer.Option("--roles", help="Roles that may mark it done: admin,supervisor,manager,executor.")] = None,
    users: Annotated[Optional[str], typer.Option("--users", help="Logins that may mark it done.")] = None,
    pipeline: PipelineOpt = DEFAULT_PIPELINE,
) -> None:
    """Define a checkpoint type (admins). Bound to a stage, it gates moves past that stage for
    deals that have a checkpoint of this type planned (a deal with none planned is not held).
    With neither --roles nor --users, the deal's manager, their supervisor and admins mark it.

    Example: yoolla checkpoint type add Testing --stage paid --roles executor --users sasha
    """
    with context.acting() as (session, actor):
        kind = checkpoints.add_type(session=session, actor=actor, name=name, stage=stage, roles=roles, users_=users,
                                    pipeline=pipeline)
        done(_("Checkpoint type {name!r} added (id {id}).").format(name=kind.name, id=kind.id))


@type_app.command("set")
def type_set(
    name: Annotated[str, typer.Argument(help="The checkpoint type's name.")],
    stage: Annotated[Optional[str], typer.Option("--stage", help="Bind it to this stage as a gate; none unbinds it.")] = None,
    roles: Annotated[Optional[str], typer.Option("--roles", help="Roles that may mark it done (replaces the list; none clears it).")] = None,
    users: Annotated[Optional[str], typer.Option("--users", help="Logins that may mark it done (replaces the list; none clears it).")] = None,
    pipeline: PipelineOpt = DEFAULT_PIPELINE,
) -> None:
    """Change a checkpoint type (admins): the stage it gates, who may mark it done.

    Example: yoolla checkpoint type set Testing --stage none --roles executor,supervisor
    """
    with context.acting() as (session, actor):
        kind = checkpoints.edit_type(session=session, actor=actor, name=name, stage=stage, roles=roles, users_=users,
                                     pipeline=pipeline)
        done(_("Checkpoint type {name!r} updated.").format(name=kind.name))


@type_app.command("list")
def type_list(limit: LimitOpt = None, all_: AllOpt = False, fmt: FormatOpt = Fmt.table) -> None:
    """The checkpoint types: the stage each gates and who may mark it done.

    Example: yoolla checkpoint type list
    """
    with context.reading() as session:
        render_listing(checkpoints.list_types(session=session), fmt, ["id", "name", "stage", "roles", "users"],
                       limit=limit, all_=all_, empty=_("No checkpoint types yet: yoolla checkpoint type add NAME"))


@checkpoint_app.command("set")
def checkpoint_set(
    deal: DealArg,
    type_name: Annotated[str, typer.Argument(metavar="TYPE", help="Checkpoint type name.")],
    due: Annotated[str, typer.Option("--due", help="Planned date: 2026-11-27, '2026-11-27 18:00', +3d, tomorrow 10:00.")],
) -> None:
    """Plan (or re-plan) a checkpoint on a deal: its manager, their supervisor and admins may.

    Example: yoolla checkpoint set 12 Design --due 2026-11-27
    """
    with context.acting() as (session, actor):
        checkpoint = checkpoints.plan(session=session, actor=actor, deal_id=deal, type_name=type_name, due=clock.parse_when(due))
        done(_("Checkpoint {id} on deal {deal}: due {due}.").format(id=checkpoint.id, deal=checkpoint.deal_id,
                                                                    due=clock.show(checkpoint.due_at)))


@checkpoint_app.command("done")
def checkpoint_done(
    checkpoint_id: Annotated[str, typer.Argument(metavar="ID", help="Checkpoint id (yoolla checkpoint list DEAL).")],
    at: Annotated[Optional[str], typer.Option("--at", help="When it was done (default now).")] = None,
) -> None:
    """Mark a checkpoint done: only the roles and users its type names (and admins).

    Example: yoolla checkpoint done 3 --at "2026-11-26 17:00"
    """
    with context.acting() as (session, actor):
        checkpoint = checkpoints.mark_done(session=session, actor=actor, checkpoint_id=checkpoint_id,
                                           at=clock.parse_when(at) if at else None)
        done(_("Checkpoint {id} done at {when}.").format(id=checkpoint.id, when=clock.show(checkpoint.done_at)))


@checkpoint_app.command("list")
def checkpoint_list(deal: DealArg, limit: LimitOpt = None, all_: AllOpt = False, fmt: FormatOpt = Fmt.table) -> None:
    """A deal's checkpoints by planned date: on_plan, overdue, done or done_late, and who marked it.

    Example: yoolla checkpoint list 12 --format json
    """
    with context.reading_as() as (session, actor):
        rows = checkpoints.checkpoint_listing(session=session, actor=actor, deal_id=deal)
        render_listing(rows, fmt, ["id", "type", "stage", "due_at", "done_at", "done_by", "state", "late_minutes"],
                       limit=limit, all_=all_, empty=_("No checkpoints on this deal."))


# ---- health, deal set ----------------------------------------------------------------------

HEALTH_COLUMNS = ["health", "deal_id", "client", "stage", "light", "checkpoints", "nearest", "invoice", "paid", "close_by"]


def health(
    manager: Annotated[Optional[str], typer.Option("--manager", "-m", help="Whose deals, a login (default: yours); supervisors see their team's.")] = None,
    deal: Annotated[Optional[str], typer.Option("--deal", help="One deal in detail: its checkpoints and payments.")] = None,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = Fmt.table,
    old_user: Annotated[Optional[str], typer.Option("--user", hidden=True)] = None,
) -> None:
    """Deal health: your open deals, red when a checkpoint or the close date is overdue, green
    when all checkpoints are on plan, white when a deal has none; the nearest checkpoint and the
    time left to it, payments against the invoice, the planned close date.

    Example: yoolla health --manager anna --format json
    """
    context.renamed_user(old_user, command="health", new="--manager", meaning=_("whose deals"))
    with context.reading_as() as (session, actor):
        if deal:
            card = health_core.detail(session=session, actor=actor, deal_id=deal)
        else:
            rows = health_core.list_health(session=session, actor=actor, user=manager)
    if deal:
        render_one(card, fmt)
        if fmt != Fmt.json:
            console.print()
            render(card["checkpoints_list"], fmt, ["id", "type", "due_at", "done_at", "done_by", "state"],
                   title=_("Checkpoints"), empty=_("No checkpoints on this deal."))
        return
    # the colours and the time left are worked out per deal and sorted in core: a list, counted as such
    render_listing(rows, fmt, HEALTH_COLUMNS, limit=limit, all_=all_, empty=_("No open deals."))


@deal_app.command("set")
def deal_set(
    deal: DealArg,
    close_by: Annotated[str, typer.Option("--close-by", help="Planned close date (YYYY-MM-DD, +10d), or none to clear it.")],
) -> None:
    """Plan when the deal should be closed; past it, the deal shows red in `yoolla health`.

    Example: yoolla deal set 12 --close-by 2026-12-04
    """
    when = None if close_by.strip().lower() == "none" else health_core.parse_date(close_by)
    with context.acting() as (session, actor):
        changed = health_core.set_close_by(session=session, actor=actor, deal_id=deal, close_by=when)
        done(_("Deal {id}: close by {date}.").format(id=changed.id, date=changed.close_by.isoformat() if changed.close_by else _("none")))


# ---- reports -------------------------------------------------------------------------------

@report_app.command("lost")
def report_lost(
    campaign: Annotated[Optional[str], typer.Option("--campaign", "-c", help="One campaign.")] = None,
    manager: Annotated[Optional[str], typer.Option("--manager", "-m", help="One manager's deals.")] = None,
    fmt: ReportFormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Lost deals by the stage they had reached and by reason: count and share (percent).

    Example: yoolla report lost --campaign "Seminar 2026-W48" --format csv
    """
    with context.reading_as() as (session, actor):
        rows = funnel_reports.lost(session=session, actor=actor, campaign=campaign, manager=manager)
    report([(_("Lost deals"), rows, ["by", "code", "name", "count", "share"])], fmt, out, rows, what=_("lost deals report"))


@report_app.command("checkpoints")
def report_checkpoints(
    campaign: Annotated[Optional[str], typer.Option("--campaign", "-c", help="One campaign.")] = None,
    manager: Annotated[Optional[str], typer.Option("--manager", "-m", help="One manager's deals.")] = None,
    by: Annotated[str, typer.Option("--by", metavar="both|type|manager", help="both (type and manager) | type | manager.")] = "both",
    fmt: ReportFormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Where execution slipped: per checkpoint type and manager, planned, done on time, done
    late, still overdue, on plan, and the mean delay (days) of those done late.

    Example: yoolla report checkpoints --by type
    """
    with context.reading_as() as (session, actor):
        rows = funnel_reports.checkpoint_report(session=session, actor=actor, campaign=campaign, manager=manager, by=by)
    columns = ([] if by == "manager" else ["type"]) + ([] if by == "type" else ["manager"]) + [
        "planned", "done_on_time", "done_late", "overdue", "on_plan", "mean_delay_days"]
    report([(_("Checkpoints"), rows, columns)], fmt, out, rows, what=_("checkpoints report"))


def register(app: typer.Typer) -> None:
    app.add_typer(stage_app, name="stage")
    app.add_typer(reason_app, name="lost-reason")
    app.add_typer(checkpoint_app, name="checkpoint")
    app.command("health")(health)
