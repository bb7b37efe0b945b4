"""Reports on a small hand-built week, through the CLI with "now" set per step (issue 16).

Campaign W48 (2026-W48), clients C1..C6 assigned round-robin by name: anna C1 C3 C5, boris C2 C4 C6.
Mon 23.11 10:00  anna: C1 interested (-> agreed), C3 no_answer
                 boris: C2 call_back (Tue 11:00), C4 refused, C6 call_back (Tue 10:00)
Tue 24.11 10:30  anna: C3 no_answer, C5 interested; C1 -> proposal_sent, invoice 20000 (-> invoice_issued)
Tue 24.11 11:30  boris: C2 interested (-> agreed)
Tue 24.11 12:00  anna: payment 5000 on C1 (not all of the invoice: C1 stays at invoice_issued)
Reports are read on Tue 24.11 at 13:00: C6's call-back (due 10:00) is overdue.
Every expected number below is derived from this story by hand.
"""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

MON, TUE, NOW = "2026-11-23T10:00:00+03:00", "2026-11-24T10:30:00+03:00", "2026-11-24T13:00:00+03:00"


@pytest.fixture
def week(cli):
    cli("user", "add", "anna", "--supervisor", "irina")
    cli("company", "set", "--name", "ООО Юлла")  # the seller on the proposals that open proposal_sent
    cli("user", "add", "boris", "--supervisor", "irina")
    for i in range(1, 7):
        cli("client", "add", f"C{i}", "--phone", f"+749510000{i:02d}", "--contact", f"Person {i}")
    cli("campaign", "create", "W48", "--week", "2026-W48")
    cli("campaign", "add", "W48")
    cli("campaign", "assign", "W48", "--managers", "anna,boris", "--strategy", "round-robin")
    ids = {r["client"]: r["id"] for r in cli.json("deal", "list", "--campaign", "W48")}
    log = lambda who, client, outcome, when, *extra: cli("call", "log", ids[client], "--outcome", outcome, *extra,  # noqa: E731
                                                         user=who, now=when)
    log("anna", "C1", "interested", MON)
    log("anna", "C3", "no_answer", MON)
    log("boris", "C2", "call_back", MON, "--next-call", "2026-11-24T11:00")
    log("boris", "C4", "refused", MON, "--reason", "not_interested", "--note", "дорого")
    log("boris", "C6", "call_back", MON, "--next-call", "2026-11-24T10:00")
    log("anna", "C3", "no_answer", TUE)
    log("anna", "C5", "interested", TUE)
    cli("deal", "document", ids["C1"], "proposal", user="anna", now=TUE)
    cli("deal", "invoice", ids["C1"], "20000", user="anna", now=TUE)
    log("boris", "C2", "interested", "2026-11-24T11:30:00+03:00")
    cli("deal", "pay", ids["C1"], "5000", user="anna", now="2026-11-24T12:00:00+03:00")
    return ids


def _strip(row: dict, keys) -> dict:
    return {k: row[k] for k in keys}


DAILY_KEYS = ["manager", "date", "deals", "calls", "no_answer", "call_back", "interested", "refused", "do_not_call",
              "wrong_number", "reached", "not_called", "invoices", "invoiced", "payments", "paid", "overdue_callbacks",
              "carried_over", "won", "lost", "total"]


def _row(manager, **figures):
    base = {"deals": 3, "calls": 0, "no_answer": 0, "call_back": 0, "interested": 0, "refused": 0, "do_not_call": 0,
            "wrong_number": 0, "reached": 0, "not_called": 0, "invoices": 0, "invoiced": "0.00", "payments": 0,
            "paid": "0.00", "overdue_callbacks": 0, "carried_over": 0, "won": 0, "lost": 0}
    base.update(figures)
    return {"manager": manager, **base, "total": manager == "TOTAL"}


