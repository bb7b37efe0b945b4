"""Keeping a shared database healthy: `db check`, `db backup`, `db restore`.

`check` runs the database's own integrity checks and the counts that must agree whatever
happened (a crash, a killed import, two operators at once):
- every call has its deal, and the deal's client;
- a closed deal has no next call;
- a deal's weekly attempts are at least its no_answer calls (each no_answer call counts one);
- every call has its `call.log` audit record;
- a reservation names both who holds it and until when;
- the reports' kept aggregates (kernel/tally.py) equal a recount of calls, deals and payments
  (`repair_aggregates` recounts them: `yoolla db check --repair`).
- the audit trail's hash chain is whole: no record edited, deleted or slipped in (the first
  broken or missing record is named).
- PostgreSQL: the group roles, grants, row-level security and the audit trigger of
  kernel/pg_security.py are in place (`database_roles`).
The dialect halves (PRAGMA integrity_check, the backup API, pg_dump) live in core/db.py.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from yoolla_tui.core.kernel import audit, db, pg_security, tally
from yoolla_tui.core.kernel.errors import BadInput, Conflict
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import AuditRecord, Call, Deal, User
from yoolla_tui.core.kernel.permissions import require_admin

EXAMPLES = 5  # problem rows named per check; the count says how many there are


def _check(name: str, problems: list, what: str) -> dict:
    shown = ", ".join(str(p) for p in problems[:EXAMPLES]) + (" …" if len(problems) > EXAMPLES else "")
    return {"check": name, "ok": not problems, "problems": len(problems), "what": what, "detail": shown or None}


def check(engine: Engine) -> list[dict]:
    """Every check as {check, ok, problems, what, detail}; nothing is changed."""
    out = [_check("integrity", db.integrity_problems(engine), _("the file's pages and indexes are sound")),
           _check("foreign_keys", db.foreign_key_problems(engine), _("every reference points at a row"))]
    if not db.is_sqlite(engine):
        for row in out:
            row["detail"] = _("PostgreSQL enforces this on every write")
    current, head = db.current_revision(engine), db.head_revision(engine)
    out.append(_check("schema", [] if current == head else [f"{current} != {head}"], _("the schema is at this version's head")))
    if current != head:
        return out
    with db.session_scope(engine) as session:
        orphan_calls = list(session.scalars(
            select(Call.id).outerjoin(Deal, Deal.id == Call.deal_id).where(Deal.id.is_(None)).order_by(Call.id)))
        out.append(_check("calls_have_deals", [f"call {i}" for i in orphan_calls], _("every call's deal exists")))
        wrong_client = list(session.scalars(
            select(Call.id).join(Deal, Deal.id == Call.deal_id).where(Call.client_id != Deal.client_id).order_by(Call.id)))
        out.append(_check("calls_match_clients", [f"call {i}" for i in wrong_client], _("a call's client is its deal's client")))
        closed_due = list(session.scalars(
            select(Deal.id).where(Deal.closed_at.is_not(None), Deal.next_call_at.is_not(None)).order_by(Deal.id)))
        out.append(_check("closed_deals_out_of_queue", [f"deal {i}" for i in closed_due], _("closed deals have no next call")))
        no_answers = (select(Call.deal_id, func.count(Call.id).label("n")).where(Call.outcome == "no_answer")
                      .group_by(Call.deal_id).subquery())
        short = session.execute(select(Deal.id, Deal.attempts_week, no_answers.c.n)
                                .join(no_answers, no_answers.c.deal_id == Deal.id)
                                .where(Deal.attempts_week < no_answers.c.n).order_by(Deal.id)).all()
        out.append(_check("attempts_count_calls", [f"deal {i}: {a} < {n}" for i, a, n in short],
                          _("a deal's attempts this week cover its no_answer calls")))
        audited = {(data or {}).get("call") for data in session.scalars(
            select(AuditRecord.data).where(AuditRecord.action == "call.log"))}
        unaudited = [i for i in session.scalars(select(Call.id).order_by(Call.id)) if i not in audited]
        out.append(_check("calls_audited", [f"call {i}" for i in unaudited], _("every call has its audit record")))
        half = list(session.scalars(select(Deal.id).where(
            (Deal.reserved_by_id.is_(None)) != (Deal.reserved_until.is_(None))).order_by(Deal.id)))
        out.append(_check("reservations_whole", [f"deal {i}" for i in half], _("a reservation names who and until when")))
        out.append(_check("report_aggregates", tally.problems(session.connection()),
                          _("the reports' kept counts equal a recount of calls, deals and payments")))
        out.append(_check("audit_chain", audit.verify_chain(session),
                          _("no audit record was edited or deleted (the hash chain is whole)")))
        if not db.is_sqlite(engine):
            out.append(_check("database_roles", pg_security.problems(session.connection()),
                              _("the group roles, grants, row-level security policies and the audit trail's trigger are in place")))
    return out


def repair_aggregates(*, session, actor: User) -> dict:
    """Recount the reports' kept aggregates from the raw rows (admin only; audited)."""
    require_admin(actor, action=_("repair the database"))
    wrong = tally.problems(session.connection())
    rows = tally.rebuild(session.connection())
    audit.record(session, actor, "db.repair", "tally", None, were_wrong=len(wrong), **rows)
    return {"were_wrong": len(wrong), **rows}


