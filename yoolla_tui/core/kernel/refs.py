"""Record references as people type them: `12` or `#12`."""

from __future__ import annotations

from yoolla_tui.core.kernel.errors import BadInput


def number(ref: int | str, not_a_number: str) -> int:
    """The id in `ref`. BadInput with `not_a_number` (a translated message; `{ref}` is filled in)
    when it is not a whole number."""
    try:
        return int(str(ref).lstrip("#"))
    except ValueError:
        raise BadInput(not_a_number.format(ref=ref)) from None
