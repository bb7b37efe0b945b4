"""Who may do what. Every rule is written here once; services call these first.

- admin: everything.
- supervisor: the deals of the managers they supervise (and their own); campaigns; clients.
- manager: only their own deals, and a pool (unassigned) deal `yoolla next` reserved for them;
  may read the client base and log calls on those deals.
- executor: tasks only (later issues); no deals, clients or campaigns.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from .errors import PermissionDenied
from .i18n import _
from .models import Deal, Role, User


def require_role(actor: User, *roles: str, action: str) -> None:
    """Refuse unless the actor has one of `roles`; the message names the rule."""
    if actor.role not in roles:
        raise PermissionDenied(
            _("{login} ({role}) may not {action}: only {roles} may").format(
                login=actor.login, role=actor.role, action=action, roles=" / ".join(roles)))


def require_admin(actor: User, *, action: str) -> None:
    require_role(actor, Role.admin, action=action)


def require_campaign_admin(actor: User, *, action: str) -> None:
    require_role(actor, Role.admin, Role.supervisor, action=action)


def require_client_reader(actor: User, *, action: str = "read clients") -> None:
    require_role(actor, Role.admin, Role.supervisor, Role.manager, action=action)


def supervised_ids(session: Session, actor: User) -> list[int]:
    """The ids of the managers `actor` supervises (empty for anyone else)."""
    return list(session.scalars(select(User.id).where(User.supervisor_id == actor.id)))


def deal_scope(session: Session, actor: User):
    """A WHERE clause limiting deals to those `actor` may see; None means all."""
    if actor.role == Role.admin:
        return None
    if actor.role == Role.supervisor:
        team = supervised_ids(session, actor) + [actor.id]
        return or_(Deal.manager_id.in_(team), Deal.manager_id.is_(None))
    if actor.role == Role.manager:
        return or_(Deal.manager_id == actor.id, and_(Deal.manager_id.is_(None), Deal.reserved_by_id == actor.id))
    return Deal.id.is_(None) & Deal.id.is_not(None)  # executors see no deals


def require_deal_access(session: Session, actor: User, deal: Deal, *, action: str) -> None:
    """Refuse unless `actor` may change `deal` (manager: own; supervisor: team; admin: all)."""
    if actor.role == Role.admin:
        return
    if actor.role == Role.supervisor:
        if deal.manager_id is None or deal.manager_id == actor.id or deal.manager_id in supervised_ids(session, actor):
            return
        raise PermissionDenied(
            _("{login} (supervisor) may not {action} deal {deal}: it belongs to a manager outside their team").format(
                login=actor.login, action=action, deal=deal.id))
    if actor.role == Role.manager:
        if deal.manager_id == actor.id or (deal.manager_id is None and deal.reserved_by_id == actor.id):
            return
        raise PermissionDenied(
            _("{login} (manager) may not {action} deal {deal}: a manager works only their own deals").format(
                login=actor.login, action=action, deal=deal.id))
    raise PermissionDenied(
        _("{login} ({role}) may not {action} deal {deal}: only managers, supervisors and admins work deals").format(
            login=actor.login, role=actor.role, action=action, deal=deal.id))
