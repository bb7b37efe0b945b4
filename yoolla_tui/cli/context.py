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
from yoolla_tui.core.kernel.text import visible
from yoolla_tui.core.kernel.paths import default_db_url

db = module("yoolla_tui.core.kernel.db")  # imported when a command opens the database, not for --help
identity = module("yoolla_tui.core.people.identity")
if TYPE_CHECKING:
    from yoolla_tui.core.kernel.db import Session
    from yoolla_tui.core.kernel.models import User
    from yoolla_tui.core.people.identity import Acting


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
            sys.stderr.write(_("Error: {message}").format(message=visible(error.message)) + "\n")
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
    db_given: bool = False  # --db on the command line (not YOOLLA_DB)
    user: str | None = None

    @property
    def url(self) -> str:
        return db.normalise_url(self.db_url or os.environ.get("YOOLLA_DB") or default_db_url())


_STATE = State()


def state() -> State:
    """The global options of the running invocation (set by the root callback each time)."""
    return _STATE


def command() -> str | None:
    """The command being run (`yoolla db backup`), for the audit record of a refusal."""
    from typer._click.globals import get_current_context  # typer carries its own click

    ctx = get_current_context(silent=True)
    return ctx.command_path if ctx is not None else None


@contextmanager
def acting_as() -> Iterator[tuple[Session, Acting]]:
    """A transaction plus who is acting in it (core.people.identity: the OS login or database
    role, and --user / YOOLLA_USER only as an admin's act-as or on the demo). Refusals are
    recorded in the audit trail after the transaction rolled back."""
    engine = db.get_engine(state().url)
    db.require_current(engine)
    with identity.acting_session(engine, claimed=state().user, command=command()) as (s, who):
        yield s, who


@contextmanager
def reading_who() -> Iterator[tuple[Session, Acting]]:
    """A read-only snapshot of the chosen database plus who is reading: listings, reports and
    exports never take the write lock, so operators keep logging calls while they run; a refused
    reader is recorded like any refusal."""
    engine = db.get_engine(state().url)
    db.require_current(engine)
    with identity.reading_session(engine, claimed=state().user, command=command()) as (s, who):
        yield s, who


@contextmanager
def reading_as() -> Iterator[tuple[Session, User]]:
    """A read-only snapshot plus the effective acting user."""
    with reading_who() as (s, who):
        yield s, who.user


@contextmanager
def reading() -> Iterator[Session]:
    """A read-only snapshot for a read that needs no particular role; still only for a known,
    active user."""
    with reading_who() as (s, _who):
        yield s


@contextmanager
def acting() -> Iterator[tuple[Session, User]]:
    """A transaction plus the effective acting user."""
    with acting_as() as (s, who):
        yield s, who.user


@contextmanager
def session() -> Iterator[Session]:
    """A transaction for a read that needs no particular role; still only for a known, active user."""
    with acting_as() as (s, _who):
        yield s
