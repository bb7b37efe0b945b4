"""`?` lists this screen's own keys, grouped, each once; Textual's generic keys are left out."""

from __future__ import annotations

from .conftest import press, settle


def help_text(app) -> str:
    from rich.console import Console

    console = Console(width=76, record=True, file=open("/dev/null", "w"))
    console.print(app.screen._table())
    return console.export_text()


async def test_deal_help_lists_the_outcomes_first_and_each_key_once(world, make, monkeypatch):
    monkeypatch.setenv("YOOLLA_LANG", "ru")
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "question_mark")
        assert type(app.screen).__name__ == "HelpModal"
        text = help_text(app)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == "Итоги звонка"
        assert lines[1].startswith("1 ")
        assert "Focus Next" not in text and "tab" not in text
        assert sum(1 for line in lines if line.startswith("esc / q")) == 1
        assert "z " not in text  # nothing to undo yet: not listed
        await press(pilot, "question_mark")
        assert type(app.screen).__name__ == "DealScreen"
