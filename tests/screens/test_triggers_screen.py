"""The dashboard's side of stage triggers (issue 27): the stage picker says what a move will
trigger before it happens, and an admin switches a trigger off with `t` so the next deal
entering that stage does not fire it (asserted in the database)."""

from __future__ import annotations

from sqlalchemy import select

from yoolla_tui.core.automation import triggers
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Deal, Notification, Stage, StageTrigger, User

from .conftest import press, settle
from .test_dashboard_flows import open_first


def _add_notify(world) -> int:
    with db.session_scope(world.engine) as s:
        irina = s.scalars(select(User).where(User.login == "irina")).one()
        return triggers.add_trigger(session=s, actor=irina, stage="agreed", kind="notify",
                                    options={"roles": "supervisor", "text": "go"}).id


async def test_the_stage_picker_shows_what_a_move_will_trigger(world, make):
    _add_notify(world)
    app = make()
    async with app.run_test(size=(120, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "a")
        labels = [str(app.screen.query_one("OptionList").get_option_at_index(i).prompt) for i in range(3)]
        assert labels[1].endswith("Agreed → notify role supervisor")
        assert "→" not in labels[2]
        await press(pilot, "escape")


async def test_an_admin_switches_a_trigger_off_and_the_next_deal_does_not_fire_it(world, make):
    trigger_id = _add_notify(world)
    app = make("irina")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        app.open_deal(world.ids["C1"])
        await settle(pilot)
        await press(pilot, "t")
        assert type(app.screen).__name__ == "TriggersModal"
        assert "on   #1" in str(app.screen.query_one("OptionList").get_option_at_index(0).prompt)
        await press(pilot, "space")
        assert "off  #1" in str(app.screen.query_one("OptionList").get_option_at_index(0).prompt)
        await press(pilot, "escape")
        await press(pilot, "3")  # interested: C1 enters agreed
    with db.session_scope(world.engine) as s:
        assert s.get(StageTrigger, trigger_id).enabled is False
        assert s.get(Stage, s.get(Deal, world.ids["C1"]).stage_id).code == "agreed"  # the move happened
        assert s.scalars(select(Notification).where(Notification.kind == "stage_trigger")).all() == []


async def test_a_manager_has_no_trigger_key(world, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_first(pilot)
        await press(pilot, "t")
        assert type(app.screen).__name__ == "DealScreen"


async def test_the_trigger_list_loads_while_another_operator_holds_the_write_lock(world, make, monkeypatch):
    """Listing the triggers is a read snapshot: with another connection holding SQLite's write lock
    past the busy timeout, the list still appears (it waited out the timeout and failed before)."""
    import os
    import sqlite3

    import pytest

    if os.environ.get("YOOLLA_TEST_DB"):
        pytest.skip("SQLite's one write lock; PostgreSQL readers never wait for writers")
    _add_notify(world)
    monkeypatch.setenv("YOOLLA_BUSY_TIMEOUT", "1")
    db.get_engine.cache_clear()
    app = make("irina")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        app.open_deal(world.ids["C1"])
        await settle(pilot)
        writer = sqlite3.connect(world.engine.url.database, isolation_level=None, timeout=1)
        writer.execute("BEGIN IMMEDIATE")
        try:
            await press(pilot, "t")
            await settle(pilot)
            assert type(app.screen).__name__ == "TriggersModal"
            assert "on   #1" in str(app.screen.query_one("OptionList").get_option_at_index(0).prompt)
        finally:
            writer.execute("ROLLBACK")
            writer.close()


def test_screens_write_only_from_write_workers():
    """A screen opens a write transaction (SQLite's write lock) only in a worker of the "write"
    group; every load and refresh reads a snapshot (app.read or db.read_scope)."""
    import ast
    from pathlib import Path

    import yoolla_tui.screens as screens

    found = []
    for path in Path(screens.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    isinstance(n, ast.Attribute) and n.attr == "session_scope" for n in ast.walk(node)):
                decorators = " ".join(ast.unparse(d) for d in node.decorator_list)
                found.append((path.name, node.name, "group='write'" in decorators))
    assert found and all(ok for _file, _name, ok in found), found
