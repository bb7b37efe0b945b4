"""Reading the audit trail (`yoolla audit`): who did what, when, with each changed field's value
before and after. The recorder that writes it is kernel.audit."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

from sqlalchemy import or_, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, money
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.lookup import get_deal
from yoolla_tui.core.kernel.models import AuditRecord, Role, Stage, User
from yoolla_tui.core.kernel.permissions import require_role, supervised_ids
from yoolla_tui.core.people.users import get_by_login

# Pairs of data keys that hold one field's value before and after the change.
_PAIRS = {"manager": ("manager_before", "manager_after"), "stage": ("stage_before", "stage_after"),
          "invoice": ("before_cents", "amount_cents")}


def list_records(*, session: Session, actor: User, deal: int | str | None = None, user: str | None = None,
                 since: str | None = None, action: str | None = None) -> Iterator[dict]:
    """The audit trail, oldest first: who, when (local time), what, on which record, and each
    changed field's value before and after where the record holds it (`changes`). Streamed: the
    rows come from the database in batches (a server-side cursor on PostgreSQL), so a million
    records print in flat memory; iterate inside the session. The arguments are checked at once.

    `action` matches a whole code (`call.log`) or a family (`call`). `since`: a date, a time,
    `today`, `yesterday`, or an age (`2h`, `3d`). Admins see every record; a supervisor their
    team's (what they or the managers they supervise did, themselves or through an admin's
    act-as); others are refused (PermissionDenied). BadInput for an unreadable deal id or time,
    NotFound for an unknown login. An admin's act-as shows as `user` "irina as anna".
    """
    require_role(actor, Role.admin, Role.supervisor, action=_("read the audit trail"))
    stmt = select(AuditRecord).order_by(AuditRecord.at, AuditRecord.id)
    if actor.role == Role.supervisor:
        team = supervised_ids(session, actor) + [actor.id]
        stmt = stmt.where(AuditRecord.actor_id.in_(team))
    if deal is not None:
        stmt = stmt.where(AuditRecord.entity == "deal", AuditRecord.entity_id == get_deal(session, deal).id)
    if user:
        stmt = stmt.where(AuditRecord.actor_id == get_by_login(session, user).id)
    if since:
        stmt = stmt.where(AuditRecord.at >= parse_since(since))
    if action:
        stmt = stmt.where(or_(AuditRecord.action == action, AuditRecord.action.startswith(action.rstrip(".") + ".")))
    login = dict(session.execute(select(User.id, User.login)).all())
    stage = dict(session.execute(select(Stage.id, Stage.code)).all())
    names = {"manager": login, "stage": stage}
    return _records(session, stmt, login, names)


def _records(session: Session, stmt, login: dict, names: dict) -> Iterator[dict]:
    for rec in session.scalars(stmt.execution_options(yield_per=1000)):
        data = rec.data or {}
        changes = {}
        for field, (before_key, after_key) in _PAIRS.items():
            if before_key in data or after_key in data:
                lookup = names.get(field, {})
                before, after = data.get(before_key), data.get(after_key)
                if field == "invoice":
                    before, after = money.show(before), money.show(after)
                    if rec.action == "deal.pay":
                        field = "payment"  # a payment's amount, not a change of the invoice
                changes[field] = {"before": lookup.get(before, before), "after": lookup.get(after, after)}
        data = {key: _local(value) for key, value in data.items()}
        user_shown = login.get(rec.actor_id)
        if rec.real_actor_id is not None and rec.real_actor_id != rec.actor_id:
            user_shown = _("{real} as {login}").format(real=login.get(rec.real_actor_id), login=user_shown)
        yield {"id": rec.id, "at": clock.iso(rec.at), "user": user_shown, "action": rec.action,
               "entity": rec.entity, "entity_id": rec.entity_id, "changes": changes, "data": data,
               "change": "; ".join(f"{k}: {_shown(v['before'])} → {_shown(v['after'])}"
                                    for k, v in changes.items()) or None}
        session.expunge(rec)  # streamed: the session keeps no record it has handed on


def parse_since(text: str):
    """A lower time bound a person types: a date (its start), `today`, `yesterday`, `2h`, `3d`, or a time."""


    raw = text.strip().lower()
    age = re.fullmatch(r"-?([0-9]+)\s*(m|h|d)", raw)
    if age:
        amount = int(age.group(1))
        try:
            return clock.now() - {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount)}[age.group(2)]
        except OverflowError:  # further back than the calendar goes: from the very start
            return datetime(1, 1, 2, tzinfo=timezone.utc)
    if raw in ("today", "yesterday", "сегодня", "вчера"):
        return clock.local_day_bounds(clock.today() - timedelta(days=0 if raw in ("today", "сегодня") else 1))[0]
    try:
        return clock.local_day_bounds(date.fromisoformat(raw))[0]
    except ValueError:
        if clock.date_problem(raw):
            raise BadInput(clock.date_problem(raw)) from None
    try:
        return clock.parse_when(text, natural=False)
    except BadInput:
        raise BadInput(_("cannot read --since {text!r}: give a date (2026-11-23), today, yesterday, 2h or 3d").format(text=text))


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)


def _local(value: Any) -> Any:
    """Times in a record's data, stored as UTC ISO strings, shown in local time like every other time."""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            return clock.iso(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def chain_head(session: Session) -> dict:
    """The audit chain's newest link: {"seq", "hash"}."""
    return audit.chain_head(session)
