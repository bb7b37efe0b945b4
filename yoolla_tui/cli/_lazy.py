"""Start-up: `yoolla --version`, `--help` and completion import no ORM; a command loads only its group.

Two pieces, both standard:
- `LazyGroup`: Click's "lazy loading subcommands" for the root Typer app. The root knows each
  top-level command's name, summary line and a loader; the loader imports the command's CLI
  module(s) and registers them on a scratch Typer app, converted with the root's settings, only
  when that command is run or asked for its own help. The command list (`yoolla --help`) and
  completion use the summary lines and import nothing.
- `module(name)`: a core module imported at its first attribute use (`importlib.util.LazyLoader`),
  so that building a command's options and its `--help` does not pay for SQLAlchemy and the models.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Callable

import typer
import typer.core
import typer.main


def module(name: str):
    """The module `name`, executed at its first attribute use (or now, if it is already imported)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    lazy = importlib.util.module_from_spec(spec)
    sys.modules[name] = lazy
    loader.exec_module(lazy)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, lazy)
    return lazy


Loader = Callable[[typer.Typer], None]


class LazyGroup(typer.core.TyperGroup):
    """A Typer group whose sub-commands named in `lazy` ({name: (loader, summary line)}) load on demand."""

    lazy: dict[str, tuple[Loader, str]] = {}
    _summaries_only = False

    def list_commands(self, ctx) -> list[str]:
        return list(dict.fromkeys([*self.commands, *self.lazy]))

    def get_command(self, ctx, name):
        if name not in self.commands and name in self.lazy:
            if self._summaries_only:  # a command list: the name and its summary line are all it shows
                return typer.core.TyperCommand(name, short_help=self.lazy[name][1])
            self._load(name)
        return super().get_command(ctx, name)

    def _load(self, name: str) -> None:
        loader, _summary = self.lazy[name]
        scratch = typer.Typer(rich_markup_mode=self.rich_markup_mode)
        loader(scratch)
        for loaded, command in typer.main.get_group(scratch).commands.items():
            self.commands.setdefault(loaded, command)

    def format_help(self, ctx, formatter) -> None:
        self._summaries_only = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._summaries_only = False

    def shell_complete(self, ctx, incomplete):
        self._summaries_only = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._summaries_only = False
