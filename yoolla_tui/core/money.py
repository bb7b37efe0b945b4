"""Amounts as people type them ("15 000,50") to integer minor units and back."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import BadInput
from .i18n import _


def parse_amount(text: str | int | float) -> int:
    """'15000', '15 000,50', '15000.5' -> cents; BadInput unless a positive amount."""
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadInput(_("{text!r} is not an amount (e.g. 15000 or 15 000,50)").format(text=text))
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise BadInput(_("{text!r} is not a positive amount with at most two decimals").format(text=text))
    return int(value * 100)


def show(cents: int | None) -> str | None:
    if cents is None:
        return None
    return f"{Decimal(cents) / 100:.2f}"