def test_daily_report_every_number(cli, week):
    rows = cli.json("report", "daily", "--date", "2026-11-24", now=NOW)
    got = [_strip(r, DAILY_KEYS) for r in rows]
    assert got == [
        {**_row("anna", calls=2, no_answer=1, interested=1, reached=1, invoices=1, invoiced="20000.00", payments=1,
                paid="5000.00"), "date": "2026-11-24"},
        {**_row("boris", calls=1, interested=1, reached=1, overdue_callbacks=1), "date": "2026-11-24"},
        {**_row("TOTAL", deals=6, calls=3, no_answer=1, interested=2, reached=2, invoices=1, invoiced="20000.00",
                payments=1, paid="5000.00", overdue_callbacks=1), "date": "2026-11-24"},
    ]
    assert rows[-1]["id"] is None and rows[0]["id"] is not None
    # The README's original keys stay.
    assert {"id", "manager", "date", "deals", "calls", "reached", "not_called", "invoices", "payments", "paid"} <= set(rows[0])
    monday = cli.json("report", "daily", "--date", "2026-11-23", now=NOW)
    assert [(r["manager"], r["calls"], r["reached"], r["refused"], r["call_back"]) for r in monday] == [
        ("anna", 2, 1, 0, 0), ("boris", 3, 3, 1, 2), ("TOTAL", 5, 4, 1, 2)]


WEEK_KEYS = [k for k in DAILY_KEYS if k != "date"]


def test_weekly_report_every_number(cli, week):
    data = cli.json("report", "weekly", "--week", "2026-W48", now=NOW)
    assert data["week"] == "2026-W48" and data["campaigns"] == ["W48"]
    assert (data["from"], data["to"]) == ("2026-11-23", "2026-11-29")
    anna = _row("anna", calls=4, no_answer=2, interested=2, reached=2, invoices=1, invoiced="20000.00", payments=1,
                paid="5000.00")
    boris = _row("boris", calls=4, call_back=2, refused=1, interested=1, reached=3, overdue_callbacks=1, lost=1)
    total = _row("TOTAL", deals=6, calls=8, no_answer=2, call_back=2, refused=1, interested=3, reached=5, invoices=1,
                 invoiced="20000.00", payments=1, paid="5000.00", overdue_callbacks=1, lost=1)
    assert [_strip(r, WEEK_KEYS) for r in data["managers"]] == [anna, boris]
    assert _strip(data["total"], WEEK_KEYS) == total
    assert [(s["stage"], s["reached"], s["conversion"]) for s in data["funnel"]] == [
        ("to_call", 6, None), ("agreed", 3, 50.0), ("proposal_sent", 1, 33.3), ("invoice_issued", 1, 100.0),
        ("paid", 0, 0.0), ("attended", 0, None)]
    assert [(p["date"], p["calls_due"], p["callbacks"]) for p in data["plan"]] == [
        # 2026-11-25 counts two deals at "agreed" too: an agreed deal keeps a next call (the next
        # business day), so it never leaves the queue unseen
        ("before 2026-11-24", 0, None), ("2026-11-24", 2, 1), ("2026-11-25", 3, 0), ("2026-11-26", 0, 0),
        ("2026-11-27", 0, 0), ("2026-11-28", 0, 0), ("2026-11-29", 0, 0), ("2026-11-30", 0, 0)]
    # score = reached + 3 x invoices + 5 x payments: anna 2 + 3 + 5, boris 3
    assert [(r["rank"], r["manager"], r["score"], r["conv_agreed"], r["conv_invoice_issued"]) for r in data["ranking"]] == [
        (1, "anna", 10, 66.7, 100.0), (2, "boris", 3, 33.3, None)]
    assert data["previous"]["calls"] == 0 and data["previous"]["week"] == "2026-W47"
    assert data["change"] == {"calls": 8, "reached": 5, "invoices": 1, "payments": 1, "won": 0, "lost": 1, "paid": "5000.00"}
    # The same layer answers funnel and managers on their own.
    assert cli.json("report", "funnel", "--campaign", "W48", now=NOW) == data["funnel"]
    assert cli.json("report", "managers", "--week", "2026-W48", now=NOW) == data["ranking"]


def test_weekly_markdown_without_a_tty_is_clean(cli, week):
    result = cli("report", "weekly", "--week", "2026-W48", "--format", "md", now=NOW)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and result.stderr == ""
    assert result.stdout.startswith("## Week 2026-W48")
    assert "| anna | 3 | 4 | 2 | 0 | 2 | 0 | 0 | 0 | 2 | 0 | 1 | 20000.00 | 1 | 5000.00 |" in result.stdout
    assert "## Funnel" in result.stdout and "## Calendar plan" in result.stdout and "## Ranking" in result.stdout


