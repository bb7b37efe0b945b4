"""Who is acting: the identity comes from something that already authenticated the person.

- SQLite (one machine, or a server people reach over SSH): the OS login running `yoolla`
  (the process's uid, looked up in the password database — not $USER, which anyone can set)
  is the Yoolla user whose `os_login` it is.
- PostgreSQL: the connection's `current_user` is the Yoolla user whose `db_role` it is (each
  person connects as their own role; the roles themselves are kernel.pg_security's).
- `--user` / YOOLLA_USER naming someone else is an act-as: only an admin may, and the audit
  trail records both ("irina as anna": actor_id anna, real_actor_id irina). Anyone else is
  refused (PermissionDenied, exit 3) and the refusal is recorded.
- A demo database (`yoolla demo` marks it with the `demo` setting) lets `--user` pick anyone,
  so the walk-through works on one machine; a real database never does.

Both faces use this module: the CLI's `context.acting()` and the dashboard (`YoollaApp.core`)
open their transactions through `acting_session` / `acting_again`, which re-read the actor inside
the transaction (a deactivation or a role change reaches an open dashboard on its next action)
and record a refused attempt (permission, stale edit) in a short transaction of its own after
the refused one rolled back.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, db
from yoolla_tui.core.kernel.errors import BadInput, PermissionDenied, StaleEdit
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import AuditRecord, Role, Setting, User
from yoolla_tui.core.people import users


@dataclass(frozen=True)
class Acting:
    """The effective user (permissions and `actor_id` use it), the authenticated one (who really
    ran the command), and whether it is an admin's act-as."""

    user: User
    authenticated: User
    act_as: bool = False

    @property
    def shown(self) -> str:
        """`irina as anna`, or just `anna`."""
        if self.act_as:
            return _("{real} as {login}").format(real=self.authenticated.login, login=self.user.login)
        return self.user.login


def os_login() -> str:
    """The login of the OS user running this process (by uid; environment variables do not count).

    Tests replace this function (monkeypatch) to run as a given person; nothing a user can set
    from outside the process changes it."""
    try:
        import pwd
    except ImportError:  # no password database (Windows): the account name the OS reports
        import getpass

        return getpass.getuser()
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a uid with no name (a container): the number, never $USER
        return f"uid{os.getuid()}"


def database_role(session: Session) -> str | None:
    """PostgreSQL: the role this connection authenticated as (`current_user`); SQLite: None."""
    if session.get_bind().dialect.name == "sqlite":
        return None
    return session.execute(text("SELECT current_user")).scalar()


def is_demo(session: Session) -> bool:
    """Whether this is a database `yoolla demo` built (it marks it with the `demo` setting)."""
    row = session.get(Setting, "demo")
    return bool(row is not None and row.value)


def whoami(session: Session) -> tuple[str, str]:
    """(kind, name) of the outside identity of this process or connection: ("os", "anna") on
    SQLite, ("db", "anna") on PostgreSQL."""
    role = database_role(session)
    return ("db", role) if role is not None else ("os", os_login())


def _describe(kind: str, name: str) -> str:
    return (_("database role {name!r}") if kind == "db" else _("OS login {name!r}")).format(name=name)


def authenticated_user(session: Session) -> User | None:
    """The Yoolla user mapped to this process's OS login (SQLite) or connection's role (PostgreSQL)."""
    kind, name = whoami(session)
    column = User.db_role if kind == "db" else User.os_login
    return session.scalars(select(User).where(column == name)).first()


def _require_active(user: User) -> None:
    if not user.active:
        raise PermissionDenied(_("user {login!r} is deactivated").format(login=user.login))


def _refuse(error: PermissionDenied, *, actor: User | None, real: User | None) -> PermissionDenied:
    error.actor_ids = (actor.id if actor else None, real.id if real else None)  # for the refusal record
    return error


