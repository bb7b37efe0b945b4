"""The import service: every row accounted for, dedupe, --update, dry run, rejected rows,
campaigns, and undo."""

import csv

import pytest
from sqlalchemy import func, select

from tests.conftest import dump
from tests.fixtures import sheets
from yoolla_tui.core.calls import campaigns, clients, deals
from yoolla_tui.core.kernel import db
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import Conflict
from yoolla_tui.core.calls.importing import RESULT_KEYS, list_batches, run_import, show_batch, undo_batch
from yoolla_tui.core.kernel.models import AuditRecord, Client, Deal, ImportRejectedRow

HEADER = ["№", "Организация", "Контактное лицо", "Телефон", "E-mail", "Город", "ИНН"]
ROWS = [
    ["Клиенты на 23.11"], [],
    HEADER,
    [1, "ООО Вектор", "Иванов Пётр", "8 (495) 123-45-67", "", "Москва", "7701"],
    [2, "АО Гранит", "", "+7 916 123-45-67", "granit@example.ru", "", ""],
    [3, "ООО ВЕКТОР", "", "+7 (495) 1234567", "vector@example.ru", "", ""],    # duplicate of row 4, written differently
    [4, "Мусор", "", "12-34", "", "", ""],                                       # invalid phone
    [5, "", "", "", "", "", ""],                                                 # no phone
    [],                                                                          # blank
    [6, "ЗАО Кедр", "", "495 765-43-21, 916 765-43-21", "", "Тверь", ""],       # two numbers
]


@pytest.fixture
def team(engine, admin):
    with db.session_scope(engine) as s:
        for login, name in [("anna", "Анна Смирнова"), ("boris", "Борис Кузнецов")]:
            users.add_user(session=s, actor=admin, login=login, full_name=name, role="manager")
        campaigns.create(session=s, actor=admin, name="Seminar", week="2026-W48")


def _import(engine, admin, path, **kw):
    with db.session_scope(engine) as s:
        return run_import(session=s, actor=admin, path=path, **kw)


def test_every_row_is_accounted_for(engine, admin, tmp_path):
    path = sheets.xlsx(tmp_path / "list.xlsx", ROWS)
    result = _import(engine, admin, path)
    assert set(RESULT_KEYS) <= set(result)
    assert {k: result[k] for k in ("read", "inserted", "updated", "duplicates", "rejected", "added_to_campaign")} == \
        {"read": 6, "inserted": 3, "updated": 0, "duplicates": 1, "rejected": 2, "added_to_campaign": 0}
    assert (result["duplicates_within_file"], result["duplicates_in_base"], result["blank"]) == (1, 0, 1)
    assert result["read"] == result["inserted"] + result["duplicates"] + result["rejected"]
    with db.session_scope(engine) as s:
        vector = clients.resolve(s, "84951234567")
        assert (vector.name, vector.contact_person, vector.phone_raw, vector.city) == ("ООО Вектор", "Иванов Пётр", "8 (495) 123-45-67", "Москва")
        assert vector.extra == {"№": "1", "ИНН": "7701"}
        assert vector.import_batch_id == result["batch"]
        kedr = clients.resolve(s, "4957654321")
        assert kedr.extra["phone_2"] == "916 765-43-21"
        rejected = s.execute(select(ImportRejectedRow.row_number, ImportRejectedRow.reason).order_by(ImportRejectedRow.row_number)).all()
        assert rejected == [(7, "'12-34' is not a valid phone number for region RU"), (8, "no phone")]
        assert s.scalar(select(AuditRecord.data).where(AuditRecord.action == "import.run"))["inserted"] == 3