def test_report_to_files_and_refusals(cli, week, tmp_path):
    out = tmp_path / "daily.csv"
    cli("report", "daily", "--date", "2026-11-24", "--format", "csv", "--out", out, now=NOW)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("manager,date,deals,calls,no_answer")
    assert lines[-1].startswith("TOTAL,2026-11-24,6,3,1,0,2,")
    book_path = tmp_path / "week.xlsx"
    cli("report", "weekly", "--week", "2026-W48", "--format", "xlsx", "--out", book_path, now=NOW)
    book = load_workbook(book_path)
    assert [ws.title for ws in book.worksheets][1:] == ["Funnel", "Calendar plan", "Ranking", "Change against last week"]
    result = cli("report", "daily", "--format", "xlsx", code=2, now=NOW)
    assert result.stderr.strip() == "Error: --format xlsx writes a file: add --out FILE.xlsx"
    result = cli("report", "weekly", "--week", "2026-48", code=None, now=NOW)
    assert result.exit_code != 0 and result.stderr.count("\n") == 1 and "2026-48" in result.stderr


def test_campaign_workbook_matches_the_report(cli, week, tmp_path):
    path = tmp_path / "week48.xlsx"
    cli("campaign", "export", "W48", "--out", path, now=NOW)
    report = cli.json("report", "weekly", "--campaign", "W48", now=NOW)
    book = load_workbook(path)
    assert book.sheetnames == ["anna", "boris", "Итоги"]
    anna = book["anna"]
    assert anna.freeze_panes == "A2" and anna.auto_filter.ref == "A1:K4"
    rows = [list(r) for r in anna.iter_rows(values_only=True)]
    assert rows[0][:6] == ["Организация", "Контактное лицо", "Телефон", "E-mail", "Статус", "Текущее значение"]
    assert rows[1][:6] == ["C1", "Person 1", "+74951000001", None, "счёт выставлен", "заинтересован"]
    assert rows[1][6:9] == ["2026-11-25 09:00", 20000, 5000]
    assert [r[0] for r in rows[1:]] == ["C1", "C3", "C5"]
    assert [r[4:6] for r in book["boris"].iter_rows(min_row=2, values_only=True)] == [
        ("согласился", "заинтересован"), ("отказ", "отказался"), ("к звонку", "перезвонить")]
    totals = [list(r) for r in book["Итоги"].iter_rows(values_only=True)]
    head = totals.index(["manager", "deals", "calls", "reached", "not_called", "invoices", "invoiced", "payments", "paid",
                         "won", "lost"] + [None] * (len(totals[2]) - 11))
    cols = totals[head][:11]
    table = [dict(zip(cols, line[:11])) for line in totals[head + 1: head + 4]]
    for got, want in zip(table, report["managers"] + [report["total"]]):
        assert got == {c: (float(want[c]) if c in ("invoiced", "paid") else want[c]) for c in cols}
    funnel_at = next(i for i, line in enumerate(totals) if line[:4] == ["stage", "name", "reached", "conversion"])
    assert [tuple(line[:4]) for line in totals[funnel_at + 1: funnel_at + 7]] == [
        (s["stage"], s["name"], s["reached"], s["conversion"]) for s in report["funnel"]]
    assert len(book["Итоги"]._charts) == 1


def test_export_import_round_trip_keeps_every_deal(cli, week, tmp_path):
    # C3's number was wrong and is corrected: the deal is back in the queue as phone_fixed.
    cli("call", "log", week["C3"], "--outcome", "wrong_number", user="anna", now="2026-11-24T12:10:00+03:00")
    cli("client", "edit", "+74951000003", "--phone", "+74951000033", now="2026-11-24T12:20:00+03:00")
    path = tmp_path / "week48.xlsx"
    cli("campaign", "export", "W48", "--out", path, now=NOW)
    cli("campaign", "create", "W48 again", "--week", "2026-W48", now=NOW)
    cli("import", path, "--sheets-as-managers", "--campaign", "W48 again", now=NOW)

    def deals(campaign):
        return sorted((r["client"], r["phone"], r["manager"], r["stage"], r["status"], r["invoice"])
                      for r in cli.json("deal", "list", "--campaign", campaign, "--closed", "--all", now=NOW))

    before, after = deals("W48"), deals("W48 again")
    assert len(after) == 6
    assert after == before
    assert ("C3", "+74951000033", "anna", "to_call", "phone_fixed", None) in after
    assert [r[5] for r in load_workbook(path)["anna"].iter_rows(values_only=True)][1:] == [
        "заинтересован", "телефон исправлен", "заинтересован"]


