"""`yoolla user …`: who works in Yoolla and in which role."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

users = module("yoolla_tui.core.people.users")
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
    db_role: Annotated[Optional[str], typer.Option("--db-role", help="Their PostgreSQL role (current_user). Default: the same as LOGIN.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Add a user (admins only).

    Example: yoolla user add anna --name "Анна Смирнова" --role manager --supervisor irina --os-login anna
    """
    with context.acting() as (session, actor):
        user = users.add_user(session=session, actor=actor, login=login, full_name=name, role=role, supervisor=supervisor,
                              os_login=os_login, db_role=db_role)
        row = users.public(user, supervisor)
    if fmt == Fmt.json:
        render_one(row, fmt)
    else:
        done(_("User {login} ({role}) added.").format(login=row["login"], role=row["role"]))


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
