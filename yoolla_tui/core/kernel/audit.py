"""The audit recorder: every write leaves a record of who, what, when, in the same transaction.

It takes ids and values and imports no service; reading the trail is reports.audit_trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.models import AuditRecord, User


def record(session: Session, actor: User | None, action: str, entity: str, entity_id: int | None, **data: Any) -> None:
    """Add an audit record to the session's transaction (it commits or rolls back with the change)."""
    session.add(AuditRecord(at=clock.now(), actor_id=actor.id if actor else None, action=action,
                            entity=entity, entity_id=entity_id, data=_jsonable(data)))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


def last_change(session: Session, entity: str, entity_id: int) -> dict | None:
    """The newest audit record of a thing: {"action", "at" (local, short), "login", "full_name"}."""
    row = session.execute(
        select(AuditRecord, User.login, User.full_name).join(User, User.id == AuditRecord.actor_id, isouter=True)
        .where(AuditRecord.entity == entity, AuditRecord.entity_id == entity_id)
        .order_by(AuditRecord.id.desc()).limit(1)).first()
    if row is None:
        return None
    record, login, full_name = row
    return {"action": record.action, "at": clock.show(record.at), "login": login, "full_name": full_name}
