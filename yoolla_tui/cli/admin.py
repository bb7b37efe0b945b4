"""Set-up commands: init, db upgrade/status, demo."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

db = module("yoolla_tui.core.kernel.db")
reference = module("yoolla_tui.core.kernel.reference")
demo_core = module("yoolla_tui.core.maintenance.demo")
users = module("yoolla_tui.core.people.users")
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.paths import demo_db_url

from yoolla_tui.cli import context
from yoolla_tui.cli.output import Fmt, console, done, render

db_app = typer.Typer(help="The database schema: upgrade it, see where it stands.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(db_app, name="db")
    app.command("demo")(demo)


def init(
    admin: Annotated[Optional[str], typer.Option("--admin", help="Login of the first administrator (needed once, on an empty database).")] = None,
    name: Annotated[str, typer.Option("--name", help="The administrator's full name.")] = "",
) -> None:
    """Create the database (or upgrade it), load the default pipeline and lost reasons,
    and make the first admin.

    Example: yoolla init --admin irina --name "Ирина Орлова"
    """
    engine = db.get_engine(context.state().url)
    before, after = db.upgrade(engine)
    with db.session_scope(engine) as session:
        reference.load_defaults(session)
        if admin:
            user = users.bootstrap_admin(session=session, login=admin, full_name=name)
            done(_("Admin {login} created. Act as them with --user {login} or export YOOLLA_USER={login}").format(login=user.login))
        elif users.count(session) == 0:
            done(_("No users yet: run `yoolla init --admin LOGIN` to create the first admin."))
    state = _("created") if before is None else (_("upgraded") if before != after else _("already up to date"))
    done(_("Database {url}: {state} (schema {rev}).").format(url=db.safe_url(engine), state=state, rev=after))


@db_app.command("upgrade")
def upgrade() -> None:
    """Upgrade the database schema to this version of Yoolla (safe to run twice)."""
    engine = db.get_engine(context.state().url)
    before, after = db.upgrade(engine)
    done(_("Schema {before} → {after}.").format(before=before or _("empty"), after=after))


@db_app.command("status")
def status() -> None:
    """Show the database URL and whether its schema is current."""
    engine = db.get_engine(context.state().url)
    current, head = db.current_revision(engine), db.head_revision(engine)
    render([{"url": db.safe_url(engine), "schema": current or _("none"), "newest": head,
             "current": current == head}], Fmt.table)


def demo(
    clients: Annotated[int, typer.Option("--clients", min=10, max=100_000, help="How many clients the demo list has.")] = 300,
    keep: Annotated[bool, typer.Option("--keep", help="Keep an existing demo database instead of rebuilding it.")] = False,
    no_dashboard: Annotated[bool, typer.Option("--no-dashboard", help="Only print the summary; do not open the dashboard afterwards.")] = False,
) -> None:
    """Build a demo database: a real-looking client list, three managers (anna, boris, vera),
    this week's seminar campaign with the week so far already called; then show the week.

    Without --db it writes demo.sqlite in your user data directory and leaves your real
    database alone. It prints the two lines that point other commands at it, then (on a
    terminal, unless --no-dashboard) opens the dashboard as the demo's manager anna.

    Example: yoolla demo --no-dashboard
    """
    st = context.state()
    url = db.normalise_url(st.db_url) if st.db_url else demo_db_url()
    engine = db.get_engine(url)
    if not keep or db.current_revision(engine) is None:
        demo_core.reset(engine)
        db.upgrade(engine)
        summary = demo_core.build(engine, clients_count=clients, progress=lambda msg: console.print(f"[dim]… {msg}[/dim]"))
    else:
        summary = {"campaign": demo_core.newest_campaign(engine)}
    from yoolla_tui.core.calls import campaigns
    from yoolla_tui.core.reports import summary as reports

    with db.session_scope(engine) as session:
        admin = users.get_by_login(session, "admin")
        card = campaigns.summary(session=session, actor=admin, ref=summary["campaign"])
        console.print(f"\n[bold]{card['name']}[/bold] — {card['week']}, {card['deals']} deals, {card['open_deals']} open\n")
        render(card["funnel"], Fmt.table, ["stage", "name", "deals"], title=_("Funnel"))
        render(reports.daily(session=session, actor=admin), Fmt.table,
               ["manager", "deals", "calls", "reached", "not_called", "invoices", "payments", "paid"], title=_("Today"))
    console.print(_("\nTry it:\n  export YOOLLA_DB={url} YOOLLA_USER=anna\n  yoolla deal list --due today\n").format(url=url),
                  highlight=False)
    import sys

    if not no_dashboard and sys.stdout.isatty() and sys.stdin.isatty():
        from yoolla_tui.cli.dashboard import run

        run(url, demo_core.MANAGERS[0][0])
