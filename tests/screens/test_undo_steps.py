"""`z` undoes, one step at a time, every outcome this operator logged since the dashboard
opened; the footer offers z only while there is something to undo; one more z says so."""

from __future__ import annotations

from sqlalchemy import select
from textual.widgets import Footer

from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Call

from .conftest import press, settle


def outcomes(engine, deal_id):
    with db.session_scope(engine) as s:
        return s.scalars(select(Call.outcome).where(Call.deal_id == deal_id).order_by(Call.id)).all()


def footer_keys(app) -> set[str]:
    return {key.key for key in app.screen.query_one(Footer).query("FooterKey")}


async def test_z_walks_back_through_every_outcome_then_says_nothing_is_left(world, make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert "z" not in footer_keys(app)
        await press(pilot, "1")  # C1 no answer -> C7
        await press(pilot, "6")  # C7 wrong number -> C12
        assert "z" in footer_keys(app)
        assert outcomes(world.engine, world.ids["C7"]) == ["wrong_number"]
        await press(pilot, "z")
        assert app.screen.deal_id == world.ids["C7"] and outcomes(world.engine, world.ids["C7"]) == []
        await press(pilot, "z")
        assert app.screen.deal_id == world.ids["C1"] and outcomes(world.engine, world.ids["C1"]) == ["call_back"]
        assert "z" not in footer_keys(app)
        await press(pilot, "z")
        assert "Nothing to undo" in str(app.screen.query_one("#message").render())
        assert outcomes(world.engine, world.ids["C1"]) == ["call_back"]  # the morning's call is not anna's to undo here


async def test_do_not_call_promises_no_undo(world, make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "5", "y")
        message = str(app.screen.query_one("#message").render())
        assert "Do not call logged" in message and "z undoes" not in message
        assert "z" not in footer_keys(app)


async def test_after_escape_today_s_cursor_is_on_the_deal_just_left(world, make):
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "1", "1")  # C1, C7 logged; C12 on screen
        assert app.screen.deal_id == world.ids["C12"]
        await press(pilot, "escape")
        assert app.screen.selected_id() == world.ids["C12"]


async def test_z_reaches_back_to_when_the_dashboard_opened_not_only_five_minutes(world, make, monkeypatch):
    """Issue 23: hours after two outcomes on the same deal (3, then 1), `z` twice puts the deal back
    as it was; `undo_minutes` (5) limits `yoolla call undo`, not the open dashboard's session."""
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert app.screen.deal_id == world.ids["C1"]
        await press(pilot, "3")  # interested: stays on C1 (agreed)
        await press(pilot, "1")  # no answer on C1 -> C7
        assert outcomes(world.engine, world.ids["C1"]) == ["call_back", "interested", "no_answer"]
        monkeypatch.setenv("YOOLLA_NOW", "2026-11-23T14:30:00+03:00")  # four hours later
        await press(pilot, "z")
        assert outcomes(world.engine, world.ids["C1"]) == ["call_back", "interested"]
        await press(pilot, "z")
        assert outcomes(world.engine, world.ids["C1"]) == ["call_back"]
        assert app.screen.deal_id == world.ids["C1"]
        assert "Undone" in str(app.screen.query_one("#message").render())