def test_every_word_the_export_writes_reads_back():
    """The workbook's status words and data/status_words.json (what the importer reads) agree."""
    from yoolla_tui.core.reports import workbook
    from yoolla_tui.core.calls.importing.headers import fold
    from yoolla_tui.core.calls.importing.workbook import words
    from yoolla_tui.core.kernel.models import Outcome

    spec = words()
    assert {fold(w): c for c, w in workbook.CURRENT_WORDS.items()}.items() <= spec["current"].items()
    assert {fold(w): c for c, w in workbook.STAGE_WORDS.items()}.items() <= spec["status"].items()
    assert {fold(w): c for c, w in workbook.QUALITY_WORDS.items()}.items() <= spec["quality"].items()
    assert set(workbook.CURRENT_WORDS) == {o.value for o in Outcome} | {"phone_fixed"}


RU_STAGES = ["Позвонить", "Согласие", "КП отправлено", "Счёт выставлен", "Оплачено", "Посетил"]


def test_stage_names_in_the_users_language(cli, week, tmp_path):
    """Under YOOLLA_LANG=ru the shipped stage names are Russian in reports and in the workbook's
    «Итоги», as `stage list` shows them (one translation: stages.public_stage and reports both use _())."""
    ru = {"YOOLLA_LANG": "ru"}
    listed = {s["code"]: s["name"] for s in cli.json("stage", "list", now=NOW, env=ru)}
    funnel = cli.json("report", "funnel", "--campaign", "W48", now=NOW, env=ru)
    assert [s["name"] for s in funnel] == RU_STAGES == [listed[s["stage"]] for s in funnel]
    assert [s["name"] for s in cli.json("report", "weekly", "--week", "2026-W48", now=NOW, env=ru)["funnel"]] == RU_STAGES
    path = tmp_path / "week48.xlsx"
    cli("campaign", "export", "W48", "--out", path, now=NOW, env=ru)
    totals = [list(r) for r in load_workbook(path)["Итоги"].iter_rows(values_only=True)]
    at = next(i for i, line in enumerate(totals) if line[:2] == ["stage", "name"])
    assert [tuple(line[:3]) for line in totals[at + 1: at + 7]] == list(zip(
        ["to_call", "agreed", "proposal_sent", "invoice_issued", "paid", "attended"], RU_STAGES, [6, 3, 1, 1, 0, 0]))


def test_a_deal_refused_by_advance_counts_where_it_was_lost(cli, week, tmp_path):
    """One rule everywhere: a lost deal reached the stage it was lost from (Deal.lost_at_stage_id),
    whether a refused call or `deal advance --to refused` closed it. anna's C5 goes agreed ->
    proposal_sent and is refused from there; boris's C4 was refused by a call at to_call."""
    late = "2026-11-24T12:30:00+03:00"
    cli("deal", "document", week["C5"], "proposal", user="anna", now=late)
    cli("deal", "advance", week["C5"], "--to", "refused", "--reason", "too_expensive", user="anna", now=late)
    want = [("to_call", 6, None), ("agreed", 3, 50.0), ("proposal_sent", 2, 66.7), ("invoice_issued", 1, 50.0),
            ("paid", 0, 0.0), ("attended", 0, None)]
    data = cli.json("report", "weekly", "--week", "2026-W48", now=NOW)
    assert [(s["stage"], s["reached"], s["conversion"]) for s in data["funnel"]] == want
    assert cli.json("report", "funnel", "--campaign", "W48", now=NOW) == data["funnel"]
    assert [(m["manager"], m["lost"]) for m in data["managers"]] + [(TOTAL_ROW, data["total"]["lost"])] == [
        ("anna", 1), ("boris", 1), (TOTAL_ROW, 2)]
    # anna: C1, C3, C5 called; C1 and C5 agreed; both reached proposal_sent; C1 only an invoice.
    ranking = cli.json("report", "managers", "--week", "2026-W48", now=NOW)
    assert ranking == data["ranking"]
    assert [(r["manager"], r["conv_agreed"], r["conv_proposal_sent"], r["conv_invoice_issued"]) for r in ranking] == [
        ("anna", 66.7, 100.0, 50.0), ("boris", 33.3, 0.0, None)]
    lost = cli.json("report", "lost", "--campaign", "W48", now=NOW)
    assert [(r["code"], r["count"]) for r in lost if r["by"] == "stage"] == [("to_call", 1), ("proposal_sent", 1)]
    path = tmp_path / "week48.xlsx"
    cli("campaign", "export", "W48", "--out", path, now=NOW)
    totals = [list(r) for r in load_workbook(path)["Итоги"].iter_rows(values_only=True)]
    at = next(i for i, line in enumerate(totals) if line[:4] == ["stage", "name", "reached", "conversion"])
    assert [(line[0], line[2], line[3]) for line in totals[at + 1: at + 7]] == want
    assert [line[0] for line in totals[3:6]] == ["anna", "boris", TOTAL_ROW]
    assert [line[10] for line in totals[3:6]] == [1, 1, 2]


