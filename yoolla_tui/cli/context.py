"""What every command shares: the database, the acting user, and turning domain errors into
one line on stderr with a non-zero exit."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import sys

import typer
from yoolla_tui.core import db, users
from yoolla_tui.core.db import Session
from yoolla_tui.core.errors import YoollaError
from yoolla_tui.core.i18n import _
from yoolla_tui.core.models import User
from yoolla_tui.core.paths import default_db_url


class YoollaGroup(typer.core.TyperGroup):
    """The root group: any YoollaError raised below becomes a one-line error, never a traceback."""

    def invoke(self, ctx):
        from . import _startup

        _startup.done()  # from here Click handles Ctrl-C ("Aborted!") and transactions roll back
        try:
            return super().invoke(ctx)
        except YoollaError as error:
            sys.stderr.write(_("Error: {message}").format(message=error.message) + "\n")
            raise typer.Exit(error.exit_code) from None

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)  # keep the order they were added in: the weekly story


@dataclass
class State:
    db_url: str | None = None
    user: str | None = None

    @property
    def url(self) -> str:
        return db.normalise_url(self.db_url or os.environ.get("YOOLLA_DB") or default_db_url())


_STATE = State()


def state() -> State:
    """The global options of the running invocation (set by the root callback each time)."""
    return _STATE


@contextmanager
def session(*, migrated: bool = True) -> Iterator[Session]:
    """A transaction on the chosen database; committed when the command succeeds."""
    engine = db.get_engine(state().url)
    if migrated:
        db.require_current(engine)
    with db.session_scope(engine) as s:
        yield s


@contextmanager
def acting() -> Iterator[tuple[Session, User]]:
    """A transaction plus the acting user (--user / YOOLLA_USER)."""
    with session() as s:
        yield s, users.resolve_actor(s, state().user)
