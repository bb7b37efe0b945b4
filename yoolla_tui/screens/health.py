"""Health (seed 000): every open deal of the user, red / green / white by its plan, and beside
the list the highlighted deal's detail: the nearest checkpoint and the time left, every
checkpoint, payments against the invoice, and the planned close date. Enter opens the deal."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Static

from yoolla_tui.core.kernel import clock
from yoolla_tui.core.funnel import health
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.screens.base import amount, cut, BoardScreen, translated, when
from yoolla_tui.screens.picker import ManagerPicker

HEALTH_STYLE = {"red": "bold red", "green": "green", "white": "bold white"}


def health_label(code: str) -> str:
    return {"red": _("red"), "green": _("green"), "white": _("white")}.get(code, code)


def state_label(code: str) -> str:
    return {"planned": _("planned"), "overdue": _("overdue"), "done": _("done"),
            "done_late": _("done late")}.get(code, code)


class HealthScreen(ManagerPicker, BoardScreen):
    """The user's open deals by health, with the detail of the highlighted one."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.manager: str | None = None  # a supervisor's or admin's pick (m); None: everyone they see
        self._bindings = translated(self._bindings, [
            Binding("m", "pick_manager", _("Manager"), tooltip=_("Show one manager's deals, or everyone's"),
                    id="manager"),
            Binding("enter", "open", _("Open"), tooltip=_("Open the highlighted deal"), id="open", priority=True),
            Binding("r", "reload", _("Refresh"), tooltip=_("Reload the list"), id="reload"),
            Binding("escape,q", "back", _("Back"), tooltip=_("Back to Today"), id="back"),
        ])

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="health-body"):
            yield DataTable(id="health", cursor_type="row", zebra_stripes=True)
            yield Static(id="health-detail")
        yield Static(id="message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        actor = self.app.actor
        self.query_one("#topbar", Static).update(Text.assemble(
            ("Yoolla", "bold"), "  ", _("Health"), " · ", clock.today().strftime("%d.%m.%Y"), " · ",
            (actor.full_name or actor.login, "bold")))
        table = self.query_one("#health", DataTable)
        self._columns(self.app.size.width)
        super().on_mount()
        table.focus()

    def _widths(self, width: int) -> tuple[tuple[str, int], ...]:
        """(column key, width) for a terminal `width`: the detail panel takes 30 columns below 100
        (36 above); the nearest checkpoint gets what its longest text needs, up to two thirds of
        what is left, and the client the rest; a cell too narrow for its text ends in "…" (the
        detail beside it shows the whole)."""
        detail = 30 if width < 100 else 36
        columns = [("health", 1), ("deal", 6)] + ([("manager", 8 if width < 100 else 10)] if self.team_view else [])
        room = width - detail - 4 - 2 * (len(columns) + 2) - sum(w for _key, w in columns)  # margin, scrollbar, padding
        need = max([len(r["nearest"] or "") for r in self.rows] + [len(_("Checkpoint"))])
        nearest = max(8, min(need, room * 2 // 3))
        client = max(8, room - nearest)
        return tuple(columns[:2] + [("client", client)] + columns[2:] + [("nearest", nearest)])

    def _columns(self, width: int) -> None:
        table = self.query_one("#health", DataTable)
        table.clear(columns=True)
        self._layout = self._widths(width)
        self.query_one("#health-detail", Static).styles.width = 30 if width < 100 else 36
        nearest = _("Nearest checkpoint")
        titles = {"health": "", "deal": "#", "client": _("Client"), "manager": _("Manager"), "nearest": nearest}
        for key, w in self._layout:
            title = titles[key]
            if len(title) > w and key == "nearest":
                title = _("Checkpoint")  # the short header, still a word
            table.add_column(cut(title, w), key=key, width=w)
        self._add(self.rows)

    def on_resize(self, event) -> None:
        if getattr(self, "_layout", None) is not None and self._widths(event.size.width) != self._layout:
            table = self.query_one("#health", DataTable)
            cursor = table.cursor_row
            self._columns(event.size.width)
            if self.rows:
                table.move_cursor(row=min(cursor, len(self.rows) - 1), animate=False)

    def _add(self, rows: list[dict]) -> None:
        widths = dict(self._layout)
        self.query_one("#health", DataTable).add_rows([(
            Text("●", style=HEALTH_STYLE.get(r["health"], "")), str(r["deal_id"]),
            Text(cut(r["client"] or "", widths["client"])),
            *([cut(r["manager"] or "—", widths["manager"])] if self.team_view else []),
            Text(cut(r["nearest"] or "—", widths["nearest"]))) for r in rows])

    @property
    def team_view(self) -> bool:
        return self.app.actor.role in ("admin", "supervisor")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_manager":
            return self.team_view
        return True

    def read(self) -> list[dict]:
        if self.team_view:
            # An admin owns no deals: by default they see everyone's, not "No open deals".
            return self.app.read(health.list_health, user=self.manager, team=self.manager is None)
        return self.app.read(health.list_health)

    def pick_title(self) -> str:
        return _("Whose deals?")

    def manager_picked(self) -> None:
        self.reload()

    def _show(self, rows: list[dict]) -> None:
        table = self.query_one("#health", DataTable)
        keep = table.cursor_row
        self.rows = rows
        if self._widths(self.app.size.width) != self._layout:
            self._columns(self.app.size.width)  # what the nearest checkpoints need changed
        else:
            table.clear()
            self._add(rows)
        counts = {c: sum(1 for r in rows if r["health"] == c) for c in ("red", "green", "white")}
        summary = _("{red} red · {green} green · {white} white").format(**counts) if rows else _("No open deals.")
        if self.team_view:
            summary += " · " + (_("manager: {login} (m)").format(login=self.manager) if self.manager
                                else _("everyone (m picks a manager)"))
        self.query_one("#message", Static).update(summary)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1), animate=False)
            self.load_detail(rows[table.cursor_row]["deal_id"])
        else:
            self.query_one("#health-detail", Static).update("")

    @on(DataTable.RowHighlighted, "#health")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.rows):
            self.load_detail(self.rows[event.cursor_row]["deal_id"])

    @work(thread=True, exclusive=True, exit_on_error=False, group="health-detail")
    def load_detail(self, deal_id: int) -> None:
        detail = self.app.read(health.detail, deal_id=deal_id)
        self.app.call_from_thread(self._detail, detail)

    def _detail(self, d: dict) -> None:
        text = Text()
        text.append(_("Deal {id}").format(id=d["deal_id"]), style="bold")
        text.append(f" · {d['client']}\n")
        text.append(health_label(d["health"]), style=HEALTH_STYLE.get(d["health"], ""))
        text.append(f" · {d['campaign']} · {d.get('stage_name') or d['stage']}\n\n", style="dim")
        text.append(_("Nearest checkpoint") + ": ", style="dim")
        text.append((d["nearest"] or _("none")) + "\n")
        for point in d["checkpoints_list"]:
            text.append(f"  {when(point['due_at'])}  {point['type']}  ", style="")
            text.append(state_label(point["state"]) + "\n", style="red" if point["state"] == "overdue" else "dim")
        text.append("\n" + _("Invoice") + ": ", style="dim")
        text.append(amount(d["invoice"]) + "\n")
        text.append(_("Paid") + ": ", style="dim")
        text.append(amount(d["paid"]) + "\n")
        for payment in d["payments"]:
            text.append(f"  {when(payment['paid_at'])}  {payment['amount']}\n", style="dim")
        text.append(_("Planned close date") + ": ", style="dim")
        close = d["close_by"] or _("not planned")
        text.append(close, style="bold red" if d["close_overdue"] else "")
        self.query_one("#health-detail", Static).update(text)

    def action_open(self) -> None:
        table = self.query_one("#health", DataTable)
        if 0 <= table.cursor_row < len(self.rows):
            self.app.open_deal(self.rows[table.cursor_row]["deal_id"])
