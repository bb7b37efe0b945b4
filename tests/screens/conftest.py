"""A fixed small world for the dashboard's pilot and snapshot tests, and helpers to drive it.

Monday 2026-11-23, 10:30 Moscow. anna's deals (world.build, 12 clients): C1, C4, C7, C12, all due
at 09:00 (overdue). Before the test: C1 has a call-back promised for 10:00 (overdue, so first in
the queue), C4 had no answer at 09:30 (due again at 11:30, later today).
"""

from __future__ import annotations

import pytest

from tests.conftest import os_login_of, running_as
from tests.core.world import at, build, deal_ids
from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.calls import deals

NOW = "2026-11-23T10:30:00+03:00"


@pytest.fixture
def world(engine, admin, monkeypatch):
    monkeypatch.setenv("YOOLLA_NOW", NOW)
    with db.session_scope(engine) as session:
        w = build(session, n_clients=12)
        ids = deal_ids(session, w.irina, "W48")
        with clock.frozen(at("2026-11-23 09:20")):
            deals.log_call(session=session, actor=w.anna, deal_id=ids["C1"], outcome="call_back",
                           next_call=at("2026-11-23 10:00"), note="просила набрать в 10")
        with clock.frozen(at("2026-11-23 09:30")):
            deals.log_call(session=session, actor=w.anna, deal_id=ids["C4"], outcome="no_answer")
    w.ids = ids
    w.engine = engine
    return w


@pytest.fixture
def make(db_url, world):
    """The dashboard as `user` on the test database, from the entry point's own factory."""
    from yoolla_tui.app import make_app

    def _make(user: str = "anna", key_guard: float = 0.0):
        # These tests settle between keys, so the guard against keys typed before a deal is on
        # screen is off here; test_key_guard.py turns it on and presses faster than a deal loads.
        with running_as(os_login_of(db_url, user)):
            return make_app(db_url=db_url, user=user, refresh_seconds=3600, key_guard=key_guard)

    return _make


async def settle(pilot) -> None:
    """Let every worker finish and its result reach the screen."""
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            await pilot.pause()
            if not any(w.is_running for w in pilot.app.workers):
                return


async def press(pilot, *keys: str) -> None:
    """Press keys one at a time, as a person does, letting the app answer each."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
