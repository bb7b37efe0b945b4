"""Supervisor: today's report per manager (ranked by calls, refreshed on a timer) and the funnel
of the newest open campaign as bars, and the efficiency trend (actual / estimate per executor and
week) as a chart. Supervisors and admins."""

from __future__ import annotations

from datetime import time, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from yoolla_tui.core.reports import board
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.work import efficiency
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.screens.base import BoardScreen, translated


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


TREND_WEEKS = 8


def trend_weeks(count: int = TREND_WEEKS) -> list[str]:
    """The last `count` ISO weeks, oldest first, ending with this week."""
    monday = clock.today() - timedelta(days=clock.today().weekday())
    return [clock.week_of(monday - timedelta(weeks=n)) for n in range(count - 1, -1, -1)]


def trend_series(rows: list[dict], weeks: list[str]) -> dict[str, list[tuple[int, float]]]:
    """Per executor, (week index, ratio) for each of `weeks` with timed tasks done in it (weeks
    without any are left out, not drawn as zero)."""
    series: dict[str, list[tuple[int, float]]] = {}
    for row in rows:
        if row["week"] in weeks and row["ratio"] is not None and row["actual_minutes"]:
            series.setdefault(row["key"], []).append((weeks.index(row["week"]), row["ratio"]))
    return {key: sorted(points) for key, points in sorted(series.items())}


class TrendChart(PlotextPlot):
    """The weekly ratio (actual / estimate) per executor; 1 is on plan."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.weeks: list[str] = []
        self.series: dict[str, list[tuple[int, float]]] = {}

    def draw(self, weeks: list[str], series: dict[str, list[tuple[int, float]]]) -> None:
        self.weeks, self.series = weeks, series
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xticks(list(range(len(weeks))), [week.split("-")[1] for week in weeks])
        plt.xlim(-0.5, len(weeks) - 0.5)
        plt.hline(1.0, "gray")
        for key, points in series.items():
            plt.plot([x for x, _ratio in points], [ratio for _x, ratio in points], label=key, marker="dot")
        self.refresh()


class SupervisorScreen(BoardScreen):
    """The day per manager, the funnel and the efficiency trend, for whoever watches the team."""

    def __init__(self) -> None:
        super().__init__()
        self.board: dict | None = None
        self.trend: dict[str, list[tuple[int, float]]] = {}
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
        with Horizontal(id="bottom"):
            with Vertical(classes="half"):
                yield Static(_("Funnel: deals that reached each stage"), classes="section")
                yield Static(id="funnel")
            with Vertical(classes="half"):
                yield Static(_("Efficiency: actual / estimate"), classes="section")
                empty, chart = Static(Text(_("No timed tasks yet"), style="dim"), id="trend-empty"), TrendChart(id="trend")
                empty.display = chart.display = False  # until the first read says which one
                yield empty
                yield chart
        yield Static(id="message")
        yield Footer(compact=True)

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
        weeks = trend_weeks()
        since = clock.at_local(clock.parse_week(weeks[0])[0], time(0, 0))
        rows = self.app.read(efficiency.report, since=since, by="user")
        return {**self.app.read(board.supervisor_board), "trend_weeks": weeks, "trend": trend_series(rows, weeks)}

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
                      else funnel_bars(board["funnel"], self.app.size.width // 2 - 4))
        self.trend = board["trend"]
        self.query_one("#trend-empty", Static).display = not self.trend
        chart = self.query_one("#trend", TrendChart)
        chart.display = bool(self.trend)
        chart.draw(board["trend_weeks"], self.trend)
