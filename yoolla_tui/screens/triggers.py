"""Stage triggers for admins (issue 27): every trigger of the deal's pipeline in the order they
run, each on or off; space or Enter switches the highlighted one, escape closes."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from yoolla_tui.core.automation import triggers
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.screens.base import error_text, translated, worker_failed


class TriggersModal(ModalScreen[None]):
    """The pipeline's stage triggers with on/off toggles (admins; core refuses anyone else)."""

    def __init__(self, pipeline: str) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.rows: list[dict] = []
        self._bindings = translated(self._bindings, [
            Binding("space", "toggle", _("On/off"), tooltip=_("Switch the highlighted trigger on or off")),
            Binding("escape", "close", _("Close"), tooltip=_("Back to the deal")),
        ])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(_("Stage triggers: what entering each stage does"), classes="question")
            yield OptionList(id="triggers")
            yield Static(id="trigger-message")
            yield Label(_("space or Enter switches on/off · escape closes"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="triggers")
    def load(self, highlight: int | None = None, message: str = "") -> None:
        with db.read_scope(self.app.engine) as session:  # a read: never the write lock
            rows = triggers.list_triggers(session=session, pipeline=self.pipeline)
        self.app.call_from_thread(self._show, rows, highlight, message)

    def _show(self, rows: list[dict], highlight: int | None, message: str) -> None:
        self.rows = rows
        options = self.query_one(OptionList)
        options.clear_options()
        if not rows:
            options.add_option(Option(_("No stage triggers yet (yoolla stage trigger add STAGE KIND …)"), disabled=True))
        else:
            options.add_options([Option(f"{'●' if r['enabled'] else '○'} {r['state']:<4} #{r['id']:<3} "
                                        f"{r['stage']:<15} {r['what']}", id=f"t{r['id']}") for r in rows])
            options.highlighted = min(highlight or 0, len(rows) - 1)
        self.query_one("#trigger-message", Static).update(message)

    def action_toggle(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and self.rows:
            self._toggle(index)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if self.rows:
            self._toggle(event.option_index)

    def _toggle(self, index: int) -> None:
        row = self.rows[index]
        self.switch(index, row["id"], not row["enabled"])

    @work(thread=True, exclusive=True, exit_on_error=False, group="trigger-write")
    def switch(self, index: int, trigger_id: int, enabled: bool) -> None:
        self.app.core(triggers.set_enabled, trigger_id=trigger_id, enabled=enabled)
        message = (_("Trigger {id} is on: deals entering the stage run it.") if enabled
                   else _("Trigger {id} is off: deals entering the stage no longer run it.")).format(id=trigger_id)
        self.app.call_from_thread(self.load, index, message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = worker_failed(event)
        if error is not None:
            self.query_one("#trigger-message", Static).update(error_text(error))

    def action_close(self) -> None:
        self.dismiss(None)
