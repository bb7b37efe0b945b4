"""Phone numbers: normalised to E.164 plus extension with phonenumbers; the raw text is kept."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from .errors import BadInput
from .i18n import _

DEFAULT_REGION = "RU"


@dataclass(frozen=True)
class Phone:
    e164: str
    ext: str
    raw: str

    def display(self) -> str:
        return f"{self.e164} ext {self.ext}" if self.ext else self.e164


def normalise(raw: str, region: str = DEFAULT_REGION) -> Phone:
    """Parse a phone as a person typed it ("8 (495) 123-45-67 доб. 12"); BadInput if not a number."""
    text = (raw or "").strip()
    if not text:
        raise BadInput(_("phone is empty"))
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        raise BadInput(_("{raw!r} is not a phone number").format(raw=text))
    if not phonenumbers.is_valid_number(number):
        raise BadInput(_("{raw!r} is not a valid phone number for region {region}").format(raw=text, region=region.upper()))
    return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number.extension or "", text)


def looks_like_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 7
