"""The seller's requisites, printed on every document: stored in the `setting` table under
`company` (one row, a JSON object), set by an admin with `yoolla company set`."""

from __future__ import annotations

import re

from sqlmodel import Session

from yoolla_tui.core.kernel import audit
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Setting, User
from yoolla_tui.core.kernel.permissions import require_admin, require_client_reader

KEY = "company"
# field -> (digits it must have, or None for free text)
FIELDS: dict[str, tuple[int, ...] | None] = {
    "name": None, "inn": (10, 12), "kpp": (9,), "ogrn": (13, 15), "account": (20,), "bank": None, "bik": (9,),
    "corr_account": (20,), "address": None, "city": None, "phone": None, "email": None, "director": None,
    "vat": None, "item": None, "price": None,
}
# What an invoice cannot go out without.
INVOICE_FIELDS = ("name", "inn", "account", "bank", "bik")


def get(session: Session) -> dict:
    """The stored requisites ({} when none were set)."""
    row = session.get(Setting, KEY)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def show(*, session: Session, actor: User) -> dict:
    """The requisites as `company show` prints them: every field, unset ones as None."""
    require_client_reader(actor, action=_("see the company's requisites"))
    stored = get(session)
    return {field: stored.get(field) for field in FIELDS}


def set_company(*, session: Session, actor: User, **values: str | None) -> dict:
    """Change the given requisites (None: leave as is, '': clear). Admins only.

    BadInput for an unknown field, an INN / KPP / OGRN / BIK / account of the wrong number of
    digits, or a VAT that is not a percentage from 0 to 99 or `none`.
    """
    require_admin(actor, action=_("set the company's requisites"))
    stored = get(session)
    before = dict(stored)
    for field, value in values.items():
        if field not in FIELDS:
            raise BadInput(_("unknown requisite {field!r}: expected {known}").format(field=field, known=", ".join(FIELDS)))
        if value is None:
            continue
        value = value.strip()
        if not value:
            stored.pop(field, None)
            continue
        stored[field] = _check(field, value)
    row = session.get(Setting, KEY)
    if row is None:
        session.add(Setting(key=KEY, value=stored))
    else:
        row.value = stored
    audit.record(session, actor, "company.set", "setting", None, before=before, after=stored)
    return {field: stored.get(field) for field in FIELDS}


def _check(field: str, value: str) -> str:
    digits = FIELDS[field]
    if digits is not None:
        plain = re.sub(r"[\s-]", "", value)
        if not plain.isdigit() or len(plain) not in digits:
            raise BadInput(_("--{option} takes {digits} digits, not {value!r}").format(
                option=field.replace("_", "-"), digits=" or ".join(map(str, digits)), value=value))
        return plain
    if field == "vat":
        if value.lower() in ("none", "no", "0%", "без ндс"):
            return "none"
        try:
            rate = int(value.rstrip("%"))
        except ValueError:
            rate = -1
        if not 0 <= rate <= 99:
            raise BadInput(_("--vat takes a percentage (20, 10, 0) or none, not {value!r}").format(value=value))
        return str(rate)
    if field == "price":
        from yoolla_tui.core.kernel import money

        return money.show(money.parse_amount(value))
    return value


def vat_rate(requisites: dict) -> int | None:
    """The VAT percentage included in prices, None for "without VAT"."""
    vat = requisites.get("vat")
    return None if vat in (None, "none") else int(vat)


def missing_for(requisites: dict, kind: str) -> list[str]:
    """The requisites a document of `kind` cannot go out without, that are not set."""
    needed = INVOICE_FIELDS if kind in ("invoice", "contract") else ("name",)
    return [field for field in needed if not requisites.get(field)]
