"""Supervisor: today's report per manager (ranked by calls, refreshed on a timer) and the funnel
of the newest open campaign as bars. Supervisors and admins."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from yoolla_tui.core import clock, today
from yoolla_tui.core.i18n import _

from .base import BoardScreen, translated


def funnel_bars(funnel: list[dict], width: int) -> Text:
    """One bar per stage (deals that reached it), scaled to the first; the count and the
    conversion from the stage before at the end."""
    if not funnel:
        return Text(_("No open campaign."), style="dim")
    text = Text()
    label = max(len(row["name"]) for row in funnel)
    top = max(row["reached"] for row in funnel) or 1
    room = max(10, width - label - 16)
    for n, row in enumerate(funnel):
        if n:
            text.append("\n")
        text.append(row["name"].ljust(label) + "  ", style="dim")
        text.append("█" * max(1 if row["reached"] else 0, round(room * row["reached"] / top)), style="cyan")
        text.append(f" {row['reached']}")
        if row["conversion"] is not None:
            text.append(f"  {row['conversion']:g}%", style="dim")
    return text


class SupervisorScreen(BoardScreen):
    """The day per manager and the funnel, for whoever watches the team."""

    def __init__(self) -> None:
        super().__init__()
        self.board: dict | None = None
        self._bindings = translated(self._bindings, [
            Binding("r", "reload", _("Refresh"), tooltip=_("Reload the report and the funnel"), id="reload"),
            Binding("escape,q", "back", _("Back"), tooltip=_("Back to Today"), id="back"),
        ])

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static(_("Today per manager"), classes="section")
        yield DataTable(id="daily", cursor_type="row", zebra_stripes=True)
        yield Static(_("This week, managers compared (score: reached + 3 × invoices + 5 × payments)"), classes="section")
        yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
        yield Static(_("Funnel of the open campaigns: deals that reached each stage"), classes="section")
        yield Static(id="funnel")
        yield Static(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#topbar", Static).update(Text.assemble(
            ("Yoolla", "bold"), "  ", _("Supervisor"), " · ", clock.today().strftime("%d.%m.%Y")))
        daily = self.query_one("#daily", DataTable)
        for key, label in (("manager", _("Manager")), ("deals", _("Deals")), ("calls", _("Calls")),
                           ("reached", _("Reached")), ("not_called", _("Not called yet")),
                           ("overdue", _("Overdue call-backs")), ("invoices", _("Invoices")),
                           ("payments", _("Payments")), ("paid", _("Paid"))):
            daily.add_column(label, key=key)
        compare = self.query_one("#compare", DataTable)
        for key, label in (("rank", "#"), ("manager", _("Manager")), ("score", _("Score")), ("calls", _("Calls")),
                           ("reached", _("Reached")), ("invoices", _("Invoices")), ("payments", _("Payments")),
                           ("won", _("Won")), ("lost", _("Lost"))):
            compare.add_column(label, key=key)
        super().on_mount()

    def read(self) -> dict:
        return self.app.core(today.supervisor_board)

    def _show(self, board: dict) -> None:
        self.board = board
        daily = self.query_one("#daily", DataTable)
        daily.clear()
        for r in board["daily"]:
            style = "bold" if r["total"] else ""
            name = _("Total") if r["total"] else r["manager"]
            daily.add_row(*(Text(str(v), style=style) for v in (
                name, r["deals"], r["calls"], r["reached"], r["not_called"], r["overdue_callbacks"], r["invoices"],
                r["payments"], r["paid"])))
        compare = self.query_one("#compare", DataTable)
        compare.clear()
        compare.add_rows([(r["rank"], r["manager"], r["score"], r["calls"], r["reached"], r["invoices"], r["payments"],
                           r["won"], r["lost"]) for r in board["managers"]])
        funnel = self.query_one("#funnel", Static)
        funnel.update(Text(board["funnel_note"], style="dim") if board["funnel_note"]
                      else funnel_bars(board["funnel"], self.app.size.width - 4))
