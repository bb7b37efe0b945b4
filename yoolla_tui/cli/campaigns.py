"""`yoolla campaign …`: the weekly campaign from creation to rollover."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

campaigns = module("yoolla_tui.core.calls.campaigns")
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.output import (AllOpt, FormatOpt, Fmt, LimitOpt, console, count_of, done, err_console, file_format, render,
                                   render_listing, render_one, wrote)

app = typer.Typer(help="Weekly campaigns: create, add clients, assign, move, roll over, close.\n\nExample: yoolla campaign list", no_args_is_help=True)

CampaignArg = Annotated[str, typer.Argument(metavar="CAMPAIGN", help="Campaign name or id.")]
CAMPAIGN_COLUMNS = ["id", "name", "week", "status", "owner", "pipeline", "rolled_from", "deals", "open_deals"]


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A name people recognise, e.g. 'Seminar 2026-W48'.")],
    week: Annotated[str, typer.Option("--week", help="ISO week, e.g. 2026-W48.")],
    pipeline: Annotated[str, typer.Option("--pipeline", help="Pipeline code.")] = "seminar",
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Create an empty campaign for a week (admins and supervisors).

    Example: yoolla campaign create "Seminar 2026-W48" --week 2026-W48
    """
    with context.acting() as (session, actor):
        campaign = campaigns.create(session=session, actor=actor, name=name, week=week, pipeline=pipeline)
        row = campaigns.public(session, campaign)
    if fmt == Fmt.json:
        render_one(row, fmt)
    else:
        done(_("Campaign {id} {name!r} created for {week}.").format(id=row["id"], name=row["name"], week=row["week"]))


