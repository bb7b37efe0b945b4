"""Help a person reads: `--user LOGIN`, `--date DATE`, `--after TASK…`, `--limit N`, never `<str>`,
`<list[str]>` or `<bool>`.

Typer's rich help prints each parameter's Python type in angle brackets unless the parameter has
a metavar. Rather than repeat a metavar on some three hundred options, the help asks this module:
an option's own metavar wins; otherwise its long name says what goes there (the table below, then
the name itself in capitals: `--city CITY`); a flag shows nothing; a choice shows its values; a
list ends in "…". An argument shows its name in capitals (`deal show DEAL`) and no type.

Typer's rich help also keeps every line break of a docstring after its first paragraph, so a
paragraph wrapped for the source code came out ragged at 80 columns. `reflow` joins a paragraph's
lines again, keeping the breaks that mean something: before an indented line (an example), a
bullet, an "Example:" line or a command line.

Installed once, by `yoolla_tui.cli`, before any command is built; it imports nothing heavy.
"""

from __future__ import annotations

import inspect
import re
from typing import get_args

import typer.core

# Where an option's name alone would not say what to type.
BY_NAME = {
    "user": "LOGIN", "manager": "LOGIN", "assignee": "LOGIN", "supervisor": "LOGIN", "admin": "LOGIN",
    "of": "LOGIN", "for": "LOGIN", "login": "LOGIN",
    "users": "LOGINS", "managers": "LOGINS", "watch": "LOGINS",
    "os-login": "OS_LOGIN", "db-role": "DB_ROLE",
    "date": "DATE", "since": "DATE", "close-by": "DATE",
    "due": "WHEN", "at": "WHEN", "next-call": "WHEN",
    "out": "FILE", "password-file": "FILE", "db": "URL",
    "estimate": "DURATION", "add": "DURATION", "set": "DURATION",
    "note": "TEXT", "text": "TEXT", "title": "TEXT", "item": "TEXT",
    "contact": "NAME", "director": "NAME", "reason": "CODE",
    "price": "AMOUNT", "from": "ADDRESS", "requires": "FIELDS", "requires-document": "KIND",
    "followup-days": "N", "budget-days": "N", "vat": "PERCENT", "clients": "SEARCH",
}


def option_metavar(param) -> str | None:
    """What an option's help shows after its name (None: nothing, as for a flag)."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    if param.metavar is not None:
        word = param.metavar
    else:
        desc = param.type_descriptor
        if desc.is_choice and desc.choices is not None:
            word = "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices) + "]"
        else:
            long = next((o[2:] for o in param.opts if o.startswith("--")), param.name or "value")
            element = (get_args(desc.annotation) or (desc.annotation,))[0] if desc.is_list else desc.annotation
            if long in BY_NAME:
                word = BY_NAME[long]
            elif element is int or desc.is_ranged:
                word = "N"
            elif desc.is_path:
                word = "FILE"
            else:
                word = long.upper().replace("-", "_")
    if (getattr(param, "multiple", False) or param.nargs != 1 or param.type_descriptor.is_list) and not word.endswith(("…", "...")):
        word += "…"
    return word


def argument_name(param) -> str:
    return param.metavar if param.metavar is not None else param.name.upper()


_KEEP_BREAK = re.compile(r"(\s|[-*•] |Example|Пример|yoolla |\$ )")


def reflow(help_text: str) -> str:
    """A command's help with each paragraph's source line breaks joined (see the module's doc)."""
    first, *rest = inspect.cleandoc(help_text).split("\n\n")
    paragraphs = [first]
    for paragraph in rest:
        if paragraph.startswith("\b"):
            paragraphs.append(paragraph)
            continue
        lines = paragraph.split("\n")
        out = [lines[0]]
        for line in lines[1:]:
            if _KEEP_BREAK.match(line):
                out.append(line)
            else:
                out[-1] = out[-1].rstrip() + " " + line.strip()
        paragraphs.append("\n".join(out))
    return "\n\n".join(paragraphs)


def _reflowing(format_help):
    def format_with_reflowed_help(self, ctx, formatter):
        if self.help and not getattr(self, "_yoolla_reflowed", False):
            self.help, self._yoolla_reflowed = reflow(self.help), True
        return format_help(self, ctx, formatter)

    return format_with_reflowed_help


def install() -> None:
    for command in (typer.core.TyperCommand, typer.core.TyperGroup):
        command.format_help = _reflowing(command.format_help)
    typer.core.TyperOption.display_type_rich = lambda self, ctx: option_metavar(self)
    typer.core.TyperArgument.display_type_rich = lambda self, ctx: None
    typer.core.TyperArgument.display_name_raw = property(argument_name)
