"""`yoolla report …`: what the administrator watches, and what cron mails on Monday.

Every report takes --format table|md|csv|json|xlsx and --out FILE; the figures come from
core/reports.py (the dashboard shows the same numbers). Other modules register more reports
on `app` (`report lost`, `report checkpoints`, `report efficiency`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

reports = module("yoolla_tui.core.reports.summary")
clock = module("yoolla_tui.core.kernel.clock")
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.output import OutOpt, ReportFormatOpt, report

app = typer.Typer(help="Reports for the administrator and cron.\n\nExample: yoolla report weekly", no_args_is_help=True)

OUTCOME_COLUMNS = ["no_answer", "call_back", "interested", "refused", "do_not_call", "wrong_number"]
DAILY_COLUMNS = ["manager", "date", "deals", "calls", *OUTCOME_COLUMNS, "reached", "not_called", "invoices", "invoiced",
                 "payments", "paid", "overdue_callbacks", "carried_over"]
WEEK_COLUMNS = ["manager", "deals", "calls", *OUTCOME_COLUMNS, "reached", "not_called", "invoices", "invoiced",
                "payments", "paid", "won", "lost", "overdue_callbacks", "carried_over"]
FUNNEL_COLUMNS = ["stage", "name", "reached", "conversion"]
PLAN_COLUMNS = ["date", "calls_due", "callbacks"]
CampaignOpt = Annotated[Optional[str], typer.Option("--campaign", "-c", help="One campaign (name or id).")]
WeekOpt = Annotated[Optional[str], typer.Option("--week", "-w", help="ISO week, e.g. 2026-W48.")]


def _day(text: str | None) -> date | None:
    return clock.parse_day(text, option="--date") if text else None


def _ranking_columns(rows: list[dict]) -> list[str]:
    base = ["rank", "manager", "score", "deals", "calls", "reached", "invoices", "payments", "paid", "won", "lost"]
    return base + [k for k in (rows[0] if rows else {}) if k.startswith("conv_")]


@app.command("daily")
def daily(
    day: Annotated[Optional[str], typer.Option("--date", help="Day (YYYY-MM-DD); default today.")] = None,
    campaign: Annotated[Optional[str], typer.Option("--campaign", "-c", help="One campaign (default: all open).")] = None,
    fmt: ReportFormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Per manager for one day: calls made by outcome, deals reached, contacts not yet called,
    invoices issued, payments received, overdue call-backs, carried-over contacts; and the total.

    Example: yoolla report daily --date 2026-11-24 --format csv --out daily.csv
    """
    with context.reading_as() as (session, actor):
        rows = reports.daily(session=session, actor=actor, day=_day(day), campaign=campaign)
    report([(_("Daily report"), rows, DAILY_COLUMNS)], fmt, out, rows, what=_("daily report"))


@app.command("weekly")
def weekly(
    week: WeekOpt = None,
    campaign: CampaignOpt = None,
    fmt: ReportFormatOpt = None,
    out: OutOpt = None,
) -> None:
    """The week per manager and in total, the funnel, the calendar plan (calls due per day),
    managers ranked by score (reached + 3 x invoices + 5 x payments), the change on last week.

    Example: yoolla report weekly --week 2026-W48 --format md --out week48.md
    """
    with context.reading_as() as (session, actor):
        data = reports.weekly(session=session, actor=actor, week=week, campaign=campaign)
    change = [{"figure": k, "this_week": data["total"][k], "last_week": data["previous"][k], "change": v}
              for k, v in data["change"].items()]
    title = data["week"] if data["scope"] == data["week"] else f"{data['week']} ({data['scope']})"
    report([(_("Week {title}").format(title=title), data["managers"] + [data["total"]], WEEK_COLUMNS),
            (_("Funnel"), data["funnel"], FUNNEL_COLUMNS),
            (_("Calendar plan"), data["plan"], PLAN_COLUMNS),
            (_("Ranking"), data["ranking"], _ranking_columns(data["ranking"])),
            (_("Change against last week"), change, ["figure", "this_week", "last_week", "change"])], fmt, out, data,
           what=_("weekly report"))


@app.command("funnel")
def funnel(
    campaign: CampaignOpt = None,
    week: WeekOpt = None,
    fmt: ReportFormatOpt = None,
    out: OutOpt = None,
) -> None:
    """How many deals reached each stage, and the conversion (%) from the stage before.

    Example: yoolla report funnel --campaign "Seminar 2026-W48" --format md
    """
    with context.reading_as() as (session, actor):
        rows = reports.funnel(session=session, actor=actor, campaign=campaign, week=week)
    report([(_("Funnel"), rows, FUNNEL_COLUMNS)], fmt, out, rows, what=_("funnel report"))


@app.command("managers")
def managers(
    week: WeekOpt = None,
    campaign: CampaignOpt = None,
    fmt: ReportFormatOpt = None,
    out: OutOpt = None,
) -> None:
    """The managers compared: ranked by score (reached + 3 x invoices + 5 x payments), with
    each one's conversion per stage.

    Example: yoolla report managers --week 2026-W48 --format csv
    """
    with context.reading_as() as (session, actor):
        rows = reports.managers(session=session, actor=actor, week=week, campaign=campaign)
    report([(_("Managers compared"), rows, _ranking_columns(rows))], fmt, out, rows, what=_("managers report"))