def resolve_actor(session: Session, *, claimed: str | None) -> Acting:
    """Who is acting in this transaction: the authenticated person, or the user an admin acts as.

    `claimed` is --user / YOOLLA_USER. Raises PermissionDenied (exit 3) for an unmapped
    identity, a deactivated user, or a non-admin naming someone else; NotFound for an unknown
    login an admin names; BadInput on a demo database when nobody can be told apart.
    """
    claimed = (claimed or "").strip().lower() or None
    if claimed and is_demo(session):
        user = users.get_by_login(session, claimed)
        _require_active(user)
        return _bind(session, Acting(user, user))
    me = authenticated_user(session)
    if me is None:
        if is_demo(session):
            raise BadInput(_("who is acting? pass --user LOGIN or set YOOLLA_USER"))
        kind, name = whoami(session)
        hint = (_("an admin maps it with `yoolla user add LOGIN --db-role {name}`") if kind == "db"
                else _("an admin maps it with `yoolla user add LOGIN --os-login {name}`")).format(name=name)
        raise PermissionDenied(_("{who} is not a Yoolla user: {hint}").format(who=_describe(kind, name), hint=hint))
    if not me.active:
        raise _refuse(PermissionDenied(_("user {login!r} is deactivated").format(login=me.login)), actor=me, real=me)
    if claimed is None or claimed == me.login:
        return _bind(session, Acting(me, me))
    if me.role != Role.admin:
        kind, name = whoami(session)
        raise _refuse(PermissionDenied(
            _("you are {login} ({who}); only an admin may act as another user (--user {claimed})").format(
                login=me.login, who=_describe(kind, name), claimed=claimed)), actor=me, real=me)
    user = users.get_by_login(session, claimed)
    _require_active(user)
    return _bind(session, Acting(user, me, act_as=True))


def _bind(session: Session, acting: Acting) -> Acting:
    """Audit records of this transaction carry the authenticated user as the real actor."""
    session.info[audit.AUTHENTICATED] = acting.authenticated.id
    return acting


def recheck(session: Session, acting: Acting) -> Acting:
    """The same person re-read inside this transaction: a deactivation, a role change or a
    removed act-as right since `acting` was resolved applies now."""
    me = session.get(User, acting.authenticated.id)
    user = me if acting.user.id == acting.authenticated.id else session.get(User, acting.user.id)
    if me is None or user is None:
        raise PermissionDenied(_("user {login!r} no longer exists").format(login=acting.user.login))
    session.refresh(me)
    if user is not me:
        session.refresh(user)
    if not me.active:
        raise _refuse(PermissionDenied(_("user {login!r} is deactivated").format(login=me.login)), actor=me, real=me)
    if acting.act_as:
        if me.role != Role.admin:
            raise _refuse(PermissionDenied(
                _("{login} is no longer an admin and may not act as {other}").format(login=me.login, other=user.login)),
                actor=me, real=me)
        _require_active(user)
    return _bind(session, Acting(user, me, acting.act_as))


def first_admin(*, session: Session, login: str, full_name: str = "", os_login_name: str | None = None,
                db_role: str | None = None) -> User:
    """The first admin of an empty database (`yoolla init --admin`), mapped to whoever runs init:
    their OS login (SQLite) or the connection's role (PostgreSQL), unless told otherwise."""
    kind, name = whoami(session)
    return users.bootstrap_admin(
        session=session, login=login, full_name=full_name,
        os_login=os_login_name or (os_login() if kind == "os" else None),
        db_role=db_role or (name if kind == "db" else None))


@contextmanager
def acting_session(engine: Engine, *, claimed: str | None, command: str | None = None) -> Iterator[tuple[Session, Acting]]:
    """A transaction and who is acting in it; a refused attempt is recorded after the rollback."""
    ids: tuple[int | None, int | None] | None = None
    try:
        with db.session_scope(engine) as session:
            acting = resolve_actor(session, claimed=claimed)
            ids = (acting.user.id, acting.authenticated.id)  # the rollback expires the objects
            yield session, acting
    except (PermissionDenied, StaleEdit) as error:
        record_refusal(engine, error, ids=ids, command=command)
        raise


@contextmanager
def reading_session(engine: Engine, *, claimed: str | None, command: str | None = None) -> Iterator[tuple[Session, Acting]]:
    """A read-only snapshot (db.read_scope: never the write lock) and who is reading in it; a
    refused reader is recorded in its own short transaction, like any refusal."""
    ids: tuple[int | None, int | None] | None = None
    try:
        with db.read_scope(engine) as session:
            acting = resolve_actor(session, claimed=claimed)
            ids = (acting.user.id, acting.authenticated.id)
            yield session, acting
    except (PermissionDenied, StaleEdit) as error:
        record_refusal(engine, error, ids=ids, command=command)
        raise


@contextmanager
def acting_again(engine: Engine, acting: Acting, *, command: str | None = None) -> Iterator[tuple[Session, Acting]]:
    """A transaction for someone resolved earlier (the dashboard), re-checked inside it."""
    ids = (acting.user.id, acting.authenticated.id)
    try:
        with db.session_scope(engine) as session:
            fresh = recheck(session, acting)
            yield session, fresh
    except (PermissionDenied, StaleEdit) as error:
        record_refusal(engine, error, ids=ids, command=command)
        raise