def test_rejected_rows_written_next_to_the_input_for_excel(engine, admin, tmp_path):
    path = sheets.xlsx(tmp_path / "list.xlsx", ROWS)
    result = _import(engine, admin, path)
    target = tmp_path / "list.rejected.csv"
    assert result["rejected_file"] == str(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert lines[0] == ["row", *HEADER, "reason"]
    assert lines[1][:5] == ["7", "4", "Мусор", "", "12-34"] and lines[1][-1] == "'12-34' is not a valid phone number for region RU"
    assert lines[2][0] == "8" and lines[2][-1] == "no phone"


def test_reimport_changes_nothing_and_reports_every_row_as_duplicate(engine, admin, tmp_path, team):
    path = sheets.xlsx(tmp_path / "list.xlsx", ROWS)
    first = _import(engine, admin, path, campaign="Seminar")
    assert first["added_to_campaign"] == 3
    before = dump(engine)
    again = _import(engine, admin, path, campaign="Seminar")
    assert (again["inserted"], again["duplicates"], again["duplicates_in_base"], again["added_to_campaign"]) == (0, 4, 3, 0)
    after = dump(engine)
    for table in ("client", "deal", "call"):
        assert after[table] == before[table]


def test_update_fills_empty_fields_only_and_undo_restores_them(engine, admin, tmp_path):
    _import(engine, admin, sheets.xlsx(tmp_path / "a.xlsx", [["Организация", "Телефон", "Город"], ["ООО Вектор", "84951234567", ""],
                                                               ["АО Гранит", "89161234567", "Тверь"]]))
    newer = sheets.xlsx(tmp_path / "b.xlsx", [["Организация", "Телефон", "Город", "E-mail", "Сайт"],
                                              ["Вектор (новое имя)", "+7 495 123-45-67", "Москва", "v@example.ru", "vector.ru"],
                                              ["АО Гранит", "+7 916 123-45-67", "Казань", "", ""]])
    plain = _import(engine, admin, newer)
    assert (plain["updated"], plain["duplicates_in_base"]) == (0, 2)
    result = _import(engine, admin, newer, update=True)
    assert result["updated"] == 1
    with db.session_scope(engine) as s:
        vector, granit = clients.resolve(s, "84951234567"), clients.resolve(s, "89161234567")
        assert (vector.name, vector.city, vector.email, vector.extra) == ("ООО Вектор", "Москва", "v@example.ru", {"Сайт": "vector.ru"})
        assert granit.city == "Тверь"  # a field already filled is never overwritten
    with db.session_scope(engine) as s:
        assert undo_batch(session=s, actor=admin, ref=result["batch"])["clients_restored"] == 1
    with db.session_scope(engine) as s:
        vector = clients.resolve(s, "84951234567")
        assert (vector.city, vector.email, vector.extra) == ("", "", {})


def test_dry_run_changes_nothing_and_shows_mapping_and_first_rows(engine, admin, tmp_path, team):
    path = sheets.xlsx(tmp_path / "list.xlsx", ROWS)
    before = dump(engine)
    result = _import(engine, admin, path, campaign="Seminar", dry_run=True)
    assert dump(engine) == before
    assert not (tmp_path / "list.rejected.csv").exists()
    assert result["dry_run"] and result["batch"] is None and (result["inserted"], result["added_to_campaign"]) == (3, 3)
    sheet = result["sheets"][0]
    assert sheet["header_row"] == 3
    assert [(m["column"], m["field"]) for m in sheet["mapping"]] == [
        ("A", "extra"), ("B", "name"), ("C", "contact_person"), ("D", "phone"), ("E", "email"), ("F", "city"), ("G", "extra")]
    assert result["preview"][0] == {"row": 4, "name": "ООО Вектор", "contact_person": "Иванов Пётр", "phone": "+74951234567",
                                    "phone_ext": "", "email": "", "city": "Москва", "note": "", "extra": {"№": "1", "ИНН": "7701"}}


def test_onto_a_campaign_skipping_do_not_call_and_assigned(engine, admin, tmp_path, team):
    with db.session_scope(engine) as s:
        clients.add_client(session=s, actor=admin, name="ООО Вектор", phone="84951234567")
        clients.set_dnc(session=s, actor=admin, ref="84951234567", reason="просили не звонить")
    result = _import(engine, admin, sheets.xlsx(tmp_path / "list.xlsx", ROWS), campaign="Seminar", assign="balanced")
    assert (result["inserted"], result["duplicates_in_base"], result["added_to_campaign"], result["skipped_do_not_call"]) == (2, 1, 2, 1)
    with db.session_scope(engine) as s:
        owners = s.execute(select(Deal.manager_id, func.count()).group_by(Deal.manager_id)).all()
        assert sorted(n for _m, n in owners) == [1, 1] and None not in dict(owners)


def test_manager_gets_them_all(engine, admin, tmp_path, team):
    result = _import(engine, admin, sheets.xlsx(tmp_path / "list.xlsx", ROWS), campaign="Seminar", manager="anna")
    with db.session_scope(engine) as s:
        anna = users.get_by_login(s, "anna")
        assert s.scalar(select(func.count()).select_from(Deal).where(Deal.manager_id == anna.id)) == result["added_to_campaign"] == 3


def test_list_and_show_batches(engine, admin, tmp_path):
    result = _import(engine, admin, sheets.xlsx(tmp_path / "list.xlsx", ROWS))
    with db.session_scope(engine) as s:
        rows = list_batches(session=s, actor=admin)
        assert [(r["batch"], r["file"], r["inserted"], r["rejected"]) for r in rows] == [(result["batch"], "list.xlsx", 3, 2)]
        card = show_batch(session=s, actor=admin, ref=str(result["batch"]))
        assert [r["row"] for r in card["rejected_rows"]] == [7, 8]
        assert card["rejected_rows"][1] == {"sheet": "Лист1", "row": 8, "reason": "no phone", "cells": ["5", "", "", "", "", "", ""]}
        assert card["sheets"][0]["header_row"] == 3


def test_undo_removes_what_the_batch_inserted(engine, admin, tmp_path, team):
    with db.session_scope(engine) as s:
        clients.add_client(session=s, actor=admin, name="ООО Старый", phone="8 812 111-22-33")
    before = dump(engine)
    rows = ROWS + [[7, "ООО Старый", "", "8 812 111-22-33", "", "", ""]]
    result = _import(engine, admin, sheets.xlsx(tmp_path / "list.xlsx", rows), campaign="Seminar")
    assert result["added_to_campaign"] == 4
    with db.session_scope(engine) as s:
        assert undo_batch(session=s, actor=admin, ref=result["batch"]) == {
            "batch": result["batch"], "clients_removed": 3, "deals_removed": 4, "clients_restored": 0}
    after = dump(engine)
    for table in ("client", "deal"):
        assert after[table] == before[table]
    with db.session_scope(engine) as s, pytest.raises(Conflict, match="already undone"):
        undo_batch(session=s, actor=admin, ref=result["batch"])


def test_undo_refused_when_a_deal_has_calls(engine, admin, tmp_path, team):
    result = _import(engine, admin, sheets.xlsx(tmp_path / "list.xlsx", ROWS), campaign="Seminar", manager="anna")
    with db.session_scope(engine) as s:
        anna = users.get_by_login(s, "anna")
        deal = s.scalars(select(Deal).join(Client, Client.id == Deal.client_id).where(Client.name == "АО Гранит")).one()
        deals.log_call(session=s, actor=anna, deal_id=deal.id, outcome="no_answer")
        moved = s.scalars(select(Deal).join(Client, Client.id == Deal.client_id).where(Client.name == "ЗАО Кедр")).one()
        deals.advance(session=s, actor=admin, deal_id=moved.id, to="agreed")
        deal_id, moved_id = deal.id, moved.id
    before = dump(engine)
    with db.session_scope(engine) as s, pytest.raises(Conflict) as refused:
        undo_batch(session=s, actor=admin, ref=result["batch"])
    message = refused.value.message
    assert message.startswith(f"import {result['batch']} cannot be undone, things happened since:")
    assert f"deal {deal_id} (АО Гранит) has 1 call(s)" in message
    assert f"deal {moved_id} was moved to another stage" in message
    assert dump(engine) == before


def test_undo_refused_when_a_client_went_on_another_campaign(engine, admin, tmp_path, team):
    result = _import(engine, admin, sheets.xlsx(tmp_path / "list.xlsx", ROWS))
    with db.session_scope(engine) as s:
        campaigns.add_clients(session=s, actor=admin, ref="Seminar", clients="Гранит")
    with db.session_scope(engine) as s, pytest.raises(Conflict, match="client АО Гранит is also on campaign 'Seminar'"):
        undo_batch(session=s, actor=admin, ref=result["batch"])


def test_a_big_list_in_chunks(engine, admin, tmp_path):
    from yoolla_tui.core.calls.importing import samples

    path = samples.write_csv(tmp_path / "big.csv", 12_000, seed=3)
    result = _import(engine, admin, path)
    assert result["inserted"] == 12_000
    assert result["read"] == result["inserted"] + result["duplicates"] + result["rejected"]
    assert result["duplicates_within_file"] > 400 and result["rejected"] > 200
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(ImportRejectedRow)) == result["rejected"]
