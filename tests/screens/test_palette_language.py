"""The command palette speaks the user's language, Textual's own strings included (issue 23):
the placeholder and "No matches found" are Russian under YOOLLA_LANG=ru."""

from __future__ import annotations

import pytest
from textual.command import CommandInput, CommandList

from .conftest import press, settle


@pytest.mark.parametrize("lang,placeholder,nothing", [
    ("en", "Search for commands…", "No matches found"),
    ("ru", "Найти команду…", "Ничего не найдено"),
])
async def test_palette_strings_follow_the_language(world, make, monkeypatch, lang, placeholder, nothing):
    monkeypatch.setenv("YOOLLA_LANG", lang)
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert app.screen.query_one(CommandInput).placeholder == placeholder
        await press(pilot, *"qqqxz")
        await pilot.pause(0.8)  # Textual waits half a second before saying nothing matched
        commands = app.screen.query_one(CommandList)
        shown = [str(commands.get_option_at_index(i).prompt.renderable) for i in range(commands.option_count)]
        assert nothing in " ".join(shown)