@app.command("list")
def list_(
    status: Annotated[Optional[str], typer.Option("--status", help="open or closed.")] = None,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """List campaigns, newest week first.

    Example: yoolla campaign list --status open
    """
    with context.reading_as() as (session, actor):
        render_listing(campaigns.list_campaigns(session=session, actor=actor, status=status), fmt, CAMPAIGN_COLUMNS,
                       limit=limit, all_=all_, empty=_("No campaigns yet: yoolla campaign create NAME --week 2026-W48"))


@app.command("show")
def show(campaign: CampaignArg, fmt: FormatOpt = Fmt.table) -> None:
    """The campaign: totals, the funnel by stage, and each manager's deals and not-yet-called.

    Example: yoolla campaign show 1
    """
    with context.reading_as() as (session, actor):
        card = campaigns.summary(session=session, actor=actor, ref=campaign)
    if fmt == Fmt.json:
        render_one(card, fmt)
        return
    render_one(card, fmt)
    if fmt == Fmt.table:
        console.print()
    render(card["funnel"], fmt, ["stage", "name", "deals"], title=_("Funnel"))
    if fmt == Fmt.table:
        console.print()
    render(card["managers"], fmt, ["manager", "deals", "open", "not_called"], title=_("Managers"))


@app.command("close")
def close(campaign: CampaignArg) -> None:
    """Close a campaign: nothing more is added. Its open deals stay open and callable.

    Example: yoolla campaign close 1
    """
    with context.acting() as (session, actor):
        closed = campaigns.close(session=session, actor=actor, ref=campaign)
        done(_("Campaign {name!r} closed.").format(name=closed.name))


@app.command("add")
def add(
    campaign: CampaignArg,
    clients: Annotated[str, typer.Option("--clients", help="'all', or a search (name, city, phone digits…).")] = "all",
    manager: Annotated[Optional[str], typer.Option("--manager", help="Give them straight to this manager (e.g. mid-week).")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Put clients on the campaign's list. Do-not-call clients and those already on it are skipped.

    Examples: yoolla campaign add "Seminar 2026-W48" --clients all
              yoolla campaign add "Seminar 2026-W48" --clients Казань --manager boris
    """
    with context.acting() as (session, actor):
        result = campaigns.add_clients(session=session, actor=actor, ref=campaign, clients=clients, manager=manager)
    if fmt == Fmt.json:
        render_one(result, fmt)
    else:
        done(_("{added} client(s) added to {campaign!r}; skipped: {dnc} do-not-call, {already} already on it.").format(
            added=result["added"], campaign=result["campaign"], dnc=result["skipped_do_not_call"],
            already=result["already_on_campaign"]))


@app.command("assign")
def assign(
    campaign: CampaignArg,
    managers: Annotated[str, typer.Option("--managers", help="Comma-separated logins: anna,boris,vera.")],
    strategy: Annotated[str, typer.Option("--strategy", help="balanced | round-robin | keep (previous week's owner).")] = "balanced",
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Give the campaign's unassigned deals to managers.

    Example: yoolla campaign assign "Seminar 2026-W48" --managers anna,boris --strategy balanced
    """
    logins = [part.strip() for part in managers.split(",") if part.strip()]
    with context.acting() as (session, actor):
        result = campaigns.assign(session=session, actor=actor, ref=campaign, managers=logins, strategy=strategy)
    if fmt == Fmt.json:
        render_one(result, fmt)
    else:
        render([{"manager": k, "assigned": v} for k, v in result["assigned"].items()], fmt, ["manager", "assigned"],
               title=_("{total} deal(s) assigned ({strategy})").format(total=result["total"], strategy=result["strategy"]))


@app.command("move")
def move(
    deals: Annotated[list[int], typer.Argument(metavar="DEAL", help="Deal ids.")],
    to: Annotated[str, typer.Option("--to", metavar="LOGIN", help="Login of the new owner.")],
) -> None:
    """Move deals to another manager; a pending call-back goes with them.

    Example: yoolla campaign move 259 262 --to boris
    """
    with context.acting() as (session, actor):
        moved = campaigns.move(session=session, actor=actor, deal_ids=deals, to=to)
        done(_("{n} deal(s) moved to {to}.").format(n=len(moved), to=to))


@app.command("rollover")
def rollover(
    campaign: CampaignArg,
    week: Annotated[str, typer.Option("--week", help="The new ISO week, e.g. 2026-W49.")],
    name: Annotated[Optional[str], typer.Option("--name", help="Name of the new campaign (default: the old name with the new week).")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Next week's campaign from this one: same clients and owners, without do-not-call clients
    and deals lost for a final reason. Contacts not reached are carried over, still owed.

    Example: yoolla campaign rollover "Seminar 2026-W48" --week 2026-W49
    """
    with context.acting() as (session, actor):
        result = campaigns.rollover(session=session, actor=actor, ref=campaign, week=week, name=name)
    if fmt == Fmt.json:
        render_one(result, fmt)
    else:
        done(_("Campaign {id} {name!r} ({week}): {deals} deal(s), {carried} carried over; skipped {dnc} do-not-call, "
               "{final} lost for good.").format(id=result["id"], name=result["campaign"], week=result["week"],
                                                deals=result["deals"], carried=result["carried_over"],
                                                dnc=result["skipped_do_not_call"], final=result["skipped_lost_for_good"]))


@app.command("export")
def export(
    campaign: CampaignArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="The .xlsx to write.")],
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Write the campaign as the familiar workbook: a sheet per manager and a Totals sheet
    ("Итоги") with the funnel and its chart. It reads back with `yoolla import FILE --sheets-as-managers`.

    Example: yoolla campaign export "Seminar 2026-W48" --out week48.xlsx
    """
    from yoolla_tui.core.reports.workbook import export_campaign, record_export

    file_format(None, out, formats=["xlsx"], default="xlsx")  # w.csv is refused: the file is a workbook
    with context.reading_as() as (session, actor), _progress() as (tick, total):
        result = export_campaign(session=session, actor=actor, ref=campaign, path=out, progress=tick, on_total=total)
    with context.acting() as (session, actor):
        record_export(session=session, actor=actor, result=result)
    result.pop("campaign_id")
    wrote(out, _("campaign {name!r}, {deals} deals").format(name=result["campaign"], deals=result["deals"]),
          count_of(len(result["sheets"]), _("1 sheet"), _("{n} sheets")))
    if fmt == Fmt.json:
        render_one(result, fmt)


@contextmanager
def _progress():
    """A rich progress bar on stderr when it is a terminal; nothing on a pipe."""
    if not sys.stderr.isatty():
        yield None, None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(_("exporting")), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err_console,
                   transient=True)
    task = bar.add_task("", total=None)
    with bar:
        yield (lambda n: bar.advance(task, n)), (lambda n: bar.update(task, total=n))
