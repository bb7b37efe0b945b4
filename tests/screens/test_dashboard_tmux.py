"""End to end: the installed `yoolla dashboard` in a real terminal (tmux), driven with keys as
an operator would: open the first deal, press 1, and the next deal is on screen."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Call

from .conftest import NOW

pytestmark = pytest.mark.slow


def _screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def _wait_for(session: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_operator_logs_no_answer_and_sees_the_next_deal(world, db_url, tmp_path):
    yoolla = Path(sys.executable).parent / "yoolla"
    env = {"YOOLLA_DB": db_url, "YOOLLA_USER": "anna", "YOOLLA_NOW": NOW, "YOOLLA_TZ": "Europe/Moscow",
           "YOOLLA_LANG": "en", "TERM": "xterm-256color"}
    command = "env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + f" {shlex.quote(str(yoolla))} dashboard"
    name = f"yoolla-e2e-{tmp_path.name}"[:60]
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "100", "-y", "30", command], check=True)
    try:
        _wait_for(name, "4 due")
        subprocess.run(["tmux", "send-keys", "-t", name, "Enter"], check=True)
        _wait_for(name, f"Deal {world.ids['C1']} ·")
        time.sleep(0.5)  # the operator reads the card; a key sooner is dropped (app.KEY_GUARD)
        subprocess.run(["tmux", "send-keys", "-t", name, "1"], check=True)
        screen = _wait_for(name, f"Deal {world.ids['C7']} ·")
        assert "No answer logged" in screen
        with db.session_scope(db.get_engine(db_url)) as s:
            assert s.scalars(select(Call.outcome).where(Call.deal_id == world.ids["C1"]).order_by(Call.id)).all() == [
                "call_back", "no_answer"]
        subprocess.run(["tmux", "send-keys", "-t", name, "Escape"], check=True)
        _wait_for(name, "12:30")  # back on Today: C1 is due again after the retry delay
        subprocess.run(["tmux", "send-keys", "-t", name, "q"], check=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_burst_of_keys_logs_only_the_deal_on_screen(world, db_url, tmp_path):
    """`1 1 1` and `2 2 1` sent in one burst, as fast fingers do: one call each, on the deal that
    was on screen; the deal that appeared got nothing, and the screen says keys were ignored."""
    yoolla = Path(sys.executable).parent / "yoolla"
    env = {"YOOLLA_DB": db_url, "YOOLLA_USER": "anna", "YOOLLA_NOW": NOW, "YOOLLA_TZ": "Europe/Moscow",
           "YOOLLA_LANG": "en", "TERM": "xterm-256color"}
    command = "env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + f" {shlex.quote(str(yoolla))} dashboard"
    name = f"yoolla-burst-{tmp_path.name}"[:60]
    engine = db.get_engine(db_url)

    def outcomes(deal_id):
        with db.session_scope(engine) as s:
            return s.scalars(select(Call.outcome).where(Call.deal_id == deal_id).order_by(Call.id)).all()

    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", command], check=True)
    try:
        _wait_for(name, "4 due")
        subprocess.run(["tmux", "send-keys", "-t", name, "Enter"], check=True)
        _wait_for(name, f"Deal {world.ids['C1']} ·")
        time.sleep(1.0)  # the operator reads the card
        subprocess.run(["tmux", "send-keys", "-t", name, "1", "1", "1"], check=True)
        screen = _wait_for(name, f"Deal {world.ids['C7']} ·")
        screen = _wait_for(name, "keys ignored")
        time.sleep(1.0)
        assert outcomes(world.ids["C1"]) == ["call_back", "no_answer"]
        assert outcomes(world.ids["C7"]) == []
        time.sleep(1.0)  # reads the next card, then a call-back in 2 hours and a stray 1
        subprocess.run(["tmux", "send-keys", "-t", name, "2", "2", "1"], check=True)
        _wait_for(name, f"Deal {world.ids['C12']} ·")
        time.sleep(1.0)
        assert outcomes(world.ids["C7"]) == ["call_back"]
        assert outcomes(world.ids["C12"]) == []
        subprocess.run(["tmux", "send-keys", "-t", name, "q", "q"], check=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
