"""`yoolla report …`: what the administrator watches."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional

import typer

from yoolla_tui.core import reports
from yoolla_tui.core.errors import BadInput
from yoolla_tui.core.i18n import _

from . import context
from .output import FormatOpt, Fmt, render

app = typer.Typer(help="Reports for the administrator and cron.", no_args_is_help=True)


@app.command("daily")
def daily(
    day: Annotated[Optional[str], typer.Option("--date", help="Day (YYYY-MM-DD); default today.")] = None,
    campaign: Annotated[Optional[str], typer.Option("--campaign", "-c", help="One campaign (default: all open).")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Per manager for one day: calls made, deals reached, contacts not yet called, invoices
    issued, payments received."""
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        raise BadInput(_("bad --date {day!r}: expected YYYY-MM-DD").format(day=day))
    with context.acting() as (session, actor):
        rows = reports.daily(session=session, actor=actor, day=when, campaign=campaign)
    render(rows, fmt, ["manager", "date", "deals", "calls", "reached", "not_called", "invoices", "payments", "paid"],
           empty=_("No activity."))