TOTAL_ROW = "TOTAL"


def test_a_week_counts_calls_on_last_weeks_open_deals(cli):
    """Deals stay open across weeks until won or lost: anna's W47 deal at "invoice issued" rolls on,
    and her call and the payment on it in W48 are W48's work (reports._week_activity). One
    campaign's report (--campaign) stays on that campaign."""
    cli("user", "add", "anna")
    cli("company", "set", "--name", "ООО Юлла")
    cli("client", "add", "C1", "--phone", "+74951000001")
    cli("client", "add", "C2", "--phone", "+74951000002")
    cli("campaign", "create", "W47", "--week", "2026-W47", now="2026-11-16T08:00:00+03:00")
    cli("campaign", "add", "W47", now="2026-11-16T08:00:00+03:00")
    cli("campaign", "assign", "W47", "--managers", "anna", now="2026-11-16T08:00:00+03:00")
    old = {r["client"]: r["id"] for r in cli.json("deal", "list", "--campaign", "W47", now="2026-11-16T08:00:00+03:00")}
    mon47 = "2026-11-16T10:00:00+03:00"
    cli("call", "log", old["C1"], "--outcome", "interested", user="anna", now=mon47)
    cli("deal", "document", old["C1"], "proposal", user="anna", now=mon47)
    cli("deal", "invoice", old["C1"], "10000", user="anna", now=mon47)
    cli("campaign", "rollover", "W47", "--week", "2026-W48", "--name", "W48", now="2026-11-22T12:00:00+03:00")
    new = {r["client"]: r["id"] for r in cli.json("deal", "list", "--campaign", "W48", now=MON)}
    cli("call", "log", new["C2"], "--outcome", "no_answer", user="anna", now=MON)
    cli("call", "log", old["C1"], "--outcome", "call_back", "--next-call", "2026-11-26T10:00", user="anna", now=TUE)
    cli("deal", "pay", old["C1"], "10000", user="anna", now=TUE)

    data = cli.json("report", "weekly", "--week", "2026-W48", now=NOW)
    anna = data["managers"][0]
    assert (anna["manager"], anna["deals"], anna["calls"], anna["no_answer"], anna["call_back"], anna["reached"],
            anna["payments"], anna["paid"], anna["won"]) == ("anna", 2, 2, 1, 1, 1, 1, "10000.00", 0)
    assert (data["total"]["calls"], data["total"]["payments"]) == (2, 1)
    assert (data["previous"]["calls"], data["previous"]["invoices"]) == (1, 1)
    assert cli.json("report", "managers", "--week", "2026-W48", now=NOW) == data["ranking"]
    assert data["ranking"][0]["score"] == 1 + 5 * 1
    # The same day seen by the daily report (every open campaign) agrees.
    tue = cli.json("report", "daily", "--date", "2026-11-24", now=NOW)
    assert (tue[0]["calls"], tue[0]["call_back"], tue[0]["payments"]) == (1, 1, 1)
    # One campaign's week: W48's own deals only.
    one = cli.json("report", "weekly", "--campaign", "W48", now=NOW)
    assert (one["total"]["calls"], one["total"]["payments"]) == (1, 0)
