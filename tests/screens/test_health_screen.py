"""The Health screen (seed 000) on the fixed world: anna's deals red / green / white, the detail
of the highlighted deal (nearest checkpoint and time left, payments, planned close date)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.core.world import at
from yoolla_tui.core.funnel import checkpoints, health
from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.calls import deals

from .conftest import press, settle


@pytest.fixture
def planned(world):
    with db.session_scope(world.engine) as s, clock.frozen(at("2026-11-23 09:00")):
        checkpoints.add_type(session=s, actor=world.irina, name="Макет")
        checkpoints.add_type(session=s, actor=world.irina, name="Прототип")
        checkpoints.plan(session=s, actor=world.anna, deal_id=world.ids["C7"], type_name="Макет", due=at("2026-11-23 10:00"))
        checkpoints.plan(session=s, actor=world.anna, deal_id=world.ids["C4"], type_name="Прототип", due=at("2026-11-25 18:00"))
        deals.invoice(session=s, actor=world.anna, deal_id=world.ids["C4"], amount="20000")
        deals.pay(session=s, actor=world.anna, deal_id=world.ids["C4"], amount="5000")
        health.set_close_by(session=s, actor=world.anna, deal_id=world.ids["C4"], close_by=date(2026, 11, 27))
    return world


async def _health(pilot):
    await settle(pilot)
    await press(pilot, "h")


async def test_health_lists_red_green_white_with_the_detail_and_opens_a_deal(planned, make):
    app = make()
    async with app.run_test(size=(100, 32)) as pilot:
        await _health(pilot)
        screen = app.screen
        assert type(screen).__name__ == "HealthScreen"
        assert [(r["deal_id"], r["health"]) for r in screen.rows][:2] == [(planned.ids["C7"], "red"), (planned.ids["C4"], "green")]
        assert "1 red · 1 green · 2 white" in str(screen.query_one("#message").render())
        detail = str(screen.query_one("#health-detail").render())
        assert "Макет: due 2026-11-23 10:00, 30 min late" in detail
        await press(pilot, "down")
        detail = str(screen.query_one("#health-detail").render())
        assert "Прототип: due 2026-11-25 18:00" in detail and "5,000.00" in detail and "2026-11-27" in detail
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "DealScreen" and app.screen.deal_id == planned.ids["C4"]


class TestHealthPicture:
    @pytest.mark.parametrize("lang", ["en", "ru"])
    def test_health_100x32(self, snap_compare, planned, make, monkeypatch, lang):
        """anna's health: C7 red (Макет 30 min late) first, C4 green, two white; the detail of C7."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make(), terminal_size=(100, 32), run_before=_health)

    @pytest.mark.parametrize("lang", ["en", "ru"])
    @pytest.mark.parametrize("user", ["anna", "irina"])
    def test_health_80x24(self, snap_compare, planned, make, monkeypatch, lang, user):
        """At 80 columns the nearest checkpoint ends in "…" (the detail beside it has it whole)
        and its header is whole ("Checkpoint" when the full one does not fit); irina's Manager
        column too."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make(user), terminal_size=(80, 24), run_before=_health)

    @pytest.mark.parametrize("lang", ["en", "ru"])
    def test_health_120x36(self, snap_compare, planned, make, monkeypatch, lang):
        """irina at 120 columns: Manager column, the full "Nearest checkpoint" header."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make("irina"), terminal_size=(120, 36), run_before=_health)
