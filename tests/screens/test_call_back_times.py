"""The call-back time box takes what operators type, in Russian and English, with our clock as
"now"; a typo keeps the typed text and says why; the quick "tomorrow 10:00" follows the
working calendar."""

from __future__ import annotations

from tests.conftest import dump
from tests.core.world import at
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Deal

from .conftest import press, settle


def next_call(engine, deal_id):
    with db.session_scope(engine) as s:
        return s.get(Deal, deal_id).next_call_at


async def open_first(pilot):
    await settle(pilot)
    await press(pilot, "enter")


async def test_typed_times_in_russian(world, make, monkeypatch):
    monkeypatch.setenv("YOOLLA_LANG", "ru")
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first(pilot)
        await press(pilot, "2", "4", *"завтра в 11:30", "enter")
        assert next_call(world.engine, world.ids["C1"]) == at("2026-11-24 11:30")
        await press(pilot, "2", "4", *"+3ч", "enter")
        assert next_call(world.engine, world.ids["C7"]) == at("2026-11-23 13:30")
        await press(pilot, "2", "4", *"03.12 11:00", "enter")
        assert next_call(world.engine, world.ids["C12"]) == at("2026-12-03 11:00")


async def test_a_typo_keeps_the_text_and_changes_nothing(world, make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first(pilot)
        before = dump(world.engine)
        await press(pilot, "2", "4", *"tomorow 11", "enter")
        assert type(app.screen).__name__ == "TextModal"
        assert app.screen.query_one("Input").value == "tomorow 11"
        assert "cannot read time 'tomorow 11'" in str(app.screen.query_one("#text-hint").render())
        assert dump(world.engine) == before
        await press(pilot, "backspace", "backspace", "backspace", "backspace", "backspace", "backspace",
                    "backspace", "backspace", "backspace", "backspace", *"in 3 days", "enter")
        assert next_call(world.engine, world.ids["C1"]) == at("2026-11-26 10:30")


async def test_tomorrow_10_on_a_friday_is_monday(world, make, monkeypatch):
    monkeypatch.setenv("YOOLLA_NOW", "2026-11-27T10:30:00+03:00")
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first(pilot)
        await press(pilot, "2")
        assert "Mon 30.11 10:00" in str(app.screen.query_one("OptionList").get_option_at_index(2).prompt)
        await press(pilot, "3")
        assert next_call(world.engine, world.ids["C1"]) == at("2026-11-30 10:00")
