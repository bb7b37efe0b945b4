"""Pictures of the dashboard on the fixed world of conftest (Monday 2026-11-23 10:30, anna),
in English and Russian. Each test says what the picture must show; update a snapshot only
after looking at it (`pytest --snapshot-update`, then open the SVG)."""

from __future__ import annotations

import pytest

from .conftest import press, settle

LANGS = ["en", "ru"]


async def _loaded(pilot):
    await settle(pilot)


async def _deal(pilot):
    await settle(pilot)
    await press(pilot, "enter")


class TestToday:
    @pytest.mark.parametrize("lang", LANGS)
    def test_today_100x32(self, snap_compare, make, monkeypatch, lang):
        """Counters (2 called today, 4 to call), the queue with C1's overdue call-back on top in
        red, C4 (due 11:30) last in yellow, "4 due · sorted by due time", the footer's keys."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make(), terminal_size=(100, 32), run_before=_loaded)

    @pytest.mark.parametrize("lang", LANGS)
    def test_today_80x24(self, snap_compare, make, monkeypatch, lang):
        """The same at the smallest supported terminal: nothing cut that matters (client names,
        due times, the pager line, the footer)."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make(), terminal_size=(80, 24), run_before=_loaded)


    @pytest.mark.parametrize("lang", LANGS)
    def test_today_120x36(self, snap_compare, make, monkeypatch, lang):
        """A wide terminal: the Last outcome column back, the client's name with room to spare."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make(), terminal_size=(120, 36), run_before=_loaded)


class TestDeal:
    @pytest.mark.parametrize("lang", LANGS)
    def test_deal_100x32(self, snap_compare, make, monkeypatch, lang):
        """C1's card: the stage bar with "To call" marked, the client card beside the deal (call
        back, overdue: red light), the history full width with anna's call-back note, the outcome
        keys legend."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make(), terminal_size=(100, 32), run_before=_deal)

    @pytest.mark.parametrize("lang", LANGS)
    def test_deal_80x24(self, snap_compare, make, monkeypatch, lang):
        """The same card at the smallest terminal: the phone as people read it (+7 495 100-00-01),
        the history's outcome and note whole, the legend of outcome keys, and a footer that ends
        with the way back and `?`."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make(), terminal_size=(80, 24), run_before=_deal)


async def _supervisor(pilot):
    await settle(pilot)
    await press(pilot, "v")


class TestSupervisor:
    @pytest.mark.parametrize("lang", LANGS)
    def test_supervisor_100x32(self, snap_compare, make, monkeypatch, lang):
        """irina's view: anna (2 calls) ranked first, then boris and vera; the W48 funnel with
        all 12 deals in the first stage as the one long bar; beside it the efficiency trend's calm
        line "No timed tasks yet" (the world has no time entries; the chart is tested by pilot)."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make("irina"), terminal_size=(100, 32), run_before=_supervisor)

    @pytest.mark.parametrize("lang", LANGS)
    def test_supervisor_80x24(self, snap_compare, make, monkeypatch, lang):
        """At 80 columns every header of Today per manager is whole (the long ones on two lines);
        what does not fit is left out and named in the section line (Paid, and Deals in English),
        never cut at the screen's edge."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make("irina"), terminal_size=(80, 24), run_before=_supervisor)

    @pytest.mark.parametrize("lang", LANGS)
    def test_supervisor_120x36(self, snap_compare, make, monkeypatch, lang):
        """Every column, Paid as money in the user's language (5,000.00 / 5 000,00 ₽)."""
        monkeypatch.setenv("YOOLLA_LANG", lang)
        assert snap_compare(make("irina"), terminal_size=(120, 36), run_before=_supervisor)
