"""One translation function for every user-facing string.

English is the source language. `YOOLLA_LANG=ru` (or LANGUAGE/LC_ALL/LANG starting with `ru`)
switches to the catalogue in `yoolla_tui/locale/ru/LC_MESSAGES/yoolla.po`, read with Babel at
first use so that an editable install needs no compile step. A missing entry falls back to English.

Mark strings with `_("…")` and format after translating: `_("Unknown user {login}").format(...)`.
"""

from __future__ import annotations

import os
from functools import lru_cache

from yoolla_tui.core.kernel.paths import LOCALE_DIR

DOMAIN = "yoolla"


def current_language() -> str:
    for var in ("YOOLLA_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            lang = value.split(":")[0].split(".")[0].split("_")[0].lower()
            if lang in ("c", "posix"):
                return "en"
            return lang
    return "en"


@lru_cache(maxsize=8)
def _catalog(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out: dict[str, str] = {}
    for message in catalog:
        if message.id and message.string and not message.fuzzy:
            key = message.id if isinstance(message.id, str) else message.id[0]
            value = message.string if isinstance(message.string, str) else message.string[0]
            if value:
                out[key] = value
    return out


def gettext(message: str) -> str:
    """Translate `message` into the current language (English when untranslated)."""
    lang = current_language()
    if lang == "en":
        return message
    return _catalog(lang).get(message, message)


_ = gettext
