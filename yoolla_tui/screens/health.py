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

from yoolla_tui.screens.base import BoardScreen, translated, when

HEALTH_STYLE = {"red": "bold red", "green": "green", "white": "bold white"}


def health_label(code: str) -> str:
    return {"red": _("red"), "green": _("green"), "white": _("white")}.get(code, code)


def state_label(code: str) -> str:
    return {"planned": _("planned"), "overdue": _("overdue"), "done": _("done"),
            "done_late": _("done late")}.get(code, code)


class HealthScreen(BoardScreen):
    """The user's open deals by health, with the detail of the highlighted one."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self._bindings = translated(self._bindings, [
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
        table.add_column("", key="health", width=1)
        table.add_column("#", key="deal", width=5)
        table.add_column(_("Client"), key="client")
        table.add_column(_("Nearest checkpoint"), key="nearest")
        super().on_mount()
        table.focus()

    def read(self) -> list[dict]:
        return self.app.core(health.list_health)

    def _show(self, rows: list[dict]) -> None:
        table = self.query_one("#health", DataTable)
        keep = table.cursor_row
        self.rows = rows
        table.clear()
        table.add_rows([(Text("●", style=HEALTH_STYLE.get(r["health"], "")), str(r["deal_id"]), r["client"],
                         r["nearest"] or "—") for r in rows])
        counts = {c: sum(1 for r in rows if r["health"] == c) for c in ("red", "green", "white")}
        self.query_one("#message", Static).update(
            _("{red} red · {green} green · {white} white").format(**counts) if rows else _("No open deals."))
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
        detail = self.app.core(health.detail, deal_id=deal_id)
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
        text.append((d["invoice"] or "—") + "\n")
        text.append(_("Paid") + ": ", style="dim")
        text.append((d["paid"] or "—") + "\n")
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
