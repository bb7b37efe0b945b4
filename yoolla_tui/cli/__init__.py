"""The `yoolla` command: parse, call core, render. One module per command group."""

from __future__ import annotations

from yoolla_tui.cli import _startup

from typing import Annotated, Optional

import typer

from yoolla_tui import __version__

from yoolla_tui.cli.context import YoollaGroup, state

app = typer.Typer(
    cls=YoollaGroup,
    name="yoolla",
    help="Weekly call campaigns in the terminal: import lists, call, move deals through the funnel, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"yoolla {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[Optional[str], typer.Option("--db", envvar="YOOLLA_DB", show_envvar=True,
                                              help="Database URL: sqlite:///path.sqlite or postgresql+psycopg://user:pass@host/db. Default: a SQLite file in your user data directory.")] = None,
    user: Annotated[Optional[str], typer.Option("--user", "-u", envvar="YOOLLA_USER", show_envvar=True,
                                                help="Login of the person acting (permissions and the audit trail use it).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    """Yoolla: the weekly call campaign, from the shell.

    Times honour YOOLLA_NOW (ISO 8601) and YOOLLA_TZ; messages YOOLLA_LANG (en, ru).
    """
    st = state()
    st.db_url = db
    st.user = user


from yoolla_tui.cli import admin, campaigns, clients, deals, importing, reports, seats, users
from yoolla_tui.cli import orders, tasks
from yoolla_tui.cli import dashboard

admin.register(app)
app.add_typer(users.app, name="user")
app.add_typer(clients.app, name="client")
app.add_typer(importing.app, name="import")
app.add_typer(campaigns.app, name="campaign")
app.add_typer(deals.deal_app, name="deal")
app.add_typer(deals.call_app, name="call")
app.add_typer(reports.app, name="report")
app.add_typer(orders.app, name="order")
app.add_typer(tasks.app, name="task")
app.add_typer(orders.template_app, name="template")
app.add_typer(tasks.schedule_app, name="schedule")
app.command("inbox")(tasks.inbox)

from yoolla_tui.cli import documents, funnel

funnel.register(app)
documents.register(app, deals.deal_app)

from yoolla_tui.cli import automation

automation.register(app)
seats.register(app)
dashboard.register(app)
