"""`yoolla dashboard`: the operator's Textual app (yoolla_tui/app.py) on the chosen database."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from yoolla_tui.cli import context
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)


def dashboard(
    user: Annotated[Optional[str], typer.Option("--user", "-u", help="Work as this login (default: the global --user / YOOLLA_USER).")] = None,
) -> None:
    """Open the dashboard: today's counters and call queue; Enter opens a deal, keys 1–6 log the
    outcome and the next due deal opens. `?` lists the keys, ctrl+p the commands, q quits.

    Example: yoolla --user anna dashboard
    """
    import sys

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # Without a terminal Textual would draw into the pipe and wait for keys that never come.
        raise BadInput(_("the dashboard needs a terminal (standard input and output are not one); "
                         "in a script use the commands, e.g. yoolla deal list --due today"))
    run(context.state().url, user or context.state().user)


def run(url: str, user: str | None) -> None:
    from yoolla_tui.app import make_app

    app = make_app(db_url=url, user=user)
    app.run()
    if app.return_code:  # stopped on purpose (the database file was replaced): the message is printed
        raise typer.Exit(app.return_code)
