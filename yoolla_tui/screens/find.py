"""Find anyone (`g`, and "Find a client or deal" in the palette): one box for a deal id (`274`,
`#274`), any part of a client's name, contact, e-mail, or the phone in any form people type; the
matches update as you type. Enter opens the highlighted deal; on a client with no open deal it
asks the campaign and opens one, so an inbound call is two or three keys away."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from yoolla_tui.core.calls import find
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.phones import pretty

from yoolla_tui.screens.base import error_text, translated, worker_failed
from yoolla_tui.screens.modals import ChoiceModal


def row_prompt(row: dict) -> Text:
    """Two lines per match: who (and their phone), then the deal, or that there is none open."""
    text = Text(row["client"], style="bold")
    if row["phone"]:
        text.append("  " + pretty(row["phone"], row["phone_ext"]))
    if row.get("contact_person"):
        text.append("  " + row["contact_person"], style="dim")
    text.append("\n")
    if row["deal_id"] is not None:
        parts = [_("deal {id}").format(id=row["deal_id"]), row["campaign"], row["stage_name"]]
        if row["manager"]:
            parts.append(row["manager"])
        if row["closed"]:
            parts.append(_("closed"))
        text.append("  " + " · ".join(parts), style="dim")
    elif row["do_not_call"]:
        text.append("  " + _("do not call: no deal can be opened"), style="dim red")
    elif row.get("held_by"):
        text.append("  " + _("an open deal is {manager}'s").format(manager=row["held_by"]), style="dim")
    else:
        text.append("  " + _("no open deal of yours: Enter opens one"), style="dim italic")
    return text


class FindModal(ModalScreen["int | None"]):
    """Dismisses with the id of the deal to open, or None."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.rows: list[dict] = []
        self._bindings = translated(self._bindings, [
            Binding("escape", "cancel", _("Cancel"), tooltip=_("Close, nothing changes")),
            Binding("down", "move(1)", show=False, priority=True),
            Binding("up", "move(-1)", show=False, priority=True),
        ])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="find-dialog"):
            yield Static(_("Find a client or deal"), classes="question")
            yield Input(value=self.text, placeholder=_("deal id, name, contact, e-mail or phone (8 499 980-82-59)"),
                        id="find-text")
            yield OptionList(id="found")
            yield Label(_("↑↓ choose · Enter open · escape cancel"), classes="hint", id="find-hint")

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.focus()
        if self.text:
            box.value = self.text
            box.cursor_position = len(self.text)

    def take(self, character: str | None) -> bool:
        """A key the box did not take yet (see YoollaApp.on_key): into the box (None: backspace)."""
        boxes = self.query("#find-text")
        if not boxes:
            self.text = self.text[:-1] if character is None else self.text + character
            return True
        box = boxes.first(Input)
        box.focus()
        if character is None:
            box.action_delete_left()
        else:
            box.insert_text_at_cursor(character)
        return True

    @on(Input.Changed, "#find-text")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="find")
    def search(self, text: str) -> None:
        rows = self.app.core(find.find, text=text)
        self.app.call_from_thread(self._show, text, rows)

    def _show(self, text: str, rows: list[dict]) -> None:
        if text != self.query_one(Input).value:
            return  # an answer for what was typed before
        self.rows = rows
        found = self.query_one("#found", OptionList)
        found.clear_options()
        found.add_options([Option(row_prompt(r)) for r in rows])
        if rows:
            found.highlighted = 0
        hint = self.query_one("#find-hint", Label)
        if text.strip() and not rows:
            hint.update(_("Nobody matches {text!r}").format(text=text.strip()))
        else:
            hint.update(_("↑↓ choose · Enter open · escape cancel"))

    def action_move(self, step: int) -> None:
        found = self.query_one("#found", OptionList)
        if self.rows:
            found.highlighted = max(0, min(len(self.rows) - 1, (found.highlighted or 0) + step))

    @on(Input.Submitted, "#find-text")
    def _submitted(self, event: Input.Submitted) -> None:
        index = self.query_one("#found", OptionList).highlighted
        if index is not None and 0 <= index < len(self.rows):
            self.choose(self.rows[index])

    @on(OptionList.OptionSelected, "#found")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(self.rows[event.option_index])

    def choose(self, row: dict) -> None:
        if row["deal_id"] is not None:
            self.dismiss(row["deal_id"])
        elif row.get("held_by"):
            self.notify(_("{name} has an open deal with {manager}: ask them or a supervisor").format(
                name=row["client"], manager=row["held_by"]), severity="warning")
        elif row["do_not_call"]:
            self.notify(_("{name} is on the do-not-call list: no deal can be opened").format(name=row["client"]),
                        severity="warning")
        else:
            self._campaigns(row)

    @work(thread=True, exclusive=True, exit_on_error=False, group="find-open")
    def _campaigns(self, row: dict) -> None:
        choices = self.app.core(find.open_campaigns, client_id=row["client_id"])
        self.app.call_from_thread(self._pick_campaign, row, choices)

    def _pick_campaign(self, row: dict, choices: list[dict]) -> None:
        if not choices:
            self.notify(_("{name} is already on every open campaign").format(name=row["client"]), severity="warning")
            return
        self.app.push_screen(
            ChoiceModal(_("Open a deal for {name} on").format(name=row["client"]),
                        [(str(c["id"]), f"{c['name']} · {c['week']}") for c in choices]),
            lambda picked: picked and self._open(row["client_id"], picked))

    @work(thread=True, exclusive=True, exit_on_error=False, group="find-open")
    def _open(self, client_id: int, campaign: str) -> None:
        deal_id = self.app.core(lambda **kw: find.open_deal(**kw).id, client_id=client_id, campaign=campaign)
        self.app.call_from_thread(self.dismiss, deal_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = worker_failed(event)
        if error is not None:
            self.notify(error_text(error), severity="error", timeout=8)

    def action_cancel(self) -> None:
        self.dismiss(None)
