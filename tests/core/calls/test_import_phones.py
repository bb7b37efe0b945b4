"""Phones as people (and Excel) write them become E.164 plus extension; the fast path gives
exactly what phonenumbers gives."""

import random

import phonenumbers
import pytest
from hypothesis import given, settings, strategies as st

from yoolla_tui.core.kernel import phones
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.calls.importing.rows import _split_phones, cell_text


@pytest.mark.parametrize("raw,e164,ext", [
    ("+7 (495) 123-45-67", "+74951234567", ""), ("8 495 1234567", "+74951234567", ""),
    ("84951234567", "+74951234567", ""), ("7-916-123-45-67", "+79161234567", ""),
    ("(495) 123-45-67", "+74951234567", ""), ("9161234567", "+79161234567", ""),
    ("8 (495) 123-45-67 доб. 123", "+74951234567", "123"), ("+7 495 123 45 67 ext 12", "+74951234567", "12"),
    ("8.495.123.45.67", "+74951234567", ""), ("+7 (727) 250-00-00", "+77272500000", ""),
])
def test_formats(raw, e164, ext):
    phone = phones.normalise(raw, "RU")
    assert (phone.e164, phone.ext, phone.raw) == (e164, ext, raw)


@pytest.mark.parametrize("cell", [79161234567, 79161234567.0, 7.9161234567E10])
def test_excel_numbers_are_the_digits_typed(cell):
    assert cell_text(cell) == "79161234567"
    assert phones.normalise(cell_text(cell)).e164 == "+79161234567"


def test_two_numbers_in_a_cell_keep_the_first():
    assert _split_phones("495 123-45-67, 916 123-45-67") == ("495 123-45-67", "916 123-45-67")
    assert _split_phones("495 123-45-67; 916 123-45-67 или 8 812 111-22-33") == ("495 123-45-67", "916 123-45-67, 8 812 111-22-33")
    assert _split_phones("8 495 123-45-67, доб. 12") == ("8 495 123-45-67, доб. 12", None)


@pytest.mark.parametrize("raw", ["", "нет", "123-45", "+7 (000) 000-00-00", "8 800", "4951234567890123"])
def test_invalid_phones_are_refused_with_the_text(raw):
    with pytest.raises(BadInput):
        phones.normalise(raw)


def _slow(raw: str, region: str = "RU"):
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number.extension or ""


def _fast(raw: str, region: str = "RU"):
    try:
        phone = phones.normalise(raw, region)
    except BadInput:
        return None
    return phone.e164, phone.ext


_FORMATS = ["+7 ({a}) {b}-{c}-{d}", "8 {a} {b}{c}{d}", "8{a}{b}{c}{d}", "7-{a}-{b}-{c}-{d}", "({a}) {b}-{c}-{d}",
            "{a}{b}{c}{d}", "7{a}{b}{c}{d}", "+7{a}{b}{c}{d}", "+8 {a} {b}{c}{d}", "{a}.{b}.{c}.{d}", "8-{a}-{b}{c}{d}"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.sampled_from(_FORMATS))
def test_fast_path_matches_phonenumbers(digits, form):
    raw = form.format(a=digits[:3], b=digits[3:6], c=digits[6:8], d=digits[8:])
    assert _fast(raw) == _slow(raw)


def test_validity_depends_on_the_first_six_digits_only():
    """The fast path asks phonenumbers once per 6-digit prefix; check the premise on a sample."""
    rng = random.Random(10)
    for _ in range(3000):
        prefix = rng.choice("3489") + f"{rng.randrange(100000):05d}"
        verdicts = {phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=7, national_number=int(prefix + s)))
                    for s in ("0000", "9999", f"{rng.randrange(10000):04d}")}
        assert len(verdicts) == 1, prefix


@pytest.mark.parametrize("cell,first,second", [
    ("876|678|3469", "876 678 3469", None),                          # one number written in groups
    ("718/555/0123", "718 555 0123", None),
    ("8 800 / 555 35 35", "8 800 555 35 35", None),
    ("495 123-45-67 / 916 123-45-67", "495 123-45-67", "916 123-45-67"),   # two whole numbers
    ("495 123-45-67 | 916 123-45-67", "495 123-45-67", "916 123-45-67"),
    ("123-45-67, 234-56-78", "123-45-67", "234-56-78"),
    ("495 123-45-67, доб. 12", "495 123-45-67, доб. 12", None),
])
def test_separators_part_groups_or_numbers_by_their_lengths(cell, first, second):
    assert _split_phones(cell) == (first, second)


@pytest.mark.parametrize("raw,region,e164", [
    ("876 678 3469", "US", "+18766783469"), ("876.678.3469", "US", "+18766783469"),
    ("8 916 123 45 67", "RU", "+79161234567"), ("8.916.123.45.67", "RU", "+79161234567")])
def test_dots_and_spaces_between_groups(raw, region, e164):
    assert phones.normalise(raw, region).e164 == e164


def test_region_is_guessed_from_the_numbers_themselves():
    assert phones.guess_region(["8 916 123-45-67", "+7 495 123 45 67", "9161234567", "8 (495) 765-43-21"]) == "RU"
    assert phones.guess_region(["876 678 3469", "(650) 253-0000", "212.736.5000", "2025550173"]) == "US"
    assert phones.guess_region(["+1 650 253 0000", "+1 212 736 5000"]) == "US"
    assert phones.guess_region(["нет", "12"]) == "RU"  # nothing to go by: the default
    # A number valid in both counts for both; the ones only one region accepts decide.
    assert phones.region_votes("9161234567") == ["RU"]
    assert phones.valid_elsewhere("212 736 5000", "RU") == "US"
    assert phones.valid_elsewhere("12", "RU") is None
