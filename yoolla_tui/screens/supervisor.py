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

from yoolla_tui.screens.base import BoardScreen, amount, translated


def two_lines(label: str) -> str:
    """A header of several words on two lines, split where the halves are most even."""
    words = label.split()
    if len(words) < 2:
        return label
    best = min(range(1, len(words)), key=lambda n: (max(len(" ".join(words[:n])), len(" ".join(words[n:]))), -n))
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


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
        yield Static(_("Today per manager"), classes="section", id="daily-title")
        yield DataTable(id="daily", cursor_type="row", zebra_stripes=True, header_height=2)
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
        compare = self.query_one("#compare", DataTable)
        for key, label in (("rank", "#"), ("manager", _("Manager")), ("score", _("Score")), ("calls", _("Calls")),
                           ("reached", _("Reached")), ("invoices", _("Invoices")), ("payments", _("Payments")),
                           ("won", _("Won")), ("lost", _("Lost"))):
            compare.add_column(label, key=key)
        super().on_mount()

    # Today per manager, widest first to go when the terminal is narrow: the money (the payments
    # count stays), then the deals held. Long labels take two lines rather than a cut.
    DAILY = (("manager", "Manager", 0), ("deals", "Deals", 2), ("calls", "Calls", 0), ("reached", "Reached", 0),
             ("not_called", "Not called yet", 0), ("overdue_callbacks", "Overdue call-backs", 0),
             ("invoices", "Invoices", 0), ("payments", "Payments", 0), ("paid", "Paid", 1))

    def _daily(self, rows: list[dict], width: int) -> None:
        """The daily table with every column that fits `width` whole; the section line names the
        ones left out (`yoolla report daily` has them all)."""
        labels = {"manager": _("Manager"), "deals": _("Deals"), "calls": _("Calls"), "reached": _("Reached"),
                  "not_called": _("Not called yet"), "overdue_callbacks": _("Overdue call-backs"),
                  "invoices": _("Invoices"), "payments": _("Payments"), "paid": _("Paid")}
        cells = [{key: (_("Total") if r["total"] else r["manager"]) if key == "manager"
                  else amount(r["paid"]) if key == "paid" else str(r[key]) for key, _label, _drop in self.DAILY}
                 for r in rows]
        titles = {key: two_lines(labels[key]) for key, _label, _drop in self.DAILY}
        natural = {key: max([len(line) for line in titles[key].split("\n")] + [len(c[key]) for c in cells])
                   for key, _label, _drop in self.DAILY}
        shown = [key for key, _label, _drop in self.DAILY]
        room = width - 4  # the margins, a scrollbar
        for key, _label, drop in sorted((c for c in self.DAILY if c[2]), key=lambda c: c[2]):
            if sum(natural[k] + 2 for k in shown) <= room:
                break
            shown.remove(key)
        left_out = [labels[key] for key, _label, _drop in self.DAILY if key not in shown]
        section = _("Today per manager")
        if left_out:
            section += " · " + _("left out at this width: {columns} (yoolla report daily)").format(
                columns=", ".join(left_out))
        self.query_one("#daily-title", Static).update(section)
        daily = self.query_one("#daily", DataTable)
        daily.clear(columns=True)
        for key in shown:
            daily.add_column(titles[key], key=key)
        for r, c in zip(rows, cells):
            style = "bold" if r["total"] else ""
            daily.add_row(*(Text(c[key], style=style) for key in shown))

    def on_resize(self, event) -> None:
        if getattr(self, "board", None) is not None:
            self._daily(self.board["daily"], event.size.width)

    def read(self) -> dict:
        weeks = trend_weeks()
        since = clock.at_local(clock.parse_week(weeks[0])[0], time(0, 0))
        rows = self.app.read(efficiency.report, since=since, by="user")
        return {**self.app.read(board.supervisor_board), "trend_weeks": weeks, "trend": trend_series(rows, weeks)}

    def _show(self, board: dict) -> None:
        self.board = board
        self._daily(board["daily"], self.app.size.width)
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