def record_refusal(engine: Engine, error: Exception, *, ids: tuple[int | None, int | None] | None = None,
                   command: str | None = None) -> None:
    """Leave a `refused` audit record for a refused attempt, in its own short transaction.
    `ids`: (effective, authenticated) user ids when known; else the error's own."""
    actor_id, real_id = ids or getattr(error, "actor_ids", (None, None))
    if actor_id is None and real_id is None:
        return  # nobody known: an unmapped login is refused before it can touch anything
    try:
        with db.session_scope(engine) as session:
            session.add(AuditRecord(at=clock.now(), actor_id=actor_id,
                                    real_actor_id=real_id if real_id != actor_id else None,
                                    action="stale.refused" if isinstance(error, StaleEdit) else "permission.refused",
                                    entity="command", entity_id=None,
                                    data={"message": getattr(error, "message", str(error)), "command": command}))
    except Exception:  # noqa: BLE001 — the refusal itself must still reach the person
        pass


# ---- the `db` group: identity on a database whose schema may be older than this code -------------

def _has_identity_columns(engine: Engine) -> bool:
    from sqlalchemy import inspect

    inspector = inspect(engine)
    return inspector.has_table("user") and "os_login" in {c["name"] for c in inspector.get_columns("user")}


def _user_count(engine: Engine) -> int:
    from sqlalchemy import inspect

    if not inspect(engine).has_table("user"):
        return 0
    with engine.connect() as conn:
        return conn.execute(text('SELECT count(*) FROM "user"')).scalar() or 0


def require_known(engine: Engine, *, claimed: str | None, command: str | None = None,
                  admin_action: str | None = None) -> dict | None:
    """Who runs a `db` command: {"login", "real", "shown"}; an admin when `admin_action` is given.

    A database without users (not initialised, or empty before a restore) has nobody to ask:
    None. A schema older than identity (before `db upgrade`) knows only --user, as the release
    that made it did: that login must exist, be active (and an admin for `admin_action`).
    """
    from yoolla_tui.core.kernel.permissions import require_admin

    if db.current_revision(engine) is None or _user_count(engine) == 0:
        return None
    if not _has_identity_columns(engine):
        if not claimed:
            raise BadInput(_("who is acting? this database predates identity: pass --user LOGIN (an admin) once to upgrade it"))
        with engine.connect() as conn:
            row = conn.execute(text('SELECT login, role, active FROM "user" WHERE login = :login'),
                               {"login": claimed.strip().lower()}).first()
        if row is None:
            raise PermissionDenied(_("unknown user {login!r}").format(login=claimed))
        if not row.active:
            raise PermissionDenied(_("user {login!r} is deactivated").format(login=row.login))
        if admin_action and row.role != Role.admin:
            raise PermissionDenied(_("{login} ({role}) may not {action}: only admin may").format(
                login=row.login, role=row.role, action=admin_action))
        return {"login": row.login, "real": row.login, "shown": row.login, "legacy": True}
    with acting_session(engine, claimed=claimed, command=command) as (_session, who):
        if admin_action:
            require_admin(who.user, action=admin_action)
        return {"login": who.user.login, "real": who.authenticated.login, "shown": who.shown, "legacy": False}


def record_db_event(engine: Engine, who: dict | None, action: str, **data) -> None:
    """A backup, restore or upgrade in the audit trail of `engine`'s database, in a transaction of
    its own (after a restore: of the restored database, by login, since its ids are its own)."""
    with db.session_scope(engine) as session:
        kind, name = whoami(session)
        actor = real = None
        if who is not None:
            actor = session.scalars(select(User).where(User.login == who["login"])).first()
            real = session.scalars(select(User).where(User.login == who["real"])).first()
        session.add(AuditRecord(at=clock.now(), actor_id=actor.id if actor else None,
                                real_actor_id=real.id if real is not None and real is not actor else None,
                                action=action, entity="database", entity_id=None,
                                data={"by": who["shown"] if who else None, kind + "_identity": name, **data}))


def map_after_legacy_upgrade(engine: Engine, login: str) -> str | None:
    """After the upgrade that brought identity: the admin who ran it is mapped to whoever ran it
    (their OS login on SQLite, the connection's role on PostgreSQL), if nobody else holds it.
    Returns the name mapped, or None."""
    with db.session_scope(engine) as session:
        kind, name = whoami(session)
        column = User.db_role if kind == "db" else User.os_login
        user = session.scalars(select(User).where(User.login == login)).first()
        holder = session.scalars(select(User).where(column == name)).first()
        if user is None or (holder is not None and holder.id != user.id):
            return None
        if kind == "db":
            user.db_role = name
        else:
            user.os_login = name
        audit.record(session, user, "user.map", "user", user.id, **{("db_role" if kind == "db" else "os_login"): name})
        return name
