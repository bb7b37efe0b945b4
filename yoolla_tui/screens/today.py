"""Today: the day's counters and the queue of open deals due today and overdue, coloured by the
traffic light, paged from core (200 rows at a time), sortable, filtered with `/`."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import Worker

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.calls import today
from yoolla_tui.core.calls.deals import outcome_label
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.core.kernel.phones import pretty
from yoolla_tui.screens.base import LIGHT_RICH, amount, cut, error_text, translated, when, worker_failed
from yoolla_tui.screens.picker import ManagerPicker


def sort_labels() -> dict[str, str]:
    return {"due": _("due time"), "client": _("client"), "stage": _("stage, furthest first"),
            "light": _("traffic light")}


def count(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f") if n >= 10_000 else f"{n:,}"


class TodayScreen(ManagerPicker, Screen):
    """The operator's home: what is done today, what is left, and the queue to work through."""

    def __init__(self) -> None:
        super().__init__()
        self.sort = "due"
        self.search = ""
        self.manager: str | None = None  # a supervisor's or admin's pick (m); None: everyone they see
        self.total = 0
        self.loading_page = False
        self._ids: list[int] = []
        self._rows: list[dict] = []
        self._bindings = translated(self._bindings, [
            Binding("enter", "open", _("Open"), tooltip=_("Open the highlighted deal"), id="open", priority=True),
            Binding("space", "call_next", _("Next due"), tooltip=_("Open the head of the queue"), id="next"),
            Binding("slash", "filter", _("Filter"), tooltip=_("Filter the queue by client name or phone"), id="filter"),
            Binding("g", "app.find", _("Find"), tooltip=_("Find a client or deal by id, name or phone"), id="find"),
            Binding("s", "cycle_sort", _("Sort"), tooltip=_("Sort by due time, client, stage or light"), id="sort",
                    show=False),
            Binding("t", "app.tasks", _("Tasks"), tooltip=_("Your task queue with forecasts, the timer and the inbox"),
                    id="tasks", show=False),
            Binding("h", "app.health", _("Health"), tooltip=_("Your open deals red / green / white, with checkpoints"),
                    id="health", show=False),
            Binding("v", "supervisor", _("Team"), tooltip=_("The Supervisor screen: today per manager and the funnel"),
                    id="supervisor"),
            Binding("m", "pick_manager", _("Manager"), tooltip=_("Show one manager's queue, or everyone's"),
                    id="manager", show=False),
            Binding("z", "undo", _("Undo"), tooltip=_("Undo the last outcome you logged, then the one before"), id="undo"),
            Binding("z", "nothing_to_undo", show=False),
            Binding("r", "reload", _("Refresh"), tooltip=_("Reload the counters and the queue"), id="reload",
                    show=False),
            Binding("escape", "clear_filter", _("Clear filter"), tooltip=_("Show the whole queue again"),
                    id="clear", show=False),
            Binding("q", "app.quit", _("Quit"), tooltip=_("Leave the dashboard"), id="quit"),
        ])

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="counters"):
            yield Static(id="called", classes="counter")
            yield Static(id="to-call", classes="counter")
            yield Static(id="invoices", classes="counter")
            yield Static(id="payments", classes="counter")
        # Hidden and disabled until `/`: keys typed while the app starts must not land in it and
        # become a filter nobody sees.
        box = Input(placeholder=_("Filter by client name or phone, Enter to keep"), id="filter", disabled=True)
        box.display = False
        yield box
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static(id="pager")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def team_view(self) -> bool:
        return self.app.actor.role in ("admin", "supervisor")

    def on_mount(self) -> None:
        actor = self.app.actor
        self.query_one("#topbar", Static).update(Text.assemble(
            ("Yoolla", "bold"), "  ", _("Today"), " · ", clock.today().strftime("%d.%m.%Y"), " · ",
            (actor.full_name or actor.login, "bold"), f" ({actor.login})" if actor.full_name != actor.login else ""))
        table = self.query_one("#queue", DataTable)
        self._columns(self.app.size.width)
        self._counters(None)
        self.reload()
        self._first_resume = True  # the resume that follows this mount needs no second read
        self.set_interval(self.app.refresh_seconds, self.reload)
        table.focus()

    def on_screen_resume(self) -> None:
        # Back from a deal: the cursor goes to the deal just left (once the queue is re-read).
        self._return_to = self.app.last_deal_id
        if getattr(self, "_first_resume", False):
            # Textual resumes a screen right after mounting it: the queue is already being read,
            # and a second read of the same would double the work before the first draw.
            self._first_resume = False
            return
        self.reload()

    def _widths(self, width: int) -> tuple[tuple[str, int], ...]:
        """(column key, width) for a terminal `width`: the fixed columns tighten below 100 columns
        and the client's name takes what is left. A supervisor or admin gets a Manager column
        (at the outcome's place below 100 columns, where both would squeeze the client's name)."""
        narrow = width < 100
        columns = [("light", 1), ("due", 11), ("client", 0), ("phone", 17), ("stage", 11 if narrow else 15)]
        if self.team_view:
            columns += [("manager", 10)] if narrow else [("status", 14), ("manager", 10)]
        else:
            columns += [("status", 11 if narrow else 14)]
        room = width - 4 - 2 * len(columns)  # margins and scrollbar, one cell of padding each side of a column
        client = max(12, room - sum(w for _key, w in columns))
        return tuple((key, client if key == "client" else w) for key, w in columns)

    def _columns(self, width: int) -> None:
        table = self.query_one("#queue", DataTable)
        table.clear(columns=True)
        self._layout = self._widths(width)
        titles = {"light": "", "due": _("Due"), "client": _("Client"), "phone": _("Phone"), "stage": _("Stage"),
                  "status": _("Last outcome"), "manager": _("Manager")}
        if len(titles["status"]) > dict(self._layout).get("status", 99):
            titles["status"] = _("Outcome")  # the short header of a narrow column, still words
        for key, w in self._layout:
            table.add_column(cut(titles[key], w), key=key, width=w)  # a header is never silently cut
        rows, self._rows, self._ids = self._rows, [], []
        self._add(rows)

    def on_resize(self, event) -> None:
        if getattr(self, "_layout", None) is not None and self._widths(event.size.width) != self._layout:
            cursor = self.query_one("#queue", DataTable).cursor_row
            self._columns(event.size.width)
            self.query_one("#queue", DataTable).move_cursor(row=cursor, animate=False)
        if getattr(self, "_layout", None) is not None:
            self._pager()  # what fits on the line changes with the width

    # ---- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        # A refresh keeps the pages already scrolled through (up to 10), so the cursor stays put.
        shown = self.query_one("#queue", DataTable).row_count
        self.load(self.search, self.sort, min(max(today.PAGE, shown), 10 * today.PAGE))

    @work(thread=True, exclusive=True, exit_on_error=False, group="today")
    def load(self, search: str, sort: str, limit: int) -> None:
        board = self.app.read(today.board, search=search or None, sort=sort, limit=limit, manager=self.manager)
        self.app.call_from_thread(self._show, board["counters"], board)

    @work(thread=True, exclusive=True, exit_on_error=False, group="page")
    def load_more(self, offset: int) -> None:
        page = self.app.read(today.queue, search=self.search or None, sort=self.sort, offset=offset,
                             limit=today.PAGE, total=self.total, manager=self.manager)
        self.app.call_from_thread(self._append, page, offset)

    def _show(self, counters: dict, page: dict) -> None:
        self._counters(counters)
        table = self.query_one("#queue", DataTable)
        keep = table.cursor_row
        selected = self.selected_id()
        table.clear()
        self._ids = []
        self._rows = []
        self._add(page["rows"])
        self.total = page["total"]
        self._pager()
        ids = [r["id"] for r in page["rows"]]
        back_to, self._return_to = getattr(self, "_return_to", None), None
        if back_to in ids:
            table.move_cursor(row=ids.index(back_to), animate=False)
        elif selected in ids:
            table.move_cursor(row=ids.index(selected), animate=False)
        elif ids:
            table.move_cursor(row=min(keep, len(ids) - 1), animate=False)
        self.call_after_refresh(self.app.warm_up_once)  # the first queue is on screen

    def _append(self, page: dict, offset: int) -> None:
        table = self.query_one("#queue", DataTable)
        if table.row_count == offset:
            self._add(page["rows"])
        self.total = page["total"]
        self.loading_page = False
        self._pager()

    def _add(self, rows: list[dict]) -> None:
        table = self.query_one("#queue", DataTable)
        table.add_rows([self._cells(r) for r in rows])
        self._ids.extend(r["id"] for r in rows)  # row index -> deal id, in table order
        self._rows.extend(rows)

    def _cells(self, row: dict) -> list:
        style = LIGHT_RICH.get(row["light"] or "", "")
        # A cell too narrow for its text ends in an ellipsis: never a silently cut word.
        values = {"light": Text("●", style=style),
                  "due": Text(when(row["next_call_at"]), style=style if row["light"] == "red" else ""),
                  "client": row["client"], "phone": pretty(row["phone"], row["phone_ext"]), "stage": row["stage_name"],
                  "status": outcome_label(row["status"]), "manager": row.get("manager") or "—"}
        return [values[key] if isinstance(values[key], Text) else cut(values[key], w) for key, w in self._layout]

    def _counters(self, counters: dict | None) -> None:
        c = counters or {}
        blank = "…"
        self.query_one("#called", Static).update(
            Text.assemble((str(c.get("called_today", blank)), "bold"), "\n", (_("Called today"), "dim")))
        self.query_one("#to-call", Static).update(
            Text.assemble((str(c.get("to_call", blank)), "bold"), "\n", (_("Still to call"), "dim")))
        self.query_one("#invoices", Static).update(
            Text.assemble((str(c.get("invoices_week", blank)), "bold"), "\n", (_("Invoices, week"), "dim")))
        payments = f"{c['payments_week']} · {amount(c['paid_week'], whole=True)}" if counters else blank
        self.query_one("#payments", Static).update(
            Text.assemble((payments, "bold"), "\n", (_("Payments, week"), "dim")))

    def _pager(self) -> None:
        shown = self.query_one("#queue", DataTable).row_count
        tail = ""
        if self.search:
            tail += " · " + _("filter: {search} (esc clears)").format(search=self.search)
        if self.team_view:
            tail += " · " + (_("manager: {login} (m)").format(login=self.manager) if self.manager
                             else _("everyone (m picks a manager)"))
        room = self.app.size.width - 4  # the line's padding
        if self.total == 0:
            text = _("Nothing due: the queue is empty.") if not self.search else _("No deal in the queue matches {search!r}.").format(search=self.search)
        elif shown < self.total:
            text = _("{shown} of {total} due · sorted by {sort} · more load as you scroll").format(
                shown=count(shown), total=count(self.total), sort=sort_labels()[self.sort])
            if len(text + tail) > room:  # the scrolling hint is the first to go, not the keys
                text = _("{shown} of {total} due · sorted by {sort}").format(
                    shown=count(shown), total=count(self.total), sort=sort_labels()[self.sort])
        else:
            text = _("{total} due · sorted by {sort}").format(total=count(self.total), sort=sort_labels()[self.sort])
        self.query_one("#pager", Static).update(cut(text + tail, room))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = worker_failed(event)
        if error is not None:
            self.loading_page = False
            self.notify(error_text(error), severity="error", timeout=8)

    # ---- actions -------------------------------------------------------------------------

    def selected_id(self) -> int | None:
        table = self.query_one("#queue", DataTable)
        ids = self._ids
        if not table.row_count or not (0 <= table.cursor_row < len(ids)):
            return None
        return ids[table.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return True if self.selected_id() is not None else None
        if action == "call_next":
            return True if self.total else None
        if action in ("supervisor", "pick_manager"):
            return self.team_view
        if action == "undo":
            return True if self.app.undo_stack else False
        if action == "clear_filter":
            return True if self.search or self.query_one("#filter", Input).display else False
        return True

    def action_open(self) -> None:
        if self.focused is self.query_one("#filter", Input):
            self._filter_done(Input.Submitted(self.query_one("#filter", Input), self.search))
            return
        deal_id = self.selected_id()
        if deal_id is not None:
            self.app.open_deal(deal_id)

    @on(DataTable.RowSelected, "#queue")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    @on(DataTable.RowHighlighted, "#queue")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        near_end = table.row_count - max(1, today.PAGE // 10)
        if not self.loading_page and table.row_count < self.total and event.cursor_row >= near_end:
            self.loading_page = True
            self.load_more(table.row_count)
        self.refresh_bindings()

    def action_call_next(self) -> None:
        ids = self._ids
        if ids and self.sort == "due":
            self.app.open_deal(ids[0])
        else:
            self._open_head()

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _open_head(self) -> None:
        deal_id = self.app.core(today.next_due)
        if deal_id is not None:
            self.app.call_from_thread(self.app.open_deal, deal_id)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.disabled = False
        box.display = True
        box.focus()
        self.refresh_bindings()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        box.disabled = True
        self.query_one("#queue", DataTable).focus()
        if self.search:
            self.search = ""
            self.reload()
        self.refresh_bindings()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.search = event.value.strip()
        self.load(self.search, self.sort, today.PAGE)

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if not self.search:
            event.input.display = False
            event.input.disabled = True
        self.query_one("#queue", DataTable).focus()

    def action_cycle_sort(self) -> None:
        order = list(today.SORTS)
        self.sort = order[(order.index(self.sort) + 1) % len(order)]
        self.notify(_("Sorted by {sort}").format(sort=sort_labels()[self.sort]), timeout=2)
        self.query_one("#queue", DataTable).move_cursor(row=0)
        self.load(self.search, self.sort, today.PAGE)

    def action_reload(self) -> None:
        self.reload()

    def action_supervisor(self) -> None:
        self.app.action_supervisor()

    def pick_title(self) -> str:
        return _("Whose queue?")

    def manager_picked(self) -> None:
        self._pager()
        self.load(self.search, self.sort, today.PAGE)

    def action_nothing_to_undo(self) -> None:
        self.notify(_("Nothing to undo: every outcome you logged since the dashboard opened is undone."), timeout=4)

    def action_undo(self) -> None:
        """Back on Today after the last deal of the queue: undo opens that deal and undoes there."""
        if not self.app.undo_stack:
            self.action_nothing_to_undo()
            return
        from yoolla_tui.screens.deal import DealScreen

        screen = DealScreen(self.app.undo_stack[-1][1])
        self.app.push_screen(screen)
        screen.call_after_refresh(screen.action_undo)

