"""What every command shares: the database, the acting user, and turning domain errors into
one line on stderr with a non-zero exit."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

import sys

import typer
from yoolla_tui.cli._lazy import LazyGroup, module
from yoolla_tui.core.kernel.errors import YoollaError
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.paths import default_db_url

db = module("yoolla_tui.core.kernel.db")  # imported when a command opens the database, not for --help
users = module("yoolla_tui.core.people.users")
if TYPE_CHECKING:
    from yoolla_tui.core.kernel.db import Session
    from yoolla_tui.core.kernel.models import User


STORY_ORDER = ["init", "demo", "dashboard", "db", "user", "client", "import", "campaign", "deal", "call", "next",
               "stage", "lost-reason", "checkpoint", "health", "document", "company", "mail", "order", "task", "template", "process", "schedule", "inbox",
               "report", "audit"]


class YoollaGroup(LazyGroup):
    """The root group: any YoollaError raised below becomes a one-line error, never a traceback."""

    def invoke(self, ctx):
        from yoolla_tui.cli import _startup

        _startup.done()  # from here Click handles Ctrl-C ("Aborted!") and transactions roll back
        try:
            return super().invoke(ctx)
        except YoollaError as error:
            sys.stderr.write(_("Error: {message}").format(message=error.message) + "\n")
            raise typer.Exit(error.exit_code) from None

    def list_commands(self, ctx) -> list[str]:
        # The order of the weekly story, whatever order the modules registered in.
        rank = {name: index for index, name in enumerate(STORY_ORDER)}
        return sorted(super().list_commands(ctx), key=lambda name: rank.get(name, len(rank)))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None:
            _one_line_summaries(command)
        return command


def _one_line_summaries(command) -> None:
    """A command list shows each command's first paragraph; a docstring wrapped at 100 columns
    would print its line breaks there, so the summary is that paragraph on one line."""
    import inspect

    if not command.short_help and command.help:
        first = inspect.cleandoc(command.help).split("\n\n")[0]
        command.short_help = " ".join(first.split())
    for child in getattr(command, "commands", {}).values():
        _one_line_summaries(child)


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
