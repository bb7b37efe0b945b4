"""Many operators on one database: `yoolla next` (the shared pool), `yoolla audit`, and
`yoolla db backup|restore|check`."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

audit_core = module("yoolla_tui.core.reports.audit_trail")
db = module("yoolla_tui.core.kernel.db")
maintenance = module("yoolla_tui.core.maintenance.backup")
pool = module("yoolla_tui.core.calls.pool")
identity = module("yoolla_tui.core.people.identity")
from yoolla_tui.core.kernel.errors import YoollaError
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.admin import db_app
from yoolla_tui.cli.output import AllOpt, FormatOpt, Fmt, LimitOpt, done, err_console, render, render_listing, render_one

NEXT_FIELDS = ["id", "client", "phone", "phone_ext", "campaign", "stage", "status", "next_call_at", "attempts_week",
               "source", "reserved_until", "version"]
AUDIT_COLUMNS = ["id", "at", "user", "action", "entity", "entity_id", "change"]
CHECK_COLUMNS = ["check", "ok", "problems", "what", "detail"]


def register(app: typer.Typer) -> None:
    app.command("next")(next_)
    app.command("audit")(audit)


def next_(
    campaign: Annotated[Optional[str], typer.Option("--campaign", "-c", help="Only this campaign (name or id).")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Your next due contact: a pool contact you hold, your own due deals and call-backs, then the
    shared pool's next due contact, reserved for you (10 minutes by default) until you log the call.

    Example: yoolla next --campaign "Seminar 2026-W48"
    Example: yoolla call log 253 --outcome no_answer   # 253: the deal next gave you
    """
    with context.acting() as (session, actor):
        card = pool.next_card(session=session, actor=actor, campaign=campaign)
    if fmt == Fmt.json and card is None:
        sys.stdout.write("null\n")  # scripts: nothing due
        return
    if card is None:
        done(_("Nothing is due now: your queue and the pool are empty."))
        return
    render_one(card, fmt, None if fmt == Fmt.json else NEXT_FIELDS)
    if fmt == Fmt.table:
        done(_("Log the call: yoolla call log {id} --outcome no_answer|call_back|interested|refused|…").format(id=card["id"]))


def audit(
    deal: Annotated[Optional[str], typer.Option("--deal", "-d", help="Only this deal's records.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Only what this login did.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="From: a date (2026-11-23), today, yesterday, 2h, 3d.")] = None,
    action: Annotated[Optional[str], typer.Option("--action", "-a", help="An action (call.log) or a family (call, deal, pool).")] = None,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = Fmt.table,
    old_user: Annotated[Optional[str], typer.Option("--user", hidden=True)] = None,
) -> None:
    """The audit trail, oldest first: who changed what, when (local time), from which value to which.

    Example: yoolla audit --deal 12 --since yesterday
    """
    context.renamed_user(old_user, command="audit", new="--by", meaning=_("only what this login did"))
    with context.reading_as() as (session, actor):  # streamed inside the read snapshot: flat memory
        rows = audit_core.list_records(session=session, actor=actor, deal=deal, user=by, since=since, action=action)
        render_listing(rows, fmt, AUDIT_COLUMNS + (["data"] if fmt != Fmt.table else []), limit=limit, all_=all_,
                       empty=_("No audit records match."))


@db_app.command("backup")
def backup(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Where to write the backup.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """A consistent backup while operators keep working: SQLite's online backup API, or
    pg_dump (custom format) for PostgreSQL.

    Example: yoolla db backup "/srv/backups/yoolla-$(date +%F).sqlite"
    """
    engine = context.open_engine()
    who = identity.require_known(engine, claimed=context.state().user, command=context.command(),
                                 admin_action=_("back up the database"))
    result = maintenance.backup(engine, file, force=force)
    if who is not None and not who.get("legacy"):
        identity.record_db_event(engine, who, "db.backup", file=result["file"], bytes=result["bytes"])
    done(_("Backup of {database} written to {file} ({size} bytes).").format(
        database=result["database"], file=result["file"], size=result["bytes"]))


@db_app.command("restore")
def restore(
    file: Annotated[str, typer.Argument(metavar="FILE", help="A file made by yoolla db backup.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a database that holds data or is in use.")] = False,
) -> None:
    """Replace the database with a backup. Refuses a database in use or holding data unless --force.

    Example: yoolla --db /srv/yoolla/new.sqlite db restore /srv/backups/yoolla-2026-11-23.sqlite
    """
    with maintenance.restoring_into(context.state().url):  # a failed restore into a new file leaves nothing
        engine = context.open_engine(create=True)
        who = identity.require_known(engine, claimed=context.state().user, command=context.command(),
                                     admin_action=_("restore the database"))
        result = maintenance.restore(engine, file, force=force)
    if db.current_revision(engine) == db.head_revision(engine):
        with db.session_scope(engine) as session:
            head = audit_core.chain_head(session)
        identity.record_db_event(engine, who, "db.restore", file=file, restored_head_seq=head["seq"],
                                 restored_head_hash=head["hash"])
    done(_("Restored {database} from {file} (schema {schema}). Run `yoolla db check`, then `yoolla db upgrade` if it asks.").format(
        database=result["database"], file=result["file"], schema=result["schema"]))


@db_app.command("check")
def check(fmt: FormatOpt = Fmt.table,
          repair: Annotated[bool, typer.Option("--repair", help="First recount the reports' kept aggregates from calls, deals and payments (admin).")] = False) -> None:
    """Integrity, foreign keys, the schema at head, and the counts that must agree (calls and their
    deals, attempts, audit records, the reports' kept aggregates). Exits 1 when anything is wrong.

    Example: yoolla db check
    """
    engine = context.open_engine()
    identity.require_known(engine, claimed=context.state().user, command=context.command())
    if repair:
        with context.acting() as (session, actor):
            fixed = maintenance.repair_aggregates(session=session, actor=actor)
        err_console.print(_("Recounted the reports' aggregates ({wrong} row(s) were wrong).").format(wrong=fixed["were_wrong"]))
    rows = maintenance.check(engine)
    render(rows, fmt, CHECK_COLUMNS)
    failed = [r["check"] for r in rows if not r["ok"]]
    if failed:
        raise YoollaError(_("database check failed: {checks}").format(checks=", ".join(failed)))
