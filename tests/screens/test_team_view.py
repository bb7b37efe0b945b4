"""Supervisors and admins: Today and Health show whose deal each row is (Manager column) and `m`
picks one manager's queue or everyone's; an admin who owns no deal still sees Health."""

from __future__ import annotations

from .conftest import press, settle


def column_labels(table) -> list[str]:
    return [str(c.label) for c in table.columns.values()]


async def test_today_for_an_admin_has_a_manager_column_and_a_picker(world, make):
    app = make("irina")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#queue")
        assert "Manager" in column_labels(table)
        everyone = set(app.screen._ids)
        assert {world.ids["C1"], world.ids["C2"], world.ids["C3"]} <= everyone  # anna's, boris's, vera's
        await press(pilot, "m")
        assert type(app.screen).__name__ == "ChoiceModal"
        labels = [label for _login, label in app.screen.choices]
        assert labels[0] == "everyone" and any("(anna)" in label for label in labels)
        index = next(n for n, (login, _label) in enumerate(app.screen.choices) if login == "anna")
        await press(pilot, str(index + 1))
        assert set(app.screen._ids) == {world.ids[c] for c in ("C1", "C4", "C7", "C12")}
        assert "manager: anna" in str(app.screen.query_one("#pager").render())


async def test_health_for_an_admin_who_owns_no_deal_lists_everyone_s(world, make):
    app = make("irina")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert type(app.screen).__name__ == "HealthScreen"
        assert "Manager" in column_labels(app.screen.query_one("#health"))
        assert len(app.screen.rows) == 12
        assert {r["manager"] for r in app.screen.rows} == {"anna", "boris", "vera"}
        assert "No open deals" not in str(app.screen.query_one("#message").render())


async def test_a_manager_s_today_has_no_manager_column(world, make):
    app = make("anna")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Manager" not in column_labels(app.screen.query_one("#queue"))
