"""The manager picker Today and Health share (`m`, for supervisors and admins)."""

from __future__ import annotations

from textual import work

from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.screens.modals import ChoiceModal


class ManagerPicker:
    """`m` on Today and Health for a supervisor or an admin: pick whose deals to see (one of the
    team, or everyone). A screen using it sets `self.manager`, names the question in
    `pick_title()` and shows the pick in `manager_picked()`."""

    manager: str | None = None

    def pick_title(self) -> str:
        raise NotImplementedError

    def manager_picked(self) -> None:
        raise NotImplementedError

    def action_pick_manager(self) -> None:
        self._team()

    @work(thread=True, exclusive=True, exit_on_error=False, group="team")
    def _team(self) -> None:
        from yoolla_tui.core.calls import today

        people = self.app.core(today.team)
        self.app.call_from_thread(self._pick, people)

    def _pick(self, people: list[dict]) -> None:
        choices = [("", _("everyone"))] + [(p["login"], f"{p['name']} ({p['login']})") for p in people]
        current = next((n for n, (login, _label) in enumerate(choices) if login == (self.manager or "")), 0)

        def picked(login: str | None) -> None:
            if login is not None:
                self.manager = login or None
                self.manager_picked()
        self.app.push_screen(ChoiceModal(self.pick_title(), choices, highlight=current), picked)
