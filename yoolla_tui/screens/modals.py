"""Modals return values (posting's ConfirmationModal): the caller gets a choice, text or a yes/no,
never widget state. Number keys pick a choice directly, so a quick answer is one key."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.screens.base import translated


class ConfirmModal(ModalScreen[bool]):
    """A yes/no question answered with `y` (never the key that opened it) or escape."""

    def __init__(self, question: str, *, yes_key: str = "y") -> None:
        super().__init__()
        self.question = question
        self.yes_key = yes_key
        self._bindings = translated(self._bindings, [
            Binding(yes_key, "answer(True)", _("Yes"), tooltip=_("Confirm")),
            Binding("escape,n", "answer(False)", _("No"), tooltip=_("Cancel, nothing changes")),
        ])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question")
            yield Label(_("{yes} yes · escape no").format(yes=self.yes_key), classes="hint")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ChoiceModal(ModalScreen["str | None"]):
    """Pick one of `choices` [(value, label)]: its number key, or arrows and Enter; escape cancels."""

    def __init__(self, title: str, choices: list[tuple[str, str]], *, highlight: int | None = 0) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.highlight = highlight
        keys = [Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, min(len(choices), 9) + 1)]
        self._bindings = translated(self._bindings, keys + [
            Binding("escape", "cancel", _("Cancel"), tooltip=_("Close, nothing changes")),
        ])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="question")
            options = [Option(f"{n}  {label}" if n <= 9 else f"   {label}", id=f"c{n - 1}")
                       for n, (_value, label) in enumerate(self.choices, start=1)]
            yield OptionList(*options, id="choices")
            yield Label(_("number or Enter to choose · escape cancel"), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.highlight
        options.focus()

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self.choices):
            self.dismiss(self.choices[index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][0])


class TextModal(ModalScreen["str | None"]):
    """Ask for one line of text (a note, an amount, a time); Enter gives it, escape cancels.
    With `required`, an empty answer is not accepted."""

    def __init__(self, title: str, *, placeholder: str = "", value: str = "", required: bool = True,
                 check=None) -> None:
        super().__init__()
        # `check(text)`: None when the answer will do, else why not; the modal stays open with
        # the typed text and says why, so a typo is fixed, not typed again.
        self.check = check
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.required = required
        self._bindings = translated(self._bindings, [
            Binding("escape", "cancel", _("Cancel"), tooltip=_("Close, nothing changes")),
        ])

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="question")
            yield Input(value=self.value, placeholder=self.placeholder, id="answer")
            yield Label(_("Enter to save · escape cancel"), classes="hint", id="text-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.required and not text:
            self.query_one(Input).placeholder = _("this cannot be empty")
            return
        problem = self.check(text) if self.check is not None and text else None
        if problem:
            hint = self.query_one("#text-hint", Label)
            hint.update(problem)
            hint.add_class("error")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
