"""`?`: this screen's keys, grouped, each once, in the user's language, scrollable at 80x24.
Textual's generic keys (tab, ctrl+q…) are left out: they are not how anyone works here."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.screens.base import translated

KEY_NAMES = {"escape": "esc", "question_mark": "?", "slash": "/", "enter": "⏎", "space": "space", "ctrl+p": "ctrl+p"}


def group_of(action: str) -> int:
    """0 call outcomes, 1 the deal, 2 moving around, 3 other screens, 4 everything else."""
    if action.startswith("outcome("):
        return 0
    if action in ("note", "advance", "invoice", "pay", "undo", "done", "comment", "timer", "read_inbox"):
        return 1
    if action in ("open", "call_next", "next", "back", "filter", "clear_filter", "cycle_sort", "app.find", "pick_manager"):
        return 2
    if action in ("app.tasks", "app.health", "supervisor", "app.supervisor"):
        return 3
    return 4


def group_titles() -> list[str]:
    return [_("Call outcomes"), _("This deal or task"), _("Moving around"), _("Other screens"), _("General")]


def screen_keys(screen: Screen) -> list[list[tuple[str, str]]]:
    """[(keys, description)] per group for `screen`: one line per action, its keys joined."""
    by_action: dict[str, tuple[list[str], str]] = {}
    for key, binding in screen._bindings:
        if not binding.description or binding.id is None or screen.check_action(binding.action.split("(")[0], ()) is False:
            continue  # Textual's own (tab, copy: no id), unlabelled, or not possible now (z with nothing to undo)
        keys, _description = by_action.setdefault(binding.action, ([], binding.tooltip or binding.description))
        shown = KEY_NAMES.get(key, key)
        if shown not in keys:
            keys.append(shown)
    groups: list[list[tuple[str, str]]] = [[] for _title in group_titles()]
    for action, (keys, description) in by_action.items():
        groups[group_of(action)].append((" / ".join(keys), description))
    groups[4] += [("?", _("Show or hide this list of keys")),
                  ("ctrl+p", _("Command palette: every screen and action by name"))]
    return groups


class HelpModal(ModalScreen[None]):
    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.groups = screen_keys(screen)
        self._bindings = translated(self._bindings, [
            Binding("escape,question_mark,q", "close", _("Close"), tooltip=_("Close the list of keys")),
        ])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Static(_("Keys of this screen"), classes="question")
            with VerticalScroll(id="help-scroll"):
                yield Static(self._table())
            yield Label(_("↑↓ scroll · escape or ? close"), classes="hint")

    def _table(self):
        from rich.console import Group

        width = max((len(keys) for rows in self.groups for keys, _d in rows), default=4)
        parts = []
        for title, rows in zip(group_titles(), self.groups):
            if not rows:
                continue
            table = Table(box=None, show_header=False, pad_edge=False, expand=True, padding=(0, 2, 0, 0))
            table.add_column(no_wrap=True, style="bold", width=width)
            table.add_column(ratio=1)
            for keys, description in rows:
                table.add_row(keys, description)
            parts += [Text(title, style="dim"), table, Text("")]
        return Group(*parts[:-1])

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
