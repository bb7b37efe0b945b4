"""Users and roles. `bootstrap_admin` makes the first admin; after that only admins add users.
Who is acting (OS login, database role, act-as) is people.identity."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock
from yoolla_tui.core.kernel.errors import BadInput, Conflict, NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel import text
from yoolla_tui.core.kernel.models import Role, User
from yoolla_tui.core.kernel.permissions import require_admin

_LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._@-]{0,63}$")
ROLES = [role.value for role in Role]


def public(user: User, supervisor_login: str | None = None) -> dict:
    return {"id": user.id, "login": user.login, "full_name": user.full_name, "role": user.role,
            "supervisor": supervisor_login, "active": user.active, "os_login": user.os_login, "db_role": user.db_role}


def get_by_login(session: Session, login: str) -> User:
    """The user with this login; NotFound names it and how to list users."""
    user = session.scalars(select(User).where(User.login == (login or "").strip().lower())).first()
    if user is None:
        raise NotFound(_("unknown user {login!r} (see `yoolla user list`)").format(login=login))
    return user


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def _check_new(session: Session, login: str, role: str) -> str:
    login = (login or "").strip().lower()
    if not _LOGIN_RE.match(login):
        raise BadInput(_("bad login {login!r}: use lower-case letters, digits, '.', '_' or '-' (up to 64)").format(login=login))
    if role not in ROLES:
        raise BadInput(_("unknown role {role!r}: expected one of {roles}").format(role=role, roles=", ".join(ROLES)))
    if session.scalars(select(User.id).where(User.login == login)).first() is not None:
        raise Conflict(_("user {login!r} already exists").format(login=login))
    return login


def _check_mapping(session: Session, column, value: str | None, default: str, what: str) -> str:
    """An OS login or database role for a new user: its own shape, and no one else's."""
    value = (value or default).strip()
    if not _NAME_RE.match(value):
        raise BadInput(_("bad {what} {value!r}: letters, digits, '.', '_', '-' or '@' (up to 64)").format(what=what, value=value))
    taken = session.scalars(select(User.login).where(column == value)).first()
    if taken is not None:
        raise Conflict(_("{what} {value!r} already belongs to user {login!r}").format(what=what, value=value, login=taken))
    return value


def bootstrap_admin(*, session: Session, login: str, full_name: str = "", os_login: str | None = None,
                    db_role: str | None = None) -> User:
    """Create the first admin of an empty database; refuses once any user exists.

    `os_login` / `db_role` default to the login; `yoolla init` passes whoever runs it
    (people.identity.first_admin)."""
    if count(session):
        raise Conflict(_("the database already has users; an admin adds more with `yoolla user add`"))
    login = _check_new(session, login, Role.admin)
    full_name = text.checked(full_name, field=_("full name"), limit=text.FULL_NAME_LIMIT)
    user = User(login=login, full_name=full_name or login, role=Role.admin, created_at=clock.now(),
                os_login=_check_mapping(session, User.os_login, os_login, login, _("OS login")),
                db_role=_check_mapping(session, User.db_role, db_role, login, _("database role")))
    session.add(user)
    session.flush()
    audit.record(session, user, "user.bootstrap", "user", user.id, login=login)
    return user


def add_user(*, session: Session, actor: User, login: str, full_name: str = "", role: str = Role.manager,
             supervisor: str | None = None, os_login: str | None = None, db_role: str | None = None) -> User:
    """Add a user (admins only). `supervisor` is a login of a supervisor or admin; `os_login`
    (who they are on this machine, for SQLite) and `db_role` (their PostgreSQL role) default to
    the login."""
    require_admin(actor, action=_("add users"))
    login = _check_new(session, login, role)
    full_name = text.checked(full_name, field=_("full name"), limit=text.FULL_NAME_LIMIT)
    supervisor_id = None
    if supervisor:
        boss = get_by_login(session, supervisor)
        if boss.role not in (Role.admin, Role.supervisor):
            raise BadInput(_("{login!r} is a {role}, not a supervisor or admin").format(login=boss.login, role=boss.role))
        supervisor_id = boss.id
    user = User(login=login, full_name=full_name or login, role=role, supervisor_id=supervisor_id, created_at=clock.now(),
                os_login=_check_mapping(session, User.os_login, os_login, login, _("OS login")),
                db_role=_check_mapping(session, User.db_role, db_role, login, _("database role")))
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.add", "user", user.id, login=login, role=role, supervisor=supervisor,
                 os_login=user.os_login, db_role=user.db_role)
    return user


def list_users(*, session: Session, actor: User, role: str | None = None) -> list[dict]:
    """Everyone, with roles and supervisors (any known, active user may read it)."""
    users = list(session.scalars(select(User).order_by(User.role, User.login)))
    by_id = {user.id: user.login for user in users}
    return [public(user, by_id.get(user.supervisor_id)) for user in users if role is None or user.role == role]


def managers_by_logins(session: Session, logins: list[str]) -> list[User]:
    """Users for a comma list of logins, in the order given; each must be able to own deals."""
    out = []
    for login in logins:
        user = get_by_login(session, login)
        if user.role not in (Role.manager, Role.supervisor, Role.admin):
            raise BadInput(_("{login!r} is an {role} and cannot own deals").format(login=user.login, role=user.role))
        out.append(user)
    if not out:
        raise BadInput(_("name at least one manager (--managers anna,boris)"))
    return out


def map_identity(*, session: Session, actor: User, login: str, os_login: str | None = None,
                 db_role: str | None = None) -> User:
    """Change who a user is outside Yoolla (admins only): their OS login (SQLite) or database
    role (PostgreSQL). Each name belongs to one user at most."""
    require_admin(actor, action=_("map users to OS logins or database roles"))
    user = get_by_login(session, login)
    if os_login is None and db_role is None:
        raise BadInput(_("give --os-login NAME or --db-role NAME"))
    before = {"os_login": user.os_login, "db_role": user.db_role}
    if os_login is not None and os_login != user.os_login:
        user.os_login = _check_mapping(session, User.os_login, os_login, login, _("OS login"))
    if db_role is not None and db_role != user.db_role:
        user.db_role = _check_mapping(session, User.db_role, db_role, login, _("database role"))
    audit.record(session, actor, "user.map", "user", user.id, before=before,
                 after={"os_login": user.os_login, "db_role": user.db_role})
    return user
