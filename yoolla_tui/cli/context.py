"""What every command shares: the database, the acting user, and turning domain errors into
one line on stderr with a non-zero exit."""

from __future__ import annotations

import io
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Iterator, Optional

import sys

import typer
from yoolla_tui.cli._lazy import LazyGroup, module
from yoolla_tui.core.kernel.errors import BadInput, YoollaError
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
    """The root group: any YoollaError raised below becomes a one-line error, never a traceback;
    so does a stream that cannot be written (a full disk), and a reader that went away
    (`yoolla deal list --format csv | head -1`) ends the command quietly, as Unix tools do."""

    def invoke(self, ctx):
        from yoolla_tui.cli import _startup

        _startup.done()  # from here Click handles Ctrl-C ("Aborted!") and transactions roll back
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not in Python's exit
            return result
        except YoollaError as error:
            _fail(error.message)
            raise typer.Exit(error.exit_code) from None
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(1) from None
        except OSError as error:  # `> /dev/full`; files Yoolla writes say CannotWrite (core/kernel/files.py)
            reason = error.strerror or str(error) or error.__class__.__name__
            if error.filename:
                _fail(_("{file}: {reason}").format(file=error.filename, reason=reason))
            else:  # no file named: the output stream itself
                _silence_stdout()  # what stayed in the buffer can go nowhere either
                _fail(_("cannot write {file}: {reason}").format(file=_("standard output"), reason=reason))
            raise typer.Exit(1) from None

    def list_commands(self, ctx) -> list[str]:
        # The order of the weekly story, whatever order the modules registered in.
        rank = {name: index for index, name in enumerate(STORY_ORDER)}
        return sorted(super().list_commands(ctx), key=lambda name: rank.get(name, len(rank)))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None and not self._summaries_only:
            _one_line_summaries(command)
            _user_after_command(command)
        return command


def _set_user(value: str | None) -> str | None:
    if value is not None:
        state().user = value  # runs after the root callback: `yoolla deal list --user anna` = `yoolla --user anna deal list`
    return value


_USER_OPTION = []


def _user_after_command(command) -> None:
    """Every command and group below the root accepts the global `--user LOGIN` / `-u LOGIN`
    after its name too (hidden from its help; the root's help shows it). A command with its
    own `--user` (the dashboard's means the same) keeps it."""
    import copy

    if getattr(command, "_yoolla_user", False):
        return
    command._yoolla_user = True
    taken = {opt for param in command.params for opt in getattr(param, "opts", [])}
    if "--user" not in taken:
        if not _USER_OPTION:
            _USER_OPTION.append(_user_option())
        option = copy.copy(_USER_OPTION[0])
        if "-u" in taken:
            option.opts = ["--user"]
        command.params.append(option)
    for child in getattr(command, "commands", {}).values():
        _user_after_command(child)


def _user_option():
    """The hidden `--user` option, built by Typer like any other, its value kept out of the command's arguments."""
    import typer.main

    scratch = typer.Typer()

    @scratch.command()
    def _scratch(user: Annotated[Optional[str], typer.Option("--user", "-u", hidden=True, metavar="LOGIN",
                                                             callback=_set_user)] = None) -> None:
        pass  # pragma: no cover

    option = next(p for p in typer.main.get_command(scratch).params if p.name == "user")
    option.expose_value = False
    return option


def renamed_user(value: str | None, *, command: str, new: str, meaning: str) -> None:
    """A command's own `--user` that meant something else was renamed (it collided with the global
    one): its old spelling is refused, naming the new option and where the global one goes."""
    if value is not None:
        raise BadInput(_("`{command} --user` ({meaning}) is now `{command} {new} LOGIN`; to act as someone: "
                         "yoolla --user LOGIN {command}").format(command=command, meaning=meaning, new=new))


def _fail(message: str) -> None:
    try:
        sys.stderr.write(_("Error: {message}").format(message=visible(message)) + "\n")
        sys.stderr.flush()
    except OSError:
        pass  # stderr is gone too: the exit code is all that is left


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's own flush at exit finds nothing to complain
    about (Python's docs on SIGPIPE advise this)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # not a real file (a test runner's buffer): nothing will flush it at exit


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


def open_engine(*, create: bool = False):
    """The chosen database's engine. A SQLite file that is not there is refused (nothing is
    created: no empty file, no lock file) unless `create` (init, db restore)."""
    url = state().url
    if not create:
        db.require_exists(url)
    return db.get_engine(url)


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
    engine = open_engine()
    db.require_current(engine)
    with identity.acting_session(engine, claimed=state().user, command=command()) as (s, who):
        yield s, who


@contextmanager
def reading_who() -> Iterator[tuple[Session, Acting]]:
    """A read-only snapshot of the chosen database plus who is reading: listings, reports and
    exports never take the write lock, so operators keep logging calls while they run; a refused
    reader is recorded like any refusal."""
    engine = open_engine()
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
