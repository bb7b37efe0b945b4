"""The `yoolla` command: parse, call core, render. One module per command group."""

from __future__ import annotations

from yoolla_tui.cli import _startup

import os
from typing import Annotated, Optional

import typer

from yoolla_tui import __version__

from yoolla_tui.cli import _help
from yoolla_tui.cli.context import YoollaGroup, state

_help.install()  # `--user LOGIN`, not `--user <str>` (cli/_help.py)

app = typer.Typer(
    cls=YoollaGroup,
    name="yoolla",
    help="Weekly call campaigns in the terminal: import lists, call, move deals through the funnel, report.\n\n"
         "Example: yoolla deal list --due today",
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion (README: Install)
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

if "_YOOLLA_COMPLETE" in os.environ:  # shell completion: `_YOOLLA_COMPLETE=source_bash yoolla` prints the script
    from typer._completion_classes import completion_init

    completion_init()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"yoolla {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
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
    # `yoolla demo` builds its own database unless --db names one on its command line: an
    # exported YOOLLA_DB is the user's real database, which the demo never touches.
    source = ctx.get_parameter_source("db")  # typer's own click: compare the name
    st.db_given = db is not None and getattr(source, "name", "") != "ENVIRONMENT"


# Every top-level command, loaded only when it runs or shows its own help (cli/_lazy.py): the
# loader imports the module(s) defining it and registers it as it always was; the summary line is
# what `yoolla --help` prints (tests/cli/test_startup.py checks it against the loaded command).
# `yoolla --help` lists them in STORY_ORDER (cli/context.py).


def _admin(app: typer.Typer) -> None:
    from yoolla_tui.cli import admin, seats  # seats adds `db backup/restore/check`, `next`, `audit`

    admin.register(app)
    seats.register(app)


def _group(module: str, attribute: str, name: str, *also: str):
    def load(app: typer.Typer) -> None:
        import importlib

        for extra in also:  # modules that add commands to this group (`report lost` is in funnel.py)
            importlib.import_module(f"yoolla_tui.cli.{extra}")
        app.add_typer(getattr(importlib.import_module(f"yoolla_tui.cli.{module}"), attribute), name=name)
    return load


def _funnel(app: typer.Typer) -> None:
    from yoolla_tui.cli import automation, funnel  # automation adds `stage trigger` (issue 27)

    funnel.register(app)


def _process(app: typer.Typer) -> None:
    from yoolla_tui.cli import automation

    automation.register(app)


def _inbox(app: typer.Typer) -> None:
    from yoolla_tui.cli import tasks

    app.command("inbox")(tasks.inbox)


def _dashboard(app: typer.Typer) -> None:
    from yoolla_tui.cli import dashboard

    dashboard.register(app)


YoollaGroup.lazy = {
    "init": (_admin, "Create the database (or upgrade it), load the default pipeline and lost reasons, and make the first admin."),
    "db": (_admin, "The database: upgrade its schema, see where it stands, back it up, restore a backup, check it."),
    "demo": (_admin, "Build a demo database: a real-looking client list, three managers (anna, boris, vera), this week's "
                     "seminar campaign with the week so far already called; then show the week."),
    "user": (_group("users", "app", "user"), "Users and roles: admin, supervisor, manager, executor."),
    "client": (_group("clients", "app", "client"), "Clients: add, find, see a client's card and history, do-not-call."),
    "import": (_group("importing", "app", "import"), "Import a call list from the spreadsheet you have, or manage past imports."),
    "campaign": (_group("campaigns", "app", "campaign"), "Weekly campaigns: create, add clients, assign, move, roll over, close."),
    "deal": (_group("deals", "deal_app", "deal", "funnel", "documents"), "Deals: the call list, a deal's card, stage moves, invoices and payments."),
    "call": (_group("deals", "call_app", "call"), "Log a call and its outcome."),
    "report": (_group("reports", "app", "report", "funnel", "tasks", "automation"), "Reports for the administrator and cron."),
    "order": (_group("orders", "app", "order"), "Orders: units of work inside a deal, with their tasks and ready dates."),
    "task": (_group("tasks", "app", "task"), "Tasks: add, depend, work your queue, run the timer, see why a date is what it is."),
    "template": (_group("orders", "template_app", "template"), "Process templates: task chains that lay out an order in one step."),
    "schedule": (_group("tasks", "schedule_app", "schedule"), "Work schedules: hours per weekday, leaves; public holidays come from the calendar."),
    "inbox": (_inbox, "Your notifications, newest first: tasks that became ready to start when what they waited on was done. "
                      "A table shows a page of 200 and says what it left out; --all-rows shows every one (--all keeps its "
                      "meaning: include notifications already read)."),
    "document": (_group("documents", "document_app", "document"), "Documents made for deals: list them, mail one again."),
    "company": (_group("documents", "company_app", "company"), "The seller's requisites printed on proposals, invoices and contracts."),
    "mail": (_group("documents", "mail_app", "mail"), "The SMTP server documents are mailed through."),
    "process": (_process, "Processes on deals (approval, complaint review, assignment): start, approve, reject."),
    "stage": (_funnel, "The funnel's stages: order, kind, follow-up delay, time budget, required fields."),
    "lost-reason": (_funnel, "Lost reasons: why a deal was lost; final ones keep the client off later campaigns."),
    "checkpoint": (_funnel, "Checkpoints on deals (planned and actual dates); types may gate a stage."),
    "health": (_funnel, "Deal health: your open deals, red when a checkpoint or the close date is overdue, green when all "
                        "checkpoints are on plan, white when a deal has none; the nearest checkpoint and the time left to it, "
                        "payments against the invoice, the planned close date."),
    "next": (_admin, "Your next due contact: a pool contact you hold, your own due deals and call-backs, then the shared "
                     "pool's next due contact, reserved for you (10 minutes by default) until you log the call."),
    "audit": (_admin, "The audit trail, oldest first: who changed what, when (local time), from which value to which."),
    "dashboard": (_dashboard, "Open the dashboard: today's counters and call queue; Enter opens a deal, keys 1–6 log the "
                              "outcome and the next due deal opens. `?` lists the keys, ctrl+p the commands, q quits."),
}
