"""The inbox: notifications for a user (a task they wait on is done), read and marked read.

Stored as a kind plus data; the text is made when read, in the reader's language.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.listing import Listing
from yoolla_tui.core.kernel.models import Notification, User
from yoolla_tui.core.kernel.permissions import require_queue_reader


def notify(session: Session, user_ids: list[int], kind: str, *, task_id: int | None = None, **data) -> None:
    now = clock.now()
    for user_id in user_ids:
        session.add(Notification(user_id=user_id, at=now, kind=kind, task_id=task_id, data=data))
    session.flush()


def text(note: Notification) -> str:
    data = note.data or {}
    if note.kind == "task_ready":
        if data.get("blocker_status") == "cancelled":
            return _("Task {task} {title!r} is ready to start: task {blocker} {blocker_title!r} was cancelled").format(
                task=note.task_id, title=data.get("title"), blocker=data.get("blocker"), blocker_title=data.get("blocker_title"))
        return _("Task {task} {title!r} is ready to start: task {blocker} {blocker_title!r} is done").format(
            task=note.task_id, title=data.get("title"), blocker=data.get("blocker"), blocker_title=data.get("blocker_title"))
    if note.kind == "client_dnc":
        return _("Client {client} {name!r} is do-not-call ({reason}), marked by {by}: your deal {deals} on it is closed").format(
            client=data.get("client"), name=data.get("name"), reason=data.get("reason"), by=data.get("by"),
            deals=", ".join(str(d) for d in data.get("deals", [])))
    if note.kind == "stage_trigger":  # a stage's notify trigger
        line = _("Deal {deal} entered {stage!r}").format(deal=data.get("deal"), stage=_(data.get("stage_name") or data.get("stage")))
        return line + (": " + data["text"] if data.get("text") else "")
    return note.kind


def list_inbox(*, session: Session, actor: User, login: str | None = None, include_read: bool = False) -> list[dict]:
    """A user's notifications, newest first (unread only unless `include_read`). The dashboard calls this too."""
    return list(inbox_listing(session=session, actor=actor, login=login, include_read=include_read))


def inbox_listing(*, session: Session, actor: User, login: str | None = None, include_read: bool = False) -> Listing:
    """`list_inbox` as a counted, streamed listing (`yoolla inbox`)."""
    user = users.get_by_login(session, login) if login else actor
    require_queue_reader(actor, user)
    stmt = select(Notification).where(Notification.user_id == user.id)
    if not include_read:
        stmt = stmt.where(Notification.read_at.is_(None))

    def convert(row) -> dict:
        n = row[0]
        return {"id": n.id, "at": clock.iso(n.at), "kind": n.kind, "task_id": n.task_id, "text": text(n),
                "read": n.read_at is not None}

    return Listing(session, stmt.order_by(Notification.at.desc(), Notification.id.desc()), convert)


def mark_read(*, session: Session, actor: User, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all unread ones when `ids` is empty); returns how many."""
    stmt = select(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if ids:
        stmt = stmt.where(Notification.id.in_(ids))
        found = {n.id for n in session.scalars(select(Notification).where(Notification.user_id == actor.id,
                                                                          Notification.id.in_(ids)))}
        missing = sorted(set(ids) - found)
        if missing:
            raise NotFound(_("no notification {id} in your inbox").format(id=missing[0]))
    now = clock.now()
    count = 0
    for note in session.scalars(stmt):
        note.read_at = now
        count += 1
    session.flush()
    audit.record(session, actor, "inbox.read", "user", actor.id, count=count)
    return count
