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

from yoolla_tui.core.kernel.errors import PermissionDenied
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Deal, Role, User


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


# ---- Orders and tasks (issue 15) -------------------------------------------------------------
# Executors see and work their own tasks (and tasks they watch); managers create orders and
# tasks on their deals; supervisors and admins do everything within their deal scope.

def require_task_reader(session: Session, actor: User, task, deal: Deal, watcher_ids: set[int]) -> None:
    """Refuse unless `actor` may see `task`: its assignee, a watcher, or someone who may see its deal."""
    if actor.id == task.assignee_id or actor.id in watcher_ids:
        return
    if actor.role == Role.executor:
        raise PermissionDenied(
            _("{login} (executor) may not see task {task}: an executor sees only their own tasks").format(
                login=actor.login, task=task.id))
    require_deal_access(session, actor, deal, action=_("see tasks of"))


def require_task_worker(session: Session, actor: User, task, deal: Deal, *, action: str) -> None:
    """Refuse unless `actor` may work `task` (status, timer, dependencies): its assignee, or a
    manager/supervisor/admin who may change its deal."""
    if actor.id == task.assignee_id:
        return
    if actor.role == Role.executor:
        raise PermissionDenied(
            _("{login} (executor) may not {action} task {task}: it is assigned to someone else, and an executor works only their own tasks").format(
                login=actor.login, action=action, task=task.id))
    require_deal_access(session, actor, deal, action=action)


def require_time_corrector(actor: User) -> None:
    require_role(actor, Role.admin, Role.supervisor, action=_("correct time entries"))


def require_queue_reader(actor: User, user: User) -> None:
    """Anyone sees their own queue and inbox; managers, supervisors and admins see executors' queues."""
    if actor.id == user.id or actor.role in (Role.admin, Role.supervisor, Role.manager):
        return
    raise PermissionDenied(
        _("{login} ({role}) may not see {other}'s queue: an executor sees only their own").format(
            login=actor.login, role=actor.role, other=user.login))


def require_schedule_reader(actor: User, user: User) -> None:
    require_queue_reader(actor, user)


def require_schedule_writer(actor: User, user: User) -> None:
    """Supervisors and admins set work hours and leaves."""
    require_role(actor, Role.admin, Role.supervisor, action=_("set work schedules"))


def require_efficiency_reader(actor: User) -> None:
    require_role(actor, Role.admin, Role.supervisor, action=_("see the efficiency report"))
