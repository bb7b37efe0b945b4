"""Phone numbers: normalised to E.164 plus extension with phonenumbers; the raw text is kept."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumber

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
    quick = _fast_path(text, region)
    if quick is not None:
        return quick
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        raise BadInput(_("{raw!r} is not a phone number").format(raw=text))
    if not phonenumbers.is_valid_number(number):
        raise BadInput(_("{raw!r} is not a valid phone number for region {region}").format(raw=text, region=region.upper()))
    return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number.extension or "", text)


# Imports parse 100k phones; most are Russian numbers written with digits, spaces, dashes and
# brackets only. For those, phonenumbers' parse is the slow part: build the number directly and
# let phonenumbers decide validity. Anything else (and anything the fast path finds invalid, so
# the error is phonenumbers' own) takes the full parse, so the results are the same.
# Validity of a 10-digit Russian number depends on its first 6 digits only (every RU pattern in
# phonenumbers' metadata is a prefix of at most 6 digits then \d{n}; tests/core/test_import_phones.py
# checks it against phonenumbers), so it is asked once per prefix.
_FAST_REGIONS = {"RU": 7}
_FAST_LEADING = frozenset("3489")  # RU national numbers; +7 6xx/7xx are Kazakhstan's: full parse
_PREFIX_DIGITS = 6
_valid_prefix: dict[str, bool] = {}
_PUNCTUATION = str.maketrans("", "", " ()-.\u00a0")


def _fast_path(text: str, region: str) -> Phone | None:
    code = _FAST_REGIONS.get(region.upper())
    if code is None:
        return None
    plus = text.startswith("+")
    digits = (text[1:] if plus else text).translate(_PUNCTUATION)
    if not digits.isdigit() or not digits.isascii():
        return None
    if plus or len(digits) == 11:
        if len(digits) != 11 or digits[0] not in ("7" if plus else "78"):
            return None
        national = digits[1:]
    elif len(digits) == 10:
        national = digits
    else:
        return None
    if national[0] not in _FAST_LEADING:
        return None
    valid = _valid_prefix.get(national[:_PREFIX_DIGITS])
    if valid is None:
        valid = phonenumbers.is_valid_number(PhoneNumber(country_code=code, national_number=int(national)))
        _valid_prefix[national[:_PREFIX_DIGITS]] = valid
    if not valid:
        return None
    return Phone(f"+{code}{national}", "", text)


def looks_like_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 7
