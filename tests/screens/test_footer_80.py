"""At 80 columns, in English and Russian, every role's footer keeps `q` and `?` on screen, with
and without something to undo: an operator never loses the way out or the list of keys."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from .conftest import press, settle


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
