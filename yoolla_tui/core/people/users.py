"""Users and roles. `bootstrap_admin` makes the first admin; after that only admins add users.
Who is acting (OS login, database role, act-as) is people.identity."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, pg_security, settings
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
    the login. No database role is made (see `create_user`)."""
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


# ---- people and their PostgreSQL login roles (issue 22) ----------------------------------------
# On PostgreSQL each person connects as their own login role, a member of the group role of their
# Yoolla role (kernel.pg_security). These functions change the Yoolla user and the role in one
# transaction (roles are transactional), so they take effect together, at once. On SQLite they
# change the Yoolla user only. Passwords travel as SCRAM verifiers made here, never in plain text.

def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def generate_password() -> str:
    import secrets

    return secrets.token_urlsafe(18)


def default_db_role(session: Session, login: str) -> str:
    """The login role `user add` makes for `login`: the `db_role_prefix` setting + the login."""
    return f"{settings.get(session, 'db_role_prefix') or ''}{login}"


def create_user(*, session: Session, actor: User, login: str, full_name: str = "", role: str = Role.manager,
                supervisor: str | None = None, os_login: str | None = None, db_role: str | None = None,
                password: str | None = None) -> dict:
    """Add a user (admins only) and, on PostgreSQL, their login role in their role's group.

    The role is `db_role`, or `db_role_prefix` + login. A new role gets `password`, or a
    generated one that is returned once (`password` in the result; None when given or SQLite).
    A role that already exists (made by the DBA, peer or certificate login) is mapped and put in
    the group; its password is left alone (Conflict if a password was given for it).
    Returns {"user", "db_role", "password", "role_created"}."""
    require_admin(actor, action=_("add users"))
    if not _postgres(session):
        user = add_user(session=session, actor=actor, login=login, full_name=full_name, role=role,
                        supervisor=supervisor, os_login=os_login, db_role=db_role)
        return {"user": user, "db_role": user.db_role, "password": None, "role_created": False}
    name = _check_mapping(session, User.db_role, db_role, default_db_role(session, (login or "").strip().lower()),
                          _("database role"))
    if role not in ROLES:
        raise BadInput(_("unknown role {role!r}: expected one of {roles}").format(role=role, roles=", ".join(ROLES)))
    conn = session.connection()
    exists = pg_security.role_exists(conn, name)
    if exists and password is not None:
        raise Conflict(_("database role {name!r} already exists on this server; it keeps its password "
                         "(change it with `yoolla user password`), or choose another --db-role").format(name=name))
    user = add_user(session=session, actor=actor, login=login, full_name=full_name, role=role,
                    supervisor=supervisor, os_login=os_login, db_role=name)
    shown = None
    if not exists:
        if password is None:
            password = shown = generate_password()
        _check_password(password)
        pg_security.create_login(conn, name, pg_security.scram_verifier(password))
    pg_security.set_group(conn, name, role)
    audit.record(session, actor, "user.db_role", "user", user.id, db_role=name, created=not exists, group=role)
    return {"user": user, "db_role": name, "password": shown, "role_created": not exists}


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise BadInput(_("a password needs at least 8 characters"))
    if any(ch in password for ch in "\r\n\x00"):
        raise BadInput(_("a password is one line"))


def _managed_role(session: Session, user: User) -> str | None:
    """The user's login role when Yoolla may change it: it exists, and it is not the role this
    connection runs as (the admin's own) nor a superuser's."""
    if not _postgres(session) or not user.db_role:
        return None
    conn = session.connection()
    if not pg_security.role_exists(conn, user.db_role) or user.db_role == pg_security.connected_as(conn):
        return None
    return user.db_role


def _not_yourself(actor: User, user: User, what: str) -> None:
    if user.id == actor.id:
        raise Conflict(_("you may not {what} yourself: another admin does it").format(what=what))


def set_active(*, session: Session, actor: User, login: str, active: bool) -> User:
    """Deactivate or activate a user (admins only). At once: a deactivated user's commands and
    open dashboard are refused on their next action, their login role loses LOGIN (PostgreSQL)
    and row-level security shows them nothing in connections already open."""
    require_admin(actor, action=_("deactivate or activate users"))
    user = get_by_login(session, login)
    if not active:
        _not_yourself(actor, user, _("deactivate"))
    before = user.active
    user.active = active
    role = _managed_role(session, user)
    if role:
        pg_security.set_login(session.connection(), role, active)
    session.flush()
    audit.record(session, actor, "user.activate" if active else "user.deactivate", "user", user.id,
                 before=before, after=active, db_role=role)
    return user


def change_role(*, session: Session, actor: User, login: str, role: str) -> User:
    """Give a user another Yoolla role (admins only); their login role changes group with it."""
    require_admin(actor, action=_("change users' roles"))
    if role not in ROLES:
        raise BadInput(_("unknown role {role!r}: expected one of {roles}").format(role=role, roles=", ".join(ROLES)))
    user = get_by_login(session, login)
    _not_yourself(actor, user, _("change the role of"))
    before = user.role
    user.role = role
    name = _managed_role(session, user)
    if name:
        pg_security.set_group(session.connection(), name, role)
    session.flush()
    audit.record(session, actor, "user.role", "user", user.id, before=before, after=role, db_role=name)
    return user


def change_password(*, session: Session, actor: User, login: str, password: str | None = None) -> str | None:
    """A new password for a user's login role (admins only; PostgreSQL). Returns the generated
    password when none was given (shown once), else None. SQLite has no passwords: BadInput."""
    require_admin(actor, action=_("set passwords"))
    user = get_by_login(session, login)
    if not _postgres(session):
        raise BadInput(_("a SQLite database has no passwords: who runs yoolla is their OS login"))
    name = _managed_role(session, user)
    if name is None:
        raise BadInput(_("user {login!r} has no login role Yoolla may change (database role {role!r})").format(
            login=user.login, role=user.db_role))
    shown = None
    if password is None:
        password = shown = generate_password()
    _check_password(password)
    pg_security.set_password(session.connection(), name, pg_security.scram_verifier(password))
    audit.record(session, actor, "user.password", "user", user.id, db_role=name)
    return shown
