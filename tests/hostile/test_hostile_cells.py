"""Cells that become code, terminal escapes, NUL bytes, LIKE wildcards and giant names (issue 24):
each gives a one-line refusal or a safe result, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.conftest import dump
from tests.core import world
from yoolla_tui.core.calls import deals
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Client, Order, Task
from yoolla_tui.core.kernel.text import spreadsheet_safe
from yoolla_tui.core.people import users

HYPERLINK = '=HYPERLINK("http://x","click")'
DDE = "=cmd|' /C calc'!A0"


@pytest.fixture
def w(engine, admin):
    with db.session_scope(engine) as session:
        built = world.build(session, n_clients=3)
        return {"deals": world.deal_ids(session, built.irina, "W48")}


def _set_client(engine, current: str, **values) -> None:
    """Data written before this release (or by hand): the checks at entry never saw it."""
    with db.session_scope(engine) as session:
        session.execute(update(Client).where(Client.name == current).values(**values))


def refuse(cli, engine, *args, user="irina") -> str:
    before = dump(engine)
    result = cli(*args, user=user, code=None)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
    assert dump(engine) == before
    return lines[0]


# ---- xlsx: text is text ------------------------------------------------------------------------

def test_campaign_export_writes_formula_like_text_as_text(cli, engine, w, tmp_path):
    _set_client(engine, "C1", name=HYPERLINK, contact_person=DDE)
    _set_client(engine, "C2", name="\tОрг", contact_person="Bell\x07 and ESC\x1b inside")
    with db.session_scope(engine) as session:
        anna = users.get_by_login(session, "anna")
        deals.log_call(session=session, actor=anna, deal_id=w["deals"]["C1"], outcome="no_answer", note=HYPERLINK)
    out = tmp_path / "w48.xlsx"
    cli("campaign", "export", "W48", "--out", out)
    book = load_workbook(out)
    cells = {c.value: c for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in (HYPERLINK, DDE):
        assert cells[text].data_type == "s" and cells[text].quotePrefix
    assert "Bell and ESC inside" in cells  # control characters dropped, no IllegalCharacterError
    assert not [c for c in cells.values() if c.data_type == "f"]


# ---- CSV: formulas neutralised, phones and negative numbers usable -----------------------------

@pytest.mark.parametrize("value, expected", [
    (HYPERLINK, "'" + HYPERLINK), ("+SUM(1,2)", "'+SUM(1,2)"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1+1", "'\t=1+1"),
    ("\r=1", "'\r=1"), ("-2+3", "'-2+3"), ("+7 495 123-45-67", "+7 495 123-45-67"), ("-1500.50", "-1500.50"),
    ("+7 (495) 123-45-67", "+7 (495) 123-45-67"), ("ООО Вектор", "ООО Вектор"), ("", ""), ("-", "'-"),
])
def test_spreadsheet_safe_rule(value, expected):
    assert spreadsheet_safe(value) == expected


def test_client_list_csv_neutralises_formulas_and_keeps_phones(cli, engine, w):
    _set_client(engine, "C1", name=HYPERLINK)
    out = cli("client", "list", "--format", "csv").stdout
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(out))}
    assert "'" + HYPERLINK in rows and HYPERLINK not in rows
    assert rows["C2"]["phone"].startswith("+7")
    assert cli.json("client", "list")[0]["name"] in (HYPERLINK, "C2", "C3")  # json: the exact text for scripts


# ---- terminal escapes --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Evil\x1b]0;pwned\x07", "Red\x1b[31m", "CSI\x9b31m", "Nul\x00"])
def test_client_add_refuses_control_characters(cli, engine, admin, name):
    line = refuse(cli, engine, "client", "add", name, "--phone", "+74951000099")
    assert "control character" in line


def test_names_with_escapes_already_stored_are_printed_visibly(cli, engine, w):
    _set_client(engine, "C1", name="Evil\x1b]0;pwned\x07[link=http://x]y[/link]")
    for args in (("client", "list"), ("deal", "list"), ("deal", "show", str(w["deals"]["C1"]))):
        out = cli(*args).stdout
        assert "\x1b" not in out and "\x07" not in out
        assert "\\x1b]0;pwned\\x07" in out
    assert "[link=http://x]" in cli("client", "list").stdout  # markup-looking text is text


def test_call_note_and_full_name_refuse_escapes(cli, engine, w):
    refuse(cli, engine, "call", "log", str(w["deals"]["C1"]), "--outcome", "no_answer", "--note", "hi\x1b[2J", user="anna")
    refuse(cli, engine, "user", "add", "olga", "--name", "Olga\x1b]0;x\x07")


# ---- import: NUL and escapes reject the row by number -------------------------------------------

def test_import_rejects_rows_with_nul_or_escape_by_number(cli, engine, admin, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes("Организация;Телефон\nООО Один;+74951000001\nООО\x00Два;+74951000002\nТри\x1b[31m;+74951000003\n"
                     "ООО\x0bЧетыре;+74951000004\n".encode())
    result = cli.json("import", path)
    assert result["inserted"] == 2 and result["rejected"] == 2  # a vertical tab (Word's line break) is a space
    rejected = cli.json("import", "show", str(result["batch"]))["rejected_rows"]
    assert [r["row"] for r in rejected] == [3, 4]
    assert "NUL" in rejected[0]["reason"] and "ESC" in rejected[1]["reason"]
    with db.session_scope(engine) as session:
        assert sorted(session.scalars(select(Client.name))) == ["ООО Один", "ООО Четыре"]


# ---- --search takes % and _ literally ----------------------------------------------------------

def test_search_escapes_like_wildcards(cli, engine, w):
    assert cli.json("client", "list", "--search", "%") == []
    assert cli.json("client", "list", "--search", "_") == []
    _set_client(engine, "C2", name="100% Скидка")
    assert [r["name"] for r in cli.json("client", "list", "--search", "%")] == ["100% Скидка"]


# ---- lengths -----------------------------------------------------------------------------------

def test_giant_name_is_refused_and_the_limit_is_in_help(cli, engine, admin):
    line = refuse(cli, engine, "client", "add", "Я" * 100_000, "--phone", "+74951000099")
    assert "100000 characters long; at most 300" in line
    wide = {"COLUMNS": "250"}
    assert "300 characters" in cli("client", "add", "--help", env=wide).stdout
    assert "4000 characters" in cli("call", "log", "--help", env=wide).stdout


def test_dashboard_gets_names_with_escapes_made_visible(engine, w, db_url):
    """What the dashboard shows comes through YoollaApp.read/core: no raw ESC reaches a widget."""
    from yoolla_tui.app import make_app

    _set_client(engine, "C1", name="Evil\x1b]0;pwned\x07")
    app = make_app(db_url=db_url, user="irina")
    names = [r["client"] for r in app.read(deals.list_deals)]
    assert "Evil\\x1b]0;pwned\\x07" in names and not any("\x1b" in n for n in names)


ESC_NAME = "Red\x1b[31m"


@pytest.mark.parametrize("args", [
    ("campaign", "create", ESC_NAME, "--week", "2026-W49"),
    ("stage", "add", "extra", "--name", ESC_NAME),
    ("stage", "rename", "agreed", "--name", "Bell\x07"),
    ("lost-reason", "add", "weird", "--name", ESC_NAME),
    ("checkpoint", "type", "add", ESC_NAME),
    ("schedule", "leave", "egor", "2026-12-07", "--note", "off\x1b]0;x\x07"),
], ids=["campaign", "stage", "stage-rename", "lost-reason", "checkpoint-type", "leave-note"])
def test_names_people_read_on_every_screen_refuse_control_characters(cli, engine, w, args):
    """Campaign, stage, reason and checkpoint names reach every operator's screen and every export:
    a terminal escape in one is refused at entry like a client's name."""
    assert "control character" in refuse(cli, engine, *args)


def _newest(engine, model) -> int:
    with db.session_scope(engine) as session:
        return session.scalars(select(model.id).order_by(model.id.desc())).first()


def test_order_and_task_titles_and_comments_refuse_control_characters(cli, engine, w):
    deal = w["deals"]["C1"]
    assert "control character" in refuse(cli, engine, "order", "add", str(deal), ESC_NAME)
    cli("order", "add", str(deal), "Сайт")
    order = _newest(engine, Order)
    assert "control character" in refuse(cli, engine, "task", "add", str(order), ESC_NAME, "--type", "design",
                                         "--assignee", "egor", "--estimate", "1h")
    cli("task", "add", str(order), "Макет", "--type", "design", "--assignee", "egor", "--estimate", "1h")
    task = _newest(engine, Task)
    assert "control character" in refuse(cli, engine, "task", "comment", str(task), "see\x1b[2J")
    cli("task", "comment", str(task), "first line\nsecond line\tand a tab")  # line breaks and tabs are text
