"""The command palette in the user's language: Textual's `CommandPalette` with its own strings
(the placeholder, "No matches found", the escape key's label) translated. Textual writes "No
matches found" inside `_start_no_matches_countdown`, so that method is restated here with the
translated text; tests/screens/test_palette_language.py fails if a Textual upgrade bypasses it."""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.screens.base import translated


class YoollaPalette(CommandPalette):
    """Textual's command palette, every string of its own in the user's language."""

    def __init__(self) -> None:
        super().__init__(id="--command-palette", placeholder=_("Search for commands…"))
        self._bindings = translated(self._bindings, [
            Binding("escape", "escape", _("Exit the command palette")),
        ])

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own, with "No matches found" translated (textual/command.py, 8.x).
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(_("No matches found"), style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False  # discover mode: nothing to say

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
