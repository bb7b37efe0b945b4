"""`yoolla user …`: who works in Yoolla and in which role."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

users = module("yoolla_tui.core.people.users")
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.output import AllOpt, FormatOpt, Fmt, LimitOpt, done, render_listing, render_one

app = typer.Typer(help="Users and roles: admin, supervisor, manager, executor.\n\nExample: yoolla user list", no_args_is_help=True)

USER_COLUMNS = ["id", "login", "full_name", "role", "supervisor", "active", "os_login"]


@app.command("add")
def add(
    login: Annotated[str, typer.Argument(help="Short login, e.g. anna.")],
    name: Annotated[str, typer.Option("--name", help="Full name as colleagues know it (at most 200 characters).")] = "",
    role: Annotated[str, typer.Option("--role", help="admin | supervisor | manager | executor.")] = "manager",
    supervisor: Annotated[Optional[str], typer.Option("--supervisor", help="Login of their supervisor (or admin).")] = None,
    os_login: Annotated[Optional[str], typer.Option("--os-login", help="Their login on this machine (SQLite: who they are when they run yoolla). Default: the same as LOGIN.")] = None,
    db_role: Annotated[Optional[str], typer.Option("--db-role", help="Their PostgreSQL login role. Default: the db_role_prefix setting + LOGIN.")] = None,
    password_file: Annotated[Optional[Path], typer.Option("--password-file", help="PostgreSQL: read the new role's password from this file (first line); without it one is generated and shown once.", dir_okay=False)] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Add a user (admins only). On PostgreSQL this also makes their login role, a member of
    their role's group (the database then enforces what the role may see and change).

    Example: yoolla user add anna --name "Анна Смирнова" --role manager --supervisor irina --os-login anna
    """
    password = _read_password(password_file)
    with context.acting() as (session, actor):
        made = users.create_user(session=session, actor=actor, login=login, full_name=name, role=role,
                                 supervisor=supervisor, os_login=os_login, db_role=db_role, password=password)
        row = users.public(made["user"], supervisor)
    if fmt == Fmt.json:
        render_one({**row, "password": made["password"]}, fmt)
        return
    done(_("User {login} ({role}) added.").format(login=row["login"], role=row["role"]))
    if made["role_created"]:
        done(_("Database role {name} created.").format(name=made["db_role"]))
    if made["password"]:
        done(_("Password for {name} (shown once, pass it on privately): {password}").format(
            name=made["db_role"], password=made["password"]))


def _read_password(path: Optional[Path]) -> Optional[str]:
    if path is None:
        return None
    try:
        line = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadInput(_("cannot read {file}: {error}").format(file=path, error=exc.strerror or exc))
    if not line or not line[0]:
        raise BadInput(_("{file} is empty: put the password on its first line").format(file=path))
    return line[0]


@app.command("deactivate")
def deactivate(login: Annotated[str, typer.Argument(help="The Yoolla user, e.g. anna.")]) -> None:
    """Stop a user at once (admins only): their next command or dashboard action is refused; on
    PostgreSQL their login role loses LOGIN and sees no rows.

    Example: yoolla user deactivate anna
    """
    with context.acting() as (session, actor):
        user = users.set_active(session=session, actor=actor, login=login, active=False)
        done(_("User {login} deactivated.").format(login=user.login))


@app.command("activate")
def activate(login: Annotated[str, typer.Argument(help="The Yoolla user, e.g. anna.")]) -> None:
    """Let a deactivated user work again (admins only; PostgreSQL: their role may log in again).

    Example: yoolla user activate anna
    """
    with context.acting() as (session, actor):
        user = users.set_active(session=session, actor=actor, login=login, active=True)
        done(_("User {login} activated.").format(login=user.login))


@app.command("role")
def role_(
    login: Annotated[str, typer.Argument(help="The Yoolla user, e.g. anna.")],
    role: Annotated[str, typer.Argument(help="admin | supervisor | manager | executor.")],
) -> None:
    """Give a user another role (admins only); on PostgreSQL their login role changes group at once.

    Example: yoolla user role anna supervisor
    """
    with context.acting() as (session, actor):
        user = users.change_role(session=session, actor=actor, login=login, role=role)
        done(_("User {login} is now {role}.").format(login=user.login, role=user.role))


@app.command("password")
def password_(
    login: Annotated[str, typer.Argument(help="The Yoolla user, e.g. anna.")],
    password_file: Annotated[Optional[Path], typer.Option("--password-file", help="Read the password from this file (first line); without it one is generated and shown once.", dir_okay=False)] = None,
) -> None:
    """A new password for a user's PostgreSQL login role (admins only); sent as a SCRAM verifier.

    Example: yoolla user password anna --password-file /root/anna.pw
    """
    password = _read_password(password_file)
    with context.acting() as (session, actor):
        shown = users.change_password(session=session, actor=actor, login=login, password=password)
    done(_("Password of {login} changed.").format(login=login))
    if shown:
        done(_("New password (shown once, pass it on privately): {password}").format(password=shown))


@app.command("list")
def list_(
    role: Annotated[Optional[str], typer.Option("--role", help="Only this role.")] = None,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """List users with their roles and supervisors.

    Example: yoolla user list --role manager
    """
    with context.reading_as() as (session, actor):
        render_listing(users.list_users(session=session, actor=actor, role=role), fmt, USER_COLUMNS, limit=limit, all_=all_)


@app.command("map")
def map_(
    login: Annotated[str, typer.Argument(help="The Yoolla user, e.g. anna.")],
    os_login: Annotated[Optional[str], typer.Option("--os-login", help="Their login on this machine (SQLite).")] = None,
    db_role: Annotated[Optional[str], typer.Option("--db-role", help="Their PostgreSQL role.")] = None,
) -> None:
    """Say who a user is outside Yoolla (admins only): the OS login that runs yoolla for them on
    a SQLite database, the PostgreSQL role they connect as.

    Example: yoolla user map anna --os-login asmirnova
    """
    with context.acting() as (session, actor):
        user = users.map_identity(session=session, actor=actor, login=login, os_login=os_login, db_role=db_role)
        done(_("{login}: OS login {os_login}, database role {db_role}.").format(
            login=user.login, os_login=user.os_login, db_role=user.db_role))
