"""Tasks: the executor's queue in working order with forecast finish dates, the timer with its
live elapsed time, done and comment, and the inbox (tasks that became ready)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from yoolla_tui.core.work import board
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.work import inbox, tasks, timer
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.screens.base import BoardScreen, cut, translated, when
from yoolla_tui.screens.modals import TextModal


def status_label(code: str) -> str:
    return {"todo": _("to do"), "in_progress": _("in progress"), "done": _("done"),
            "cancelled": _("cancelled")}.get(code, code)


def elapsed(since: datetime) -> str:
    seconds = max(0, int((clock.now() - since).total_seconds()))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class TasksScreen(BoardScreen):
    """An executor's working list; `t` runs the timer on the highlighted task."""

    def __init__(self) -> None:
        super().__init__()
        self.board: dict | None = None
        self._ids: list[int] = []
        self._bindings = translated(self._bindings, [
            Binding("t", "timer", _("Timer"), tooltip=_("Start the timer on this task, or stop it"), id="timer"),
            Binding("d", "done", _("Finish"), tooltip=_("Mark the task done (the tasks waiting on it are released)"),
                    id="done"),
            Binding("c", "comment", _("Comment"), tooltip=_("Add a comment to the task"), id="comment"),
            Binding("m", "read_inbox", _("Inbox read"), tooltip=_("Mark every notification read"), id="inbox"),
            Binding("z", "undo", _("Undo"), tooltip=_("Reopen the last task you finished here"), id="undo"),
            Binding("r", "reload", _("Refresh"), tooltip=_("Reload the queue"), id="reload", show=False),
            Binding("escape,q", "back", _("Back"), tooltip=_("Back (quit when this is the first screen)"), id="back"),
        ])

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static(id="timer-line")
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static(id="inbox-title")
        yield Static(id="inbox")
        yield Static(id="message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        actor = self.app.actor
        self.query_one("#topbar", Static).update(Text.assemble(
            ("Yoolla", "bold"), "  ", _("Tasks"), " · ", clock.today().strftime("%d.%m.%Y"), " · ",
            (actor.full_name or actor.login, "bold")))
        table = self.query_one("#tasks", DataTable)
        self._columns(self.app.size.width)
        super().on_mount()
        self.set_interval(1, self._tick)
        table.focus()

    @staticmethod
    def _widths(width: int) -> tuple[int, int]:
        """Task and order column widths for a terminal `width`: what the fixed columns leave, two
        thirds to the task. Fixed, not auto: an auto width raced with a reload and cut titles."""
        room = max(16, width - 4 - 2 * 7 - (3 + 11 + 9 + 10 + 11))
        task = max(10, room * 2 // 3)
        return task, max(6, room - task)

    def _columns(self, width: int) -> None:
        table = self.query_one("#tasks", DataTable)
        table.clear(columns=True)
        self._layout = self._widths(width)
        task, order = self._layout
        table.add_column("#", key="position", width=3)
        table.add_column(_("Task"), key="title", width=task)
        table.add_column(_("Order"), key="order", width=order)
        table.add_column(_("Status"), key="status", width=11)
        table.add_column(_("Estimate"), key="estimate", width=9)
        table.add_column(_("Spent"), key="actual", width=10)
        table.add_column(_("Ready by"), key="finish", width=11)

    def on_resize(self, event) -> None:
        if getattr(self, "_layout", None) is not None and self._widths(event.size.width) != self._layout:
            self._columns(event.size.width)
            if self.board:
                self._show(self.board)

    def read(self) -> dict:
        return self.app.read(board.work_board)

    def _show(self, board: dict) -> None:
        self.board = board
        table = self.query_one("#tasks", DataTable)
        keep = table.cursor_row
        table.clear()
        running = (board["running"] or {}).get("task_id")
        for row in board["queue"]:
            style = "bold" if row["id"] == running else ""
            # A cell too narrow for its text ends in "…": never a silently cut title.
            task, order = self._layout
            table.add_row(str(row["position"]), Text(cut(row["title"], task), style=style), Text(cut(row["order"] or "", order)),
                          cut(status_label(row["status"]), 11), cut(row["estimate"] or "", 9),
                          cut(row["actual"] or "", 10), when(row["finish"]))
        self._ids = [row["id"] for row in board["queue"]]
        if self._ids:
            table.move_cursor(row=min(keep, len(self._ids) - 1), animate=False)
        notes = board["inbox"]
        self.query_one("#inbox-title", Static).update(
            _("Inbox: {n} unread").format(n=len(notes)) if notes else _("Inbox: nothing new"))
        self.query_one("#inbox", Static).update("\n".join(f"{when(n['at'])}  {n['text']}" for n in notes[:4]))
        if not self._ids:
            self.say(_("Your queue is empty."))
        self._tick()
        self.refresh_bindings()

    def _tick(self) -> None:
        line = self.query_one("#timer-line", Static)
        running = (self.board or {}).get("running")
        if running is None:
            line.update(Text(_("Timer: stopped"), style="dim"))
        else:
            since = datetime.fromisoformat(running["started_at"])
            line.update(Text.assemble(("● ", "bold green"), _("Timer on task {id} {title!r}: {elapsed}").format(
                id=running["task_id"], title=running["title"], elapsed=elapsed(since))))

    def selected(self) -> int | None:
        table = self.query_one("#tasks", DataTable)
        if not self._ids or not (0 <= table.cursor_row < len(self._ids)):
            return None
        return self._ids[table.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("timer", "done", "comment"):
            return True if self.selected() is not None or (action == "timer" and (self.board or {}).get("running")) else None
        if action == "undo":
            return True if getattr(self.app, "task_undo", None) else False
        if action == "read_inbox":
            return True if (self.board or {}).get("inbox") else None
        return True

    def action_timer(self) -> None:
        running = (self.board or {}).get("running")
        task_id = self.selected()
        if running is not None and (task_id is None or running["task_id"] == task_id):
            self._write(_("Timer stopped."), timer.stop)
        elif task_id is not None:
            self._write(_("Timer started on task {id}.").format(id=task_id), timer.start, task_id=task_id)

    def action_done(self) -> None:
        task_id = self.selected()
        if task_id is not None:
            before = next((r["status"] for r in (self.board or {}).get("queue", []) if r["id"] == task_id), "todo")
            self._finish(task_id, before)

    @work(thread=True, exclusive=True, exit_on_error=False, group="task-write")
    def _finish(self, task_id: int, before: str) -> None:
        self.app.core(tasks.set_status, task_id=task_id, status="done")
        self.app.call_from_thread(self._finished, task_id, before)

    def _finished(self, task_id: int, before: str) -> None:
        # `z` reopens it, one step at a time, like an outcome on a deal.
        self.app.task_undo.append((task_id, before))
        self._written(_("Task {id} done.").format(id=task_id) + " · " + _("z undoes it"))

    def action_undo(self) -> None:
        if self.app.task_undo:
            task_id, before = self.app.task_undo.pop()
            self._write(_("Task {id} reopened ({status}).").format(id=task_id, status=status_label(before)),
                        tasks.set_status, task_id=task_id, status=before, note=_("undone from the dashboard"))

    def action_comment(self) -> None:
        task_id = self.selected()
        if task_id is not None:
            self.app.push_screen(TextModal(_("Comment on task {id}").format(id=task_id)),
                                 lambda text: text and self._write(_("Comment added."), tasks.comment, task_id=task_id,
                                                                   text=text))

    def action_read_inbox(self) -> None:
        self._write(_("Inbox read."), inbox.mark_read)

    @work(thread=True, exclusive=True, exit_on_error=False, group="task-write")
    def _write(self, done: str, fn, **kwargs) -> None:
        self.app.core(fn, **kwargs)
        self.app.call_from_thread(self._written, done)

    def _written(self, done: str) -> None:
        self.say(done)
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()
