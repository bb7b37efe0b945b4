"""The audit recorder: every write leaves a record of who, what, when, in the same transaction.

It takes ids and values and imports no service; reading the trail is reports.audit_trail.

The records form a hash chain (issue 22): at commit, under the lock of the one `audit_head` row,
each new record gets the next `seq` and `hash` = SHA-256 over a canonical JSON of its content and
the previous record's hash (`link_hash`). Editing or deleting a row breaks the chain at that
point; `verify_chain` (run by `db check`) names the first record that does not fit. Writers
queue on the head row (PostgreSQL: SELECT … FOR UPDATE; SQLite already holds its writers' lock),
so concurrent transactions extend the chain one after the other, never from the same link.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import event, inspect as sa_inspect, select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.models import AuditHead, AuditRecord, User

# session.info keys: the authenticated user's id (set by people.identity) and the records
# this transaction added that still need their link.
AUTHENTICATED = "yoolla.authenticated_id"
_PENDING = "yoolla.audit_pending"


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


# ---- the hash chain ------------------------------------------------------------------------------

def link_hash(*, seq: int, record_id: int, at: datetime, actor_id: int | None, real_actor_id: int | None,
              action: str, entity: str, entity_id: int | None, data: dict | None, prev: str) -> str:
    """SHA-256 (hex) of the previous link and a canonical JSON of the record's content."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    body = json.dumps({"seq": seq, "id": record_id, "at": at.astimezone(timezone.utc).isoformat(timespec="microseconds"),
                       "actor": actor_id, "real_actor": real_actor_id, "action": action, "entity": entity,
                       "entity_id": entity_id, "data": data or {}},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev + "\n" + body).encode("utf-8")).hexdigest()


def hash_of(rec: AuditRecord, prev: str) -> str:
    return link_hash(seq=rec.seq, record_id=rec.id, at=rec.at, actor_id=rec.actor_id, real_actor_id=rec.real_actor_id,
                     action=rec.action, entity=rec.entity, entity_id=rec.entity_id, data=rec.data, prev=prev)


@event.listens_for(OrmSession, "before_flush")
def _collect(session, _flush_context, _instances) -> None:
    """Note each new record (whatever added it) and who really acted, for the commit's links."""
    authenticated = session.info.get(AUTHENTICATED)
    for obj in session.new:
        if isinstance(obj, AuditRecord) and obj.seq is None:
            if obj.real_actor_id is None and authenticated is not None and authenticated != obj.actor_id:
                obj.real_actor_id = authenticated
            session.info.setdefault(_PENDING, []).append(obj)


@event.listens_for(OrmSession, "before_commit")
def _chain(session) -> None:
    if not session.info.get(_PENDING) and not any(isinstance(obj, AuditRecord) for obj in session.new):
        return
    session.flush()  # the commit's own flush comes after this hook; the records need their ids now
    # Records a rolled-back savepoint (an import's --dry-run) undid are no longer persistent.
    pending = [rec for rec in session.info.pop(_PENDING, []) if sa_inspect(rec).persistent and rec.seq is None]
    if not pending:
        return
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, seq=0, hash="")
        session.add(head)
    for rec in sorted(pending, key=lambda r: r.id):
        rec.seq = head.seq + 1
        rec.hash = hash_of(rec, head.hash)
        head.seq, head.hash = rec.seq, rec.hash
    session.flush()


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget(session, previous_transaction) -> None:
    if previous_transaction.parent is None and not previous_transaction.nested:  # the whole transaction
        session.info.pop(_PENDING, None)


def verify_chain(session: Session) -> list[str]:
    """Problems with the chain, the first broken or missing record first (empty: intact)."""
    problems: list[str] = []
    prev, expected = "", 1
    t = AuditRecord
    rows = session.execute(select(t.id, t.seq, t.hash, t.at, t.actor_id, t.real_actor_id, t.action, t.entity,
                                  t.entity_id, t.data).order_by(t.seq.is_(None), t.seq, t.id)
                           .execution_options(yield_per=5000))
    for rec in rows:
        if rec.seq is None or rec.hash is None:
            problems.append(f"record {rec.id}: not in the chain")
            continue
        if rec.seq != expected:
            problems.append(f"record seq {expected}: missing (next is record {rec.id}, seq {rec.seq})" if rec.seq > expected
                            else f"record {rec.id}: seq {rec.seq} repeated")
        computed = link_hash(seq=rec.seq, record_id=rec.id, at=rec.at, actor_id=rec.actor_id,
                             real_actor_id=rec.real_actor_id, action=rec.action, entity=rec.entity,
                             entity_id=rec.entity_id, data=rec.data, prev=prev)
        if rec.hash != computed:
            problems.append(f"record {rec.id} (seq {rec.seq}): content or link changed")
        prev, expected = rec.hash, rec.seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and head.seq >= expected:
        problems.append(f"records seq {expected}–{head.seq}: missing (deleted from the end)")
    elif head is not None and (head.seq, head.hash) != (expected - 1, prev):
        problems.append(f"audit head (seq {head.seq}) does not match the newest record")
    return problems


def chain_head(session: Session) -> dict:
    """The chain's newest link: {"seq", "hash"} (seq 0 for an empty trail)."""
    head = session.get(AuditHead, 1)
    return {"seq": head.seq if head else 0, "hash": head.hash if head else ""}
