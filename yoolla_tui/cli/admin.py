"""Set-up commands: init, db upgrade/status, demo."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

db = module("yoolla_tui.core.kernel.db")
reference = module("yoolla_tui.core.kernel.reference")
demo_core = module("yoolla_tui.core.maintenance.demo")
users = module("yoolla_tui.core.people.users")
identity = module("yoolla_tui.core.people.identity")
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.paths import demo_db_url

from yoolla_tui.cli import context
from yoolla_tui.cli.output import Fmt, console, done, render

db_app = typer.Typer(help="The database: upgrade its schema, see where it stands, back it up, restore a backup, check it.\n\n"
                          "Example: yoolla db backup yoolla-backup.sqlite", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(db_app, name="db")
    app.command("demo")(demo)


def init(
    admin: Annotated[Optional[str], typer.Option("--admin", help="Login of the first administrator (needed once, on an empty database).")] = None,
    name: Annotated[str, typer.Option("--name", help="The administrator's full name.")] = "",
    os_login: Annotated[Optional[str], typer.Option("--os-login", help="The first admin's login on this machine (default: whoever runs init).")] = None,
    db_role: Annotated[Optional[str], typer.Option("--db-role", help="The first admin's PostgreSQL role (default: the role init connects as).")] = None,
) -> None:
    """Create the database (or upgrade it), load the default pipeline and lost reasons,
    and make the first admin.

    The first admin is the person running init (their OS login on SQLite, their database role
    on PostgreSQL) unless --os-login / --db-role say otherwise.

    Example: yoolla init --admin irina --name "Ирина Орлова"
    """
    first_admin = _("a new database needs its first admin: yoolla init --admin LOGIN")
    if not admin and not db.database_exists(context.state().url):
        raise BadInput(first_admin)  # and nothing is created
    engine = context.open_engine(create=True)
    if not admin and db.current_revision(engine) is None:
        raise BadInput(first_admin)
    before, after = _upgrade(engine, _("upgrade the database"))
    with db.session_scope(engine) as session:
        reference.load_defaults(session)
        if not admin and users.count(session) == 0:
            raise BadInput(_("no users yet: run `yoolla init --admin LOGIN` to create the first admin"))
        if admin:
            user = identity.first_admin(session=session, login=admin, full_name=name, os_login_name=os_login, db_role=db_role)
            kind, _name = identity.whoami(session)
            done(_("Admin {login} created for {who}: your commands act as {login}; an admin may act as "
                   "someone else with --user LOGIN.").format(
                login=user.login, who=(_("database role {name}").format(name=user.db_role) if kind == "db"
                                       else _("OS login {name}").format(name=user.os_login))))
    state = _("created") if before is None else (_("upgraded") if before != after else _("already up to date"))
    done(_("Database {url}: {state} (schema {rev}).").format(url=db.safe_url(engine), state=state, rev=after))


@db_app.command("upgrade")
def upgrade() -> None:
    """Upgrade the database schema to this version of Yoolla (safe to run twice).

    Example: yoolla db upgrade
    """
    engine = context.open_engine()
    before, after = _upgrade(engine, _("upgrade the database"))
    done(_("Schema {before} → {after}.").format(before=before or _("empty"), after=after))


def _upgrade(engine, action: str) -> tuple[str | None, str]:
    """Upgrade the schema as an admin (nobody to ask on a database without users); an upgrade
    that changed the schema is recorded in the audit trail."""
    who = identity.require_known(engine, claimed=context.state().user, command=context.command(), admin_action=action)
    before, after = db.upgrade(engine)
    if who is not None and who.get("legacy"):
        mapped = identity.map_after_legacy_upgrade(engine, who["login"])
        if mapped:
            done(_("{login} is now {name} (the identity that ran this upgrade); map the others with "
                   "`yoolla user map LOGIN --os-login NAME`.").format(login=who["login"], name=mapped))
    if who is not None and before != after:
        identity.record_db_event(engine, who, "db.upgrade", before=before, after=after)
    return before, after


@db_app.command("status")
def status() -> None:
    """Show the database URL and whether its schema is current.

    Example: yoolla db status
    """
    engine = context.open_engine()
    identity.require_known(engine, claimed=context.state().user, command=context.command())
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
    database alone (an exported YOOLLA_DB is ignored here). It prints the two lines that point other commands at it, then (on a
    terminal, unless --no-dashboard) opens the dashboard as the demo's manager anna.

    Example: yoolla demo --no-dashboard
    """
    st = context.state()
    url = db.normalise_url(st.db_url) if st.db_url and st.db_given else demo_db_url()
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
