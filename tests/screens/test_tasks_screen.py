"""The Tasks screen on the orders-and-tasks world (tests/core/tasks_world.py): egor's queue with
forecasts, the timer started and stopped with `t`, done with `d` releasing the next task (fedor's
inbox), a comment with `c`. Asserts on the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.core.tasks_world import build_tasks, chain
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Task, TaskComment, TimeEntry

from .conftest import NOW, press, settle


@pytest.fixture
def tw(engine, admin, monkeypatch):
    monkeypatch.setenv("YOOLLA_NOW", NOW)
    with db.session_scope(engine) as session:
        w = build_tasks(session)
        w.logo, w.design, w.build, w.testing = chain(session, w)
    w.engine = engine
    return w


@pytest.fixture
def make_for(db_url, tw):
    from tests.conftest import os_login_of, running_as
    from yoolla_tui.app import make_app

    def _make(user):
        with running_as(os_login_of(db_url, user)):
            return make_app(db_url=db_url, user=user, refresh_seconds=3600)

    return _make


def entries(engine):
    with db.session_scope(engine) as s:
        return [(e.task_id, e.stopped_at is None) for e in s.scalars(select(TimeEntry).order_by(TimeEntry.id))]


async def test_executor_starts_on_tasks_runs_the_timer_finishes_and_comments(tw, make_for):
    app = make_for("egor")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert type(screen).__name__ == "TasksScreen"
        assert screen._ids == [tw.logo.id, tw.design.id]  # testing waits on build: not in the queue yet
        await press(pilot, "t")
        assert entries(tw.engine) == [(tw.logo.id, True)]
        assert "Timer on task" in str(screen.query_one("#timer-line").render())
        await press(pilot, "t")
        assert entries(tw.engine) == [(tw.logo.id, False)]
        await press(pilot, "down", "c", *"готов эскиз", "enter")
        with db.session_scope(tw.engine) as s:
            assert s.scalars(select(TaskComment.text).where(TaskComment.task_id == tw.design.id)).all() == ["готов эскиз"]
        await press(pilot, "d")
        with db.session_scope(tw.engine) as s:
            assert s.get(Task, tw.design.id).status == "done"
        assert screen._ids == [tw.logo.id]
    app = make_for("fedor")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert app.screen._ids == [tw.build.id]
        assert "Inbox: 1 unread" in str(app.screen.query_one("#inbox-title").render())
        await press(pilot, "m")
        assert "Inbox: nothing new" in str(app.screen.query_one("#inbox-title").render())


class TestTasksPicture:
    @pytest.mark.parametrize("lang", ["en", "ru"])
    def test_tasks_100x32(self, snap_compare, make_for, monkeypatch, lang):
        """egor's queue: Logo then Design with estimates and forecast ready dates, the timer line
        (stopped), the inbox line, the footer's keys."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make_for("egor"), terminal_size=(100, 32), run_before=settle)

    @pytest.mark.parametrize("lang", ["en", "ru"])
    @pytest.mark.parametrize("size", [(80, 24), (120, 36)])
    def test_tasks_80_and_120(self, snap_compare, make_for, monkeypatch, lang, size):
        """egor's queue at the smallest and a wide terminal: a title or order too long for its
        column ends in "…", headers whole, `?` and the way out in the footer."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make_for("egor"), terminal_size=size, run_before=settle)


async def test_the_deal_card_shows_its_orders_with_ready_dates(tw, make_for):
    app = make_for("anna")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        app.open_deal(tw.deal["C1"])
        await settle(pilot)
        card = str(app.screen.query_one("#deal").render())
        assert "Order: Сайт · 4 of 4 tasks open, ready" in card


async def test_finishing_a_task_can_be_undone_with_z(tw, make_for):
    app = make_for("egor")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await press(pilot, "down", "d")
        with db.session_scope(tw.engine) as s:
            assert s.get(Task, tw.design.id).status == "done"
        await press(pilot, "z")
        with db.session_scope(tw.engine) as s:
            assert s.get(Task, tw.design.id).status == "todo"
        assert tw.design.id in app.screen._ids  # back in the queue
        assert not app.task_undo
