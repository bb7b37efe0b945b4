"""The operator's dashboard: a Textual app over the same core services as the CLI.

`make_app(db_url=..., user=...)` builds it for the entry point (`yoolla dashboard`, `yoolla demo`)
and for the tests. Database work runs in thread workers (`YoollaApp.core` is the one door to
core); screens render what comes back.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.people import identity
from yoolla_tui.core.kernel.errors import DatabaseReplaced
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.text import visible
from yoolla_tui.core.kernel.models import User
from yoolla_tui.core.kernel.paths import default_db_url

from yoolla_tui.screens.base import translated


def shown(value: Any) -> Any:
    """What core returned, every string with its control characters made visible (`\\x1b`):
    a name carrying a terminal escape never reaches the terminal raw."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(shown(v) for v in value) if not hasattr(value, "_fields") else value
    return value


# Keys that change a deal (outcome, stage, invoice, payment) are taken only once the deal has
# been drawn and on screen for this long. 300 ms: the fastest visual reaction of a person is
# about 200-250 ms, so a key that lands sooner was typed for the card before (the issue's
# "2 2 1" logged "no answer" on a deal nobody saw); a deliberate key after reading is later.
KEY_GUARD = 0.3


class YoollaApp(App):
    """Today, Deal and the modals; `refresh_seconds` is how often a screen reloads on its own."""

    CSS_PATH = "yoolla.tcss"
    TITLE = "Yoolla"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, *, engine, acting: identity.Acting, refresh_seconds: float = 30.0, key_guard: float = KEY_GUARD) -> None:
        super().__init__()
        self.engine = engine
        self.acting = acting
        self.actor: User = acting.user
        self.refresh_seconds = refresh_seconds
        # A deal-changing key is taken only `key_guard` seconds after the deal was drawn.
        self.key_guard = key_guard
        # The outcomes this session logged, oldest first: (call id, deal id); `z` undoes the
        # last one, then the one before, one step at a time, back to when the dashboard opened
        # (`opened_at`: core waives `undo_minutes` for the actor's calls since then).
        self.undo_stack: list[tuple[int, int]] = []
        self.opened_at = clock.now()
        # The deal last on the Deal screen: Today's cursor goes back to it.
        self.last_deal_id: int | None = None
        # Tasks finished with `d` in this session: (task id, status before), for `z` on Tasks.
        self.task_undo: list[tuple[int, str]] = []
        # Textual's own palette binding says "palette" in English: ours, in the user's language.
        self._bindings.key_to_bindings.pop(self.COMMAND_PALETTE_BINDING, None)
        self._bindings = translated(self._bindings, [
            Binding("question_mark", "toggle_help", _("Keys"), tooltip=_("Show or hide every key of this screen"),
                    id="help"),
            Binding(self.COMMAND_PALETTE_BINDING, "command_palette", _("palette"), show=False, priority=True,
                    tooltip=_("Open the command palette")),
        ])

    def core(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """Run one core service in its own transaction as the acting user (call from a worker).

        The user is re-read inside the transaction: a deactivation or a role change made since
        the dashboard opened applies to this action (people.identity.acting_again)."""
        self.check_database()
        with identity.acting_again(self.engine, self.acting, command=f"dashboard {getattr(fn, '__name__', '')}") as (session, who):
            result = shown(fn(session=session, actor=who.user, **kwargs))
        self.acting, self.actor = who, who.user  # committed: the re-read user is the current one
        return result

    def check_database(self) -> None:
        """Stop the dashboard with one clear line if its SQLite file was deleted or replaced:
        calls logged into a deleted file would be lost at exit."""
        try:
            db.check_identity(self.engine)
        except DatabaseReplaced as error:
            message = _("Error: {message}").format(message=error.message)
            if self._thread_id != threading.get_ident():
                self.call_from_thread(self.exit, None, error.exit_code, message)
            else:
                self.exit(None, error.exit_code, message)
            raise

    def read(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """Run one core read in a read-only snapshot (call from a worker): a refresh never takes
        the write lock, so it never makes an operator's call log wait. The user is re-read too."""
        self.check_database()
        with db.read_scope(self.engine) as session:
            who = identity.recheck(session, self.acting)
            return shown(fn(session=session, actor=who.user, **kwargs))

    def on_mount(self) -> None:
        from yoolla_tui.screens.tasks import TasksScreen
        from yoolla_tui.screens.today import TodayScreen

        # Executors work tasks, not deals: their day starts on their queue.
        self.push_screen(TasksScreen() if self.actor.role == "executor" else TodayScreen())
        self._warmed = False

    def warm_up_once(self) -> None:
        """Called once the first screen is drawn: loading the calendar earlier would compete with
        that first draw for the one Python thread that runs at a time (0.2 s of CPU)."""
        if not getattr(self, "_warmed", True):
            self._warmed = True
            self._warm_up()

    @work(thread=True, exit_on_error=False, group="warm-up")
    def _warm_up(self) -> None:
        from yoolla_tui.core.calls import today

        self.core(today.warm_up)

    def on_app_focus(self) -> None:
        # Back from another window: what others did meanwhile shows now.
        reload = getattr(self.screen, "reload", None)
        if reload is not None:
            reload()

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from yoolla_tui.screens.palette import YoollaPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(YoollaPalette())

    def action_toggle_help(self) -> None:
        from yoolla_tui.screens.help import HelpModal

        if isinstance(self.screen, HelpModal):
            self.screen.dismiss(None)
        elif not isinstance(self.screen, ModalScreen):
            self.push_screen(HelpModal(self.screen))

    def open_deal(self, deal_id: int) -> None:
        from yoolla_tui.screens.deal import DealScreen

        if isinstance(self.screen, DealScreen):
            self.screen.show_deal(deal_id)
        else:
            self.push_screen(DealScreen(deal_id))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from yoolla_tui.screens.today import TodayScreen

        if self.actor.role != "executor":
            if not isinstance(screen, TodayScreen):
                yield SystemCommand(_("Today"), _("The counters and today's call queue"), self.go_today)
            yield SystemCommand(_("Next due deal"), _("Open the head of today's queue"), self.open_next)
        yield SystemCommand(_("Tasks"), _("Your task queue with forecasts, the timer and the inbox"), self.action_tasks)
        if self.actor.role != "executor":
            yield SystemCommand(_("Health"), _("Your open deals red / green / white, with checkpoints"), self.action_health)
        if self.actor.role in ("admin", "supervisor"):
            yield SystemCommand(_("Supervisor"), _("Today per manager and the funnel"), self.action_supervisor)
        seen = set()
        for _key, binding in screen._bindings:
            if binding.action in seen or binding.action.startswith("app.") or binding.id is None:
                continue  # one command per action (escape,q); app.* listed above; Textual's own (no id) left out
            seen.add(binding.action)
            if binding.description and screen.check_action(binding.action.split("(")[0], ()) is True:
                yield SystemCommand(binding.description, binding.tooltip or binding.description,
                                    lambda action=binding.action, target=screen: self.run_action(action, target))
        yield SystemCommand(_("Keys"), _("Show or hide every key of this screen"), self.action_toggle_help)
        yield SystemCommand(_("Quit"), _("Leave the dashboard"), self.action_quit)

    def action_find(self, text: str = "") -> None:
        """`g`: find a client or deal by id, name, contact, e-mail or phone, and open the deal."""
        from yoolla_tui.screens.find import FindModal

        modal = FindModal(text)
        self._finding = modal
        self.push_screen(modal, lambda deal_id: deal_id is not None and self.open_deal(deal_id))

    def on_key(self, event) -> None:
        # `g` then the number at once (a terminal delivers them in one read): the first keys
        # after `g` reach the find box before it takes keys, and bubble up here unhandled. They
        # belong in the box, so the app puts them there.
        modal = getattr(self, "_finding", None)
        if modal is not None and self.screen is modal and (event.key == "backspace" or (event.is_printable and event.character)):
            if modal.take(None if event.key == "backspace" else event.character):
                event.stop()
                event.prevent_default()

    def action_tasks(self) -> None:
        from yoolla_tui.screens.tasks import TasksScreen

        if not isinstance(self.screen, TasksScreen):
            self.push_screen(TasksScreen())

    def action_health(self) -> None:
        from yoolla_tui.screens.health import HealthScreen

        if not isinstance(self.screen, HealthScreen):
            self.push_screen(HealthScreen())

    def action_supervisor(self) -> None:
        from yoolla_tui.screens.supervisor import SupervisorScreen

        if not isinstance(self.screen, SupervisorScreen):
            self.push_screen(SupervisorScreen())

    def go_today(self) -> None:
        from yoolla_tui.screens.today import TodayScreen

        if not any(isinstance(s, TodayScreen) for s in self.screen_stack):
            self.push_screen(TodayScreen())
            return
        while not isinstance(self.screen, TodayScreen):
            self.pop_screen()

    def open_next(self) -> None:
        from yoolla_tui.screens.today import TodayScreen

        today = next((s for s in self.screen_stack if isinstance(s, TodayScreen)), None)
        if today is not None:
            today.action_call_next()


def make_app(*, db_url: str | None = None, user: str | None = None, refresh_seconds: float = 30.0,
             key_guard: float = KEY_GUARD) -> YoollaApp:
    """The dashboard on `db_url` (default: YOOLLA_DB, else the user's data file) as the person
    running it, or `user` (default: YOOLLA_USER) when an admin acts as them or on the demo
    (people.identity). Raises YoollaError (not initialised, unknown user, refused act-as) before
    any screen."""
    url = db.normalise_url(db_url or os.environ.get("YOOLLA_DB") or default_db_url())
    db.require_exists(url)  # a file that is not there is not made here: `yoolla init` makes databases
    engine = db.get_engine(url)
    db.require_current(engine)
    with identity.acting_session(engine, claimed=user or os.environ.get("YOOLLA_USER"), command="dashboard") as (_s, acting):
        pass
    return YoollaApp(engine=engine, acting=acting, refresh_seconds=refresh_seconds, key_guard=key_guard)
