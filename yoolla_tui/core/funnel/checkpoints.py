"""Checkpoints (seed 000): milestones outside selling itself, planned on a deal with a due date
and marked done with the actual date and who recorded it.

- A type may be bound to a stage: the deal's checkpoint of that type must be done before the
  deal moves past that stage (the rule itself is `funnel.check_transition`). A deal with no
  checkpoint of the type planned is not held: checkpoints are optional.
- The deal's manager, their supervisor and admins plan checkpoints (`set`).
- Only the type's roles and users mark one done (admins always may); a type naming neither is
  marked by whoever may plan it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, reference, refs
from yoolla_tui.core.funnel import transition as funnel
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import BadInput, Conflict, NotFound, PermissionDenied
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.listing import Listing
from yoolla_tui.core.kernel.models import Checkpoint, CheckpointType, Deal, Role, Stage, User
from yoolla_tui.core.kernel.permissions import require_admin, require_deal_access
from yoolla_tui.core.kernel.lookup import get_deal
from yoolla_tui.core.kernel.text import checked as checked_text

ROLES = tuple(r.value for r in Role)
ON_PLAN, OVERDUE, DONE, DONE_LATE = "on_plan", "overdue", "done", "done_late"


def state_of(due_at: datetime, done_at: datetime | None, now: datetime) -> str:
    """on_plan (undone, not yet due), overdue (undone, past due), done, done_late."""
    if done_at is None:
        return OVERDUE if due_at < now else ON_PLAN
    return DONE_LATE if done_at > due_at else DONE


# ---- types ---------------------------------------------------------------------------------

def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def get_type(session: Session, name: str) -> CheckpointType:
    """A checkpoint type by name (case-insensitive) or id."""
    wanted = name.strip().casefold()
    for kind in session.scalars(select(CheckpointType).order_by(CheckpointType.id)):
        if kind.name.casefold() == wanted or str(kind.id) == wanted:
            return kind
    known = ", ".join(session.scalars(select(CheckpointType.name).order_by(CheckpointType.id))) or _("none yet")
    raise NotFound(_("unknown checkpoint type {name!r} (types: {known})").format(name=name, known=known))


def add_type(*, session: Session, actor: User, name: str, stage: str | None = None, roles: str | None = None,
             users_: str | None = None, pipeline: str = reference.DEFAULT_PIPELINE) -> CheckpointType:
    """Define a checkpoint type (admins). `stage` binds it as a gate; `roles` and `users_`
    (comma-separated) may mark it done."""
    require_admin(actor, action=_("define checkpoint types"))
    name = checked_text(name, field=_("the checkpoint type's name"), limit=100)
    if not name.strip():
        raise BadInput(_("a checkpoint type needs a name"))
    if session.scalars(select(CheckpointType).where(CheckpointType.name == name.strip())).first():
        raise Conflict(_("checkpoint type {name!r} already exists").format(name=name.strip()))
    role_list = _split(roles)
    for role in role_list:
        if role not in ROLES:
            raise BadInput(_("unknown role {role!r}: expected {known}").format(role=role, known=", ".join(ROLES)))
    user_ids = [users.get_by_login(session, login).id for login in _split(users_)]
    stage_id = None
    if stage:
        stage_id = reference.get_stage(session, reference.get_pipeline(session, pipeline).id, stage).id
    kind = CheckpointType(name=name.strip(), stage_id=stage_id, roles=role_list, user_ids=user_ids, created_at=clock.now())
    session.add(kind)
    session.flush()
    audit.record(session, actor, "checkpoint_type.add", "checkpoint_type", kind.id, name=kind.name, stage=stage,
                 roles=role_list, users=_split(users_))
    return kind


def edit_type(*, session: Session, actor: User, name: str, stage: str | None = None, roles: str | None = None,
              users_: str | None = None, pipeline: str = reference.DEFAULT_PIPELINE) -> CheckpointType:
    """Change a type (admins): `stage` binds it to another stage (`none`: unbinds it), `roles`
    and `users_` replace who may mark it done (`none`: nobody named). Not given: unchanged."""
    require_admin(actor, action=_("define checkpoint types"))
    kind = get_type(session, name)
    before = {"stage_id": kind.stage_id, "roles": list(kind.roles or []), "user_ids": list(kind.user_ids or [])}
    if stage is not None:
        kind.stage_id = None if stage == "none" else reference.get_stage(
            session, reference.get_pipeline(session, pipeline).id, stage).id
    if roles is not None:
        role_list = [] if roles == "none" else _split(roles)
        for role in role_list:
            if role not in ROLES:
                raise BadInput(_("unknown role {role!r}: expected {known}").format(role=role, known=", ".join(ROLES)))
        kind.roles = role_list
    if users_ is not None:
        kind.user_ids = [] if users_ == "none" else [users.get_by_login(session, login).id for login in _split(users_)]
    audit.record(session, actor, "checkpoint_type.edit", "checkpoint_type", kind.id, before=before,
                 after={"stage_id": kind.stage_id, "roles": kind.roles, "user_ids": kind.user_ids})
    return kind


def list_types(*, session: Session) -> list[dict]:
    logins = dict(session.execute(select(User.id, User.login)).all())
    stages = {s.id: s.code for s in session.scalars(select(Stage))}
    return [{"id": k.id, "name": k.name, "stage": stages.get(k.stage_id), "roles": list(k.roles or []),
             "users": [logins.get(u) for u in k.user_ids or []]}
            for k in session.scalars(select(CheckpointType).order_by(CheckpointType.id))]


# ---- on deals ------------------------------------------------------------------------------

def _deal(session: Session, deal_id) -> Deal:
    return get_deal(session, deal_id)


def plan(*, session: Session, actor: User, deal_id, type_name: str, due: datetime) -> Checkpoint:
    """Plan (or re-plan) the deal's checkpoint of a type for `due`. The deal's manager, their
    supervisor and admins may. Refused on a closed deal or a checkpoint already done."""
    deal = _deal(session, deal_id)
    require_deal_access(session, actor, deal, action=_("plan checkpoints on"))
    if deal.closed_at is not None:
        raise Conflict(_("deal {id} is closed; its checkpoints cannot be planned").format(id=deal.id))
    kind = get_type(session, type_name)
    now = clock.now()
    checkpoint = session.scalars(select(Checkpoint).where(Checkpoint.deal_id == deal.id, Checkpoint.type_id == kind.id)).first()
    if checkpoint is not None and checkpoint.done_at is not None:
        raise Conflict(_("checkpoint {id} {name!r} on deal {deal} is already done").format(
            id=checkpoint.id, name=kind.name, deal=deal.id))
    if checkpoint is None:
        checkpoint = Checkpoint(deal_id=deal.id, type_id=kind.id, due_at=due, created_by_id=actor.id, created_at=now)
        session.add(checkpoint)
        before = None
    else:
        before = checkpoint.due_at
        checkpoint.due_at = due
    session.flush()
    audit.record(session, actor, "checkpoint.set", "checkpoint", checkpoint.id, deal=deal.id, type=kind.name,
                 due_at=due, before=before)
    return checkpoint


def may_mark(actor: User, kind: CheckpointType) -> bool:
    if actor.role == Role.admin:
        return True
    return actor.role in (kind.roles or []) or actor.id in (kind.user_ids or [])


def mark_done(*, session: Session, actor: User, checkpoint_id, at: datetime | None = None) -> Checkpoint:
    """Mark a checkpoint done at `at` (default now; not in the future). Only the type's roles
    and users may (and admins); a type naming none is marked by whoever may plan it."""
    checkpoint = session.get(Checkpoint, refs.number(checkpoint_id, _("{ref!r} is not a checkpoint id")))
    if checkpoint is None:
        raise NotFound(_("no checkpoint {id}").format(id=checkpoint_id))
    kind = session.get(CheckpointType, checkpoint.type_id)
    if kind.roles or kind.user_ids:
        if not may_mark(actor, kind):
            logins = [session.get(User, u).login for u in kind.user_ids or []]
            who = ", ".join(list(kind.roles or []) + logins)
            raise PermissionDenied(_("{login} ({role}) may not mark checkpoint {id} {name!r} done: only {who} may").format(
                login=actor.login, role=actor.role, id=checkpoint.id, name=kind.name, who=who))
    else:
        require_deal_access(session, actor, session.get(Deal, checkpoint.deal_id), action=_("mark checkpoints on"))
    if checkpoint.done_at is not None:
        raise Conflict(_("checkpoint {id} {name!r} is already done ({when})").format(
            id=checkpoint.id, name=kind.name, when=clock.show(checkpoint.done_at)))
    now = clock.now()
    when = at or now
    if when > now:
        raise BadInput(_("done time {when} is in the future").format(when=clock.show(when)))
    checkpoint.done_at = when
    checkpoint.done_by_id = actor.id
    deal = session.get(Deal, checkpoint.deal_id)
    funnel.touch(deal, now)
    audit.record(session, actor, "checkpoint.done", "checkpoint", checkpoint.id, deal=checkpoint.deal_id,
                 type=kind.name, done_at=when, due_at=checkpoint.due_at)
    return checkpoint


def public(checkpoint_id: int, deal_id: int, type_name: str, stage: str | None, due_at: datetime,
           done_at: datetime | None, done_by: str | None, now: datetime) -> dict:
    """The JSON shape of a checkpoint."""
    state = state_of(due_at, done_at, now)
    late_minutes = None
    if state == OVERDUE:
        late_minutes = int((now - due_at).total_seconds() // 60)
    elif state == DONE_LATE:
        late_minutes = int((done_at - due_at).total_seconds() // 60)
    return {"id": checkpoint_id, "deal_id": deal_id, "type": type_name, "stage": stage, "due_at": clock.iso(due_at),
            "done_at": clock.iso(done_at), "done_by": done_by, "state": state, "late_minutes": late_minutes}


def rows_of_deals(session: Session, deal_ids):
    """(id, deal_id, type name, stage code, due_at, done_at, done_by_id) of the checkpoints of
    `deal_ids` (a list or a SELECT of ids), by deal and due date: one query, no ORM objects."""
    return session.execute(_rows_stmt(deal_ids)).all()


def _rows_stmt(deal_ids):
    return (select(Checkpoint.id, Checkpoint.deal_id, CheckpointType.name, Stage.code, Checkpoint.due_at, Checkpoint.done_at,
                   Checkpoint.done_by_id)
            .join(CheckpointType, CheckpointType.id == Checkpoint.type_id)
            .join(Stage, Stage.id == CheckpointType.stage_id, isouter=True)
            .where(Checkpoint.deal_id.in_(deal_ids))
            .order_by(Checkpoint.deal_id, Checkpoint.due_at, Checkpoint.id))


def of_deals(session: Session, deal_ids) -> dict[int, list[dict]]:
    """The checkpoints of many deals (deal id -> public rows by due date)."""
    now = clock.now()
    logins = dict(session.execute(select(User.id, User.login)).all())
    out: dict[int, list[dict]] = {}
    for cid, deal_id, name, stage, due_at, done_at, done_by in rows_of_deals(session, deal_ids):
        out.setdefault(deal_id, []).append(public(cid, deal_id, name, stage, due_at, done_at, logins.get(done_by), now))
    return out


def list_for_deal(*, session: Session, actor: User, deal_id) -> list[dict]:
    """The deal's checkpoints by due date."""
    return list(checkpoint_listing(session=session, actor=actor, deal_id=deal_id))


def checkpoint_listing(*, session: Session, actor: User, deal_id) -> Listing:
    """`list_for_deal` as a counted, streamed listing (`yoolla checkpoint list`): the query of
    `rows_of_deals` for one deal, shaped by `public`."""
    deal = _deal(session, deal_id)
    require_deal_access(session, actor, deal, action=_("see"))
    now = clock.now()
    logins = dict(session.execute(select(User.id, User.login)).all())
    return Listing(session, _rows_stmt([deal.id]), lambda r: public(r[0], r[1], r[2], r[3], r[4], r[5], logins.get(r[6]), now))
