"""Phone numbers: normalised to E.164 plus extension with phonenumbers; the raw text is kept."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumber

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _

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


# ---- which country a list's numbers are written for (`yoolla import --region auto`) ----------

AUTO = "AUTO"
# Regions told apart by the shape of national numbers: RU (8/7 + 10 digits, or 10 digits
# starting 3/4/8/9) and US (NANP: 10 digits, or 1 + 10). Numbers with a +code vote for their country.
_SHAPES = (("RU", 7, "78"), ("US", 1, "1"))


def _national_valid(digits: str, code: int, trunk: str) -> bool:
    if len(digits) == 11 and digits[0] in trunk:
        digits = digits[1:]
    if len(digits) != 10:
        return False
    return phonenumbers.is_valid_number(PhoneNumber(country_code=code, national_number=int(digits)))


def region_votes(text: str) -> list[str]:
    """The regions for which `text` (as typed, no +code) is a valid national number; for a +code, its country."""
    text = text.strip()
    if text.startswith("+"):
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(text, None))
        except phonenumbers.NumberParseException:
            return []
        return [region] if region and region != "ZZ" else []
    digits = "".join(ch for ch in text if ch.isdigit())
    return [region for region, code, trunk in _SHAPES if _national_valid(digits, code, trunk)]


def guess_region(texts, default: str = DEFAULT_REGION) -> str:
    """The region most of `texts` (a sample of a list's phones) are valid for; `default` on a tie or no votes.

    Numbers valid in several regions count for each, so the numbers only one region accepts decide.
    """
    votes: dict[str, int] = {}
    for text in texts:
        for region in region_votes(text):
            votes[region] = votes.get(region, 0) + 1
    if not votes:
        return default
    best = max(votes.values())
    winners = [region for region, n in votes.items() if n == best]
    return default if default in winners else sorted(winners)[0]


def valid_elsewhere(text: str, region: str) -> str | None:
    """A region other than `region` in which `text` would be a valid number (RU, US), or None."""
    for other in region_votes(text):
        if other != region.upper():
            return other
    return None


# ---- showing a number ------------------------------------------------------------------------

_shown: dict[str, str] = {}


def pretty(e164: str | None, ext: str | None = None) -> str:
    """A stored number the way people read it: `+7 843 362-23-09` (phonenumbers' international
    format), `ext` after a ×. Anything phonenumbers cannot parse is shown as stored."""
    if not e164:
        return ""
    shown = _shown.get(e164)
    if shown is None:
        try:
            shown = phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        except phonenumbers.NumberParseException:
            shown = e164
        if len(_shown) < 100_000:
            _shown[e164] = shown
    return f"{shown} ×{ext}" if ext else shown
