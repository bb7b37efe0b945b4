"""`yoolla call undo CALL`: the same core undo as the dashboard's `z`."""

from __future__ import annotations

from tests.conftest import dump
from yoolla_tui.core.kernel import db


def test_call_undo_puts_the_deal_back_and_refuses_twice(cli, engine):
    cli("user", "add", "anna")
    cli("client", "add", "ООО Ромашка", "--phone", "+74951234567", now="2026-11-23T08:00:00+03:00")
    cli("campaign", "create", "W48", "--week", "2026-W48", now="2026-11-23T08:00:00+03:00")
    cli("campaign", "add", "W48", now="2026-11-23T08:00:00+03:00")
    cli("campaign", "assign", "W48", "--managers", "anna", now="2026-11-23T08:00:00+03:00")
    before = cli.json("deal", "show", "1", user="anna")
    cli("call", "log", "1", "-o", "refused", "--reason", "too_expensive", user="anna", now="2026-11-23T10:00:00+03:00")
    call_id = cli.json("deal", "show", "1", user="anna")["calls"][-1]["id"]
    out = cli("call", "undo", str(call_id), user="anna", now="2026-11-23T10:02:00+03:00")
    assert "Deal 1: stage to_call" in out.stdout
    after = cli.json("deal", "show", "1", user="anna")
    assert (after["stage"], after["status"], after["closed"], after["calls"]) == (before["stage"], "new", False, [])
    state = dump(engine)
    again = cli("call", "undo", str(call_id), user="anna", now="2026-11-23T10:03:00+03:00", code=4)
    assert again.stderr == f"Error: no call {call_id}\n"
    assert dump(engine) == state
