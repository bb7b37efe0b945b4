"""Record references as people type them: `12` or `#12`."""

from __future__ import annotations

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _

MAX_ID = 2**63 - 1  # the largest integer key SQLite and PostgreSQL's BIGINT hold


def number(ref: int | str, not_a_number: str) -> int:
    """The id in `ref`. BadInput with `not_a_number` (a translated message; `{ref}` is filled in)
    when it is not a whole number."""
    try:
        value = int(str(ref).strip().lstrip("#"))
    except ValueError:
        raise BadInput(not_a_number.format(ref=ref)) from None
    if not 0 <= value <= MAX_ID or not str(ref).strip().lstrip("#").isascii():
        raise BadInput(_("{ref} is not an id: ids are whole numbers from 1 to {max}").format(ref=ref, max=MAX_ID))
    return value
