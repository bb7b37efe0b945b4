"""At 80 columns, in English and Russian, every role's footer keeps `q` and `?` on screen, with
and without something to undo: an operator never loses the way out or the list of keys."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from .conftest import press, settle
from .test_health_screen import planned  # noqa: F401  (checkpoints: Health has rows)


def visible_keys(app) -> dict[str, bool]:
    """Each footer key -> whether it is drawn whole inside the screen's width."""
    footer = app.screen.query_one(Footer)
    width = app.size.width
    return {key.key_display or key.key: key.region.right <= width and key.region.width > 0
            for key in footer.query("FooterKey")}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("user", ["anna", "irina"])
async def test_q_and_help_stay_visible_at_80_columns(world, make, monkeypatch, lang, user):
    monkeypatch.setenv("YOOLLA_LANG", lang)
    app = make(user)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = visible_keys(app)
        assert keys.get("q") and keys.get("?"), keys
        if user == "anna":
            await press(pilot, "enter", "1")  # an outcome: z appears on Deal and on Today
            keys = visible_keys(app)
            assert keys.get("esc") and keys.get("?") and keys.get("z"), keys
            await press(pilot, "escape")
            keys = visible_keys(app)
            assert keys.get("q") and keys.get("?") and keys.get("z"), keys


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("user,screens", [
    ("anna", ["h", "t"]), ("sveta", ["h", "v", "t"]), ("irina", ["h", "v", "t"]), ("egor", [])])
async def test_every_screen_of_every_role_keeps_the_way_out_and_help_at_80(planned, make, monkeypatch, lang, user,
                                                                          screens):
    """Health, Supervisor and Tasks as well as Today (an executor starts on Tasks): `?` and the
    way out (`q`, or `esc` where q is bound with it to go back) are drawn whole at 80×24."""
    monkeypatch.setenv("YOOLLA_LANG", lang)
    app = make(user)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = visible_keys(app)
        assert keys.get("?") and (keys.get("q") or keys.get("esc")), (type(app.screen).__name__, keys)
        for key in screens:
            await press(pilot, key)
            keys = visible_keys(app)
            assert keys.get("?") and (keys.get("q") or keys.get("esc")), (type(app.screen).__name__, keys)
            await press(pilot, "escape")


@pytest.mark.parametrize("lang,text,whole,kopecks", [("ru", "240000.00", "240\xa0000\xa0₽", "240\xa0000,00\xa0₽"),
                                                      ("en", "240000.00", "240,000", "240,000.00")])
def test_the_payments_card_leaves_out_zero_kopecks_so_it_fits_80_columns(monkeypatch, lang, text, whole, kopecks):
    """At 80 columns the week's payments card read "13 · 240 000,0…"; zero kopecks are left out
    there (not in the deal card, where an amount is an invoice)."""
    from yoolla_tui.screens.base import amount

    monkeypatch.setenv("YOOLLA_LANG", lang)
    assert amount(text, whole=True) == whole
    assert amount(text) == kopecks
    assert amount("240000.50", whole=True) == amount("240000.50")  # kopecks that are there stay
