"""Text that people type or files bring: control characters, lengths, and cells that become code.

- `checked(value, field=..., limit=...)`: what a service stores — stripped, refused (BadInput
  naming the field and the character) if it holds a control character (ESC of a terminal
  escape, NUL, BEL…; a note may keep line breaks and tabs) or is longer than its limit.
- `control_at(text)`: where the first such character is (import rejects that row by number).
- `visible(text)`: what a terminal may print — every control character shown as `\\x1b`.
- `spreadsheet_safe(text)`: a CSV cell Excel or LibreOffice would run as a formula (starting
  with = + - @ tab or CR, OWASP's list) gets a leading apostrophe — unless the whole cell is a
  number or a phone (digits, spaces and + - ( ) . only), which no spreadsheet can turn into a
  call or a link, so +7 495 123-45-67 and -1500.50 stay usable.
"""

from __future__ import annotations

import re

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _

# Lengths people are told in --help; the client table's columns match the first four.
NAME_LIMIT = 300
CONTACT_LIMIT = 200
EMAIL_LIMIT = 200
CITY_LIMIT = 100
NOTE_LIMIT = 4000
FULL_NAME_LIMIT = 200

# C0 controls (NUL…US), DEL and the C1 controls (CSI, OSC… as single characters).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_OR_PHONE = re.compile(r"^[+\-]?[\d\s().\-]*\d[\d\s().\-]*$")


def control_at(text: str, *, lines: bool = False) -> int | None:
    """Index of the first control character (`lines`: tab, LF and CR allowed), else None."""
    found = (_CONTROL_BUT_LINES if lines else _CONTROL).search(text)
    return found.start() if found else None


_DANGEROUS = re.compile(r"[\x00\x1b\x7f-\x9f]")


def dangerous(text: str) -> bool:
    """NUL (PostgreSQL cannot store it), ESC and the C1 controls (terminal escapes): an imported
    row holding one is rejected; other control characters become spaces (`as_spaces`)."""
    return _DANGEROUS.search(text) is not None


def as_spaces(text: str) -> str:
    """Control characters other than tab and line breaks replaced by spaces."""
    return _CONTROL_BUT_LINES.sub(" ", text)


def describe(char: str) -> str:
    """A control character as people can read it: ESC, NUL, or U+0007."""
    names = {"\x00": "NUL", "\x1b": "ESC", "\x07": "BEL", "\x08": "BS", "\t": "TAB", "\n": "LF", "\r": "CR",
             "\x7f": "DEL", "\x9b": "CSI", "\x9d": "OSC"}
    return names.get(char, f"U+{ord(char):04X}")


def checked(value: str | None, *, field: str, limit: int, lines: bool = False) -> str:
    """`value` stripped; BadInput if it holds a control character or is longer than `limit`."""
    text = (value or "").strip()
    at = control_at(text, lines=lines)
    if at is not None:
        raise BadInput(_("{field} holds a control character ({char}) at position {at}: type it again without it").format(
            field=field, char=describe(text[at]), at=at + 1))
    if len(text) > limit:
        raise BadInput(_("{field} is {n} characters long; at most {limit}").format(field=field, n=len(text), limit=limit))
    return text


def visible(text: str) -> str:
    """Control characters shown as escapes (`\\x1b[31m`), so a name never drives the terminal."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()) if ord(m.group()) < 0x100 else m.group(), text)


def printable_line(text: str) -> str:
    """Like `visible` but keeps tabs and line breaks (notes printed as they were typed)."""
    if _CONTROL_BUT_LINES.search(text) is None:
        return text
    return _CONTROL_BUT_LINES.sub(lambda m: "\\x%02x" % ord(m.group()), text)


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if not text or not text.startswith(_FORMULA_START):
        return text
    if _NUMBER_OR_PHONE.match(text):
        return text
    return "'" + text


def needs_cleaning(text: str) -> bool:
    """Whether `workbook_text` would change it."""
    return _CONTROL_BUT_LINES.search(text) is not None


def workbook_text(text: str) -> str:
    """A string an .xlsx may hold: control characters (illegal in its XML) removed, tab and line breaks kept."""
    if _CONTROL_BUT_LINES.search(text) is None:
        return text
    return _CONTROL_BUT_LINES.sub("", text)
