"""What every dashboard screen shares: translated key bindings, one route for core's refusals,
and short local times."""

from __future__ import annotations

from datetime import datetime

from typing import Any

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingsMap
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import YoollaError
from yoolla_tui.core.kernel.i18n import _


def translated(current: BindingsMap, bindings: list[Binding]) -> BindingsMap:
    """Bindings made at run time, so their labels follow YOOLLA_LANG (class attributes are
    evaluated once, at import)."""
    return BindingsMap.merge([current, BindingsMap(bindings)])


def error_text(error: BaseException) -> str:
    """What the user reads for a failed worker: core's own message, or the error's type and text."""
    if isinstance(error, YoollaError):
        return error.message
    return _("Unexpected error: {error}").format(error=f"{type(error).__name__}: {error}")


def worker_failed(event: Worker.StateChanged) -> BaseException | None:
    if event.state == WorkerState.ERROR:
        return event.worker.error
    return None


def when(iso: str | None, today=None, tz=None) -> str:
    """A time as an operator reads it: `14:30` today, else `24.11 14:30`. Pass `today` and `tz`
    when formatting many (a history of 100 calls would read the clock and zone 100 times)."""
    if not iso:
        return "—"
    tz = tz or clock.local_tz()
    moment = datetime.fromisoformat(iso).astimezone(tz)
    if moment.date() == (today or clock.today()):
        return moment.strftime("%H:%M")
    return moment.strftime("%d.%m %H:%M")


def amount(text: str | None, *, whole: bool = False) -> str:
    """An amount from core ("15000.00") as the user's language writes money: `15 000,00 ₽` in
    Russian, `15,000.00` in English (Babel); "—" for none. `whole` (a narrow counter card) leaves
    out kopecks that are zero: `240 000 ₽`."""
    if not text:
        return "—"
    from decimal import Decimal

    from babel.numbers import format_currency, format_decimal

    from yoolla_tui.core.kernel.i18n import current_language

    value = Decimal(text)
    short = whole and value == value.to_integral_value()
    lang = current_language()
    if lang == "ru":
        if short:
            return format_currency(value, "RUB", format="#,##0\xa0¤", locale="ru_RU", currency_digits=False)
        return format_currency(value, "RUB", locale="ru_RU")
    return format_decimal(value, format="#,##0" if short else "#,##0.00", locale="en_US")


def cut(text: str, width: int) -> str:
    """`text` in at most `width` cells: whole, or cut with an ellipsis (never a silently cut word)."""
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"


LIGHT_STYLE = {"red": "bold $error", "yellow": "bold $warning", "green": "$success"}
LIGHT_RICH = {"red": "bold red", "yellow": "bold yellow", "green": "green"}


class BoardScreen(Screen):
    """A screen that shows one core read: `read()` runs in a thread worker, `_show(data)` draws
    it; it reloads when the screen comes back and on the app's timer, and a failed read or
    write shows core's message in the screen's `#message` line."""

    def read(self) -> Any:
        raise NotImplementedError

    def _show(self, data: Any) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(self.app.refresh_seconds, self.reload)

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="board")
    def _load(self) -> None:
        data = self.read()
        self.app.call_from_thread(self._show, data)

    def say(self, message: str, error: bool = False) -> None:
        line = self.query_one("#message", Static)
        line.set_class(error, "error")
        line.update(Text(message, style="bold red") if error else message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = worker_failed(event)
        if error is not None:
            self.say(error_text(error), error=True)

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