def backup(engine: Engine, target: str, *, force: bool = False) -> dict:
    """Write a consistent backup of the database to `target` (see db.backup_to).

    Raises Conflict if `target` exists and `force` is not given, BadInput if its folder is missing.
    """
    path = Path(target)
    if path.exists() and not force:
        raise Conflict(_("{file} already exists; give another name or --force to overwrite it").format(file=target))
    if not path.parent.exists():
        raise BadInput(_("folder {folder} does not exist").format(folder=path.parent))
    db.backup_to(engine, str(path))
    return {"file": str(path), "bytes": path.stat().st_size, "database": db.safe_url(engine)}


@contextmanager
def restoring_into(url: str) -> Iterator[None]:
    """Around a restore: when it fails and the SQLite database did not exist before, remove what
    opening it made (the file, its -wal, -shm and .writers lock, the folders created for it), so a
    failed `db restore` into a new file leaves nothing behind. A database that existed is left to
    the restore's own rollback."""
    path = db.sqlite_file(url)
    if path is None or path.exists():
        yield
        return
    made = []  # folders opening the database will create, innermost first
    folder = path.parent
    while not folder.exists():
        made.append(folder)
        folder = folder.parent
    try:
        yield
    except BaseException:
        db.forget_engine(url)
        for suffix in ("", "-wal", "-shm", "-journal", ".writers"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                break  # something else is in it now: leave it
        raise


def restore(engine: Engine, source: str, *, force: bool = False) -> dict:
    """Replace the database with the backup in `source`.

    Refuses without `force` (Conflict) when the database is in use by other sessions or holds
    data; BadInput when `source` is missing or not a Yoolla backup for this kind of database.
    """
    if not Path(source).is_file():
        raise BadInput(_("no backup file {file}").format(file=source))
    revision = db.backup_revision(engine, source)
    if not force:
        others = db.other_sessions(engine)
        if others:
            raise Conflict(_("the database is in use ({n} other connections); stop the operators' sessions "
                             "or add --force").format(n=others))
        if db.current_revision(engine) is not None:
            with db.session_scope(engine) as session:
                deals = session.scalar(select(func.count(Deal.id)))
                calls = session.scalar(select(func.count(Call.id)))
                records = session.scalar(select(func.count(AuditRecord.id)))
            if deals or calls or records:
                raise Conflict(_("the database is not empty ({deals} deals, {calls} calls); restoring replaces all of it: "
                                 "add --force").format(deals=deals, calls=calls))
    db.restore_from(engine, source)
    return {"file": source, "database": db.safe_url(engine), "schema": revision or db.current_revision(engine)}
