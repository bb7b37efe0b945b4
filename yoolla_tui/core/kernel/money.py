"""Amounts as people type them ("15 000,50") to integer minor units and back."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _

# A sanity ceiling far below what the BIGINT `*_cents` columns hold: a typo, not a deal.
MAX_AMOUNT = Decimal("10000000000")
_AMOUNT_RE = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")


def parse_amount(text: str | int | float) -> int:
    """'15000', '15 000,50', '15000.5' -> cents; BadInput unless a positive amount that the
    plausibly be real (below ten billion)."""
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    # ASCII digits and one decimal point only: Decimal() would also take 1e9, "١٢٣" or "１２３".
    if not _AMOUNT_RE.fullmatch(raw):
        raise BadInput(_("{text!r} is not an amount (e.g. 15000 or 15 000,50)").format(text=text))
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadInput(_("{text!r} is not an amount (e.g. 15000 or 15 000,50)").format(text=text))
    if not value.is_finite():  # "nan", "inf" parse as Decimals, and would crash the checks below
        raise BadInput(_("{text!r} is not an amount (e.g. 15000 or 15 000,50)").format(text=text))
    if value >= MAX_AMOUNT:  # checked before quantize(), which fails on huge values
        raise BadInput(_("{text!r} is too large: at most {max} per invoice or payment").format(
            text=text, max=show(int(MAX_AMOUNT * 100) - 1)))
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise BadInput(_("{text!r} is not a positive amount with at most two decimals").format(text=text))
    return int(value * 100)


def show(cents: int | None) -> str | None:
    if cents is None:
        return None
    return f"{Decimal(cents) / 100:.2f}"
