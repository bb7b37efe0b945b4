"""Amounts as people type them, to integer cents and back."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from yoolla_tui.core.kernel import money
from yoolla_tui.core.kernel.errors import BadInput

CENTS = st.integers(min_value=1, max_value=2**31 - 1)


@given(CENTS)
def test_show_then_parse_round_trips(cents):
    assert money.parse_amount(money.show(cents)) == cents


@given(CENTS, st.sampled_from([" ", "\u00a0"]))
def test_russian_spelling_round_trips(cents, sep):
    # "15 000,50": groups of thousands by a (non-breaking) space, a comma for decimals.
    whole, frac = money.show(cents).split(".")
    grouped = f"{int(whole):,}".replace(",", sep)
    assert money.parse_amount(f"{grouped},{frac}") == cents


@pytest.mark.parametrize(("text", "cents"), [("15000", 1_500_000), ("15000.5", 1_500_050), (" 0,01 ", 1), (250, 25_000)])
def test_parse_amount(text, cents):
    assert money.parse_amount(text) == cents


@given(st.one_of(st.text(max_size=12), st.sampled_from(["nan", "-inf", "Infinity", "sNaN", "1e400", "-0", "0.001"])))
def test_parse_amount_refuses_cleanly_or_returns_storable_cents(text):
    # Whatever is typed: either a positive amount the INTEGER column holds, or BadInput; never a crash.
    try:
        cents = money.parse_amount(text)
    except BadInput as error:
        assert error.message.startswith(repr(text))
    else:
        assert 0 < cents < 2**31


def test_show():
    assert (money.show(None), money.show(5), money.show(1_250_050)) == (None, "0.05", "12500.50")
