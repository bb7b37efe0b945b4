"""Help a person reads: `--user LOGIN`, `--date DATE`, `--after TASK…`, `--limit N`, never `<str>`,
`<list[str]>` or `<bool>`.

Typer's rich help prints each parameter's Python type in angle brackets unless the parameter has
a metavar. Rather than repeat a metavar on some three hundred options, the help asks this module:
an option's own metavar wins; otherwise its long name says what goes there (the table below, then
the name itself in capitals: `--city CITY`); a flag shows nothing; a choice shows its values; a
list ends in "…". An argument shows its name in capitals (`deal show DEAL`) and no type.

Installed once, by `yoolla_tui.cli`, before any command is built; it imports nothing heavy.
"""

from __future__ import annotations

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


def install() -> None:
    typer.core.TyperOption.display_type_rich = lambda self, ctx: option_metavar(self)
    typer.core.TyperArgument.display_type_rich = lambda self, ctx: None
    typer.core.TyperArgument.display_name_raw = property(argument_name)
