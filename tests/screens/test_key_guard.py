"""Keys land only on the deal on screen: an outcome, stage, invoice or payment key that arrives
while the next deal loads, or within the guard after it is painted, does nothing and is counted
on the message line. Each test presses faster than the next deal can load and counts Call rows."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from yoolla_tui.core.calls import today
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Call

from .conftest import press, settle

GUARD = 3.0  # long enough that keys pressed back to back all fall inside it, even on a loaded machine


def hold_next_card(monkeypatch) -> threading.Event:
    """The next card is read only once the returned event is set: keys pressed before that
    arrive, deterministically, while the next deal loads."""
    gate = threading.Event()
    real = today.next_view

    def slow_next_view(**kwargs):
        gate.wait(20)
        return real(**kwargs)

    monkeypatch.setattr(today, "next_view", slow_next_view)
    return gate


def n_calls(engine, deal_id=None) -> int:
    with db.session_scope(engine) as s:
        query = select(func.count()).select_from(Call)
        if deal_id is not None:
            query = query.where(Call.deal_id == deal_id)
        return s.scalar(query)


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def on_first_deal(pilot):
    await settle(pilot)
    await press(pilot, "enter")
    await pilot.pause(GUARD + 0.1)


async def test_a_double_tap_logs_one_deal_not_two(world, make):
    app = make(key_guard=GUARD)
    before = n_calls(world.engine)
    async with app.run_test(size=(100, 32)) as pilot:
        await on_first_deal(pilot)
        await pilot.press("1", "1", "1")
        await settle(pilot)
        assert n_calls(world.engine) == before + 1
        assert n_calls(world.engine, world.ids["C7"]) == 0  # the deal that appeared got nothing
        assert app.screen.deal_id == world.ids["C7"]
        assert "2 keys ignored: typed before the deal showed" in message(app)
        await pilot.pause(GUARD + 0.1)  # read the card, then press: the key counts
        await press(pilot, "1")
        assert n_calls(world.engine, world.ids["C7"]) == 1
        assert "ignored" not in message(app)


async def test_call_back_then_a_quick_key_leaves_the_next_deal_alone(world, make, monkeypatch):
    """The issue's `2` `2` `1`: a call-back in 2 hours on C1, and no "no answer" on C7."""
    gate = hold_next_card(monkeypatch)
    app = make(key_guard=GUARD)
    async with app.run_test(size=(100, 32)) as pilot:
        await on_first_deal(pilot)
        await pilot.press("2", "2", "1")
        gate.set()
        await settle(pilot)
        with db.session_scope(world.engine) as s:
            outcomes = s.scalars(select(Call.outcome).where(Call.deal_id == world.ids["C1"]).order_by(Call.id)).all()
        assert outcomes == ["call_back", "call_back"]
        assert n_calls(world.engine, world.ids["C7"]) == 0
        assert "1 key ignored" in message(app)
        # Found in tmux: the notice stuck to every later message. A deliberate z says only its own.
        await pilot.pause(GUARD + 0.1)
        await press(pilot, "z")
        assert "Undone" in message(app) and "ignored" not in message(app)


async def test_refused_with_a_reason_then_a_quick_key_leaves_the_next_deal_alone(world, make, monkeypatch):
    """The issue's `4` `3` `1`."""
    gate = hold_next_card(monkeypatch)
    app = make(key_guard=GUARD)
    async with app.run_test(size=(100, 32)) as pilot:
        await on_first_deal(pilot)
        await pilot.press("4", "3", "1")
        gate.set()
        await settle(pilot)
        assert n_calls(world.engine, world.ids["C1"]) == 2  # the morning's call-back and the refusal
        assert n_calls(world.engine, world.ids["C7"]) == 0


async def test_keys_while_the_next_deal_loads_are_dropped(world, make, monkeypatch):
    """The next card is held back until the keys are in: whatever the guard, a key that arrives
    while the deal is saved and the next one read does nothing."""
    gate = hold_next_card(monkeypatch)
    app = make(key_guard=0.0)
    before = n_calls(world.engine)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        await pilot.press("1")
        await pilot.press("3", "a", "i", "p", "1")
        gate.set()
        await settle(pilot)
        assert n_calls(world.engine) == before + 1
        assert app.screen.deal_id == world.ids["C7"]
        assert "5 keys ignored" in message(app)
        assert type(app.screen).__name__ == "DealScreen"  # no modal opened by the dropped `a` `i` `p`


async def test_a_key_right_after_enter_waits_for_the_card(world, make):
    """Enter then 1 at once: the deal was not on screen yet, so nothing is logged."""
    app = make(key_guard=GUARD)
    before = n_calls(world.engine)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "1")
        await settle(pilot)
        assert n_calls(world.engine) == before
        assert app.screen.deal_id == world.ids["C1"]
        assert "1 key ignored" in message(app)
