"""Migrating last week's workbook (seed 002): one sheet per manager, status words carried onto
the deals, the totals sheet skipped, unmatched sheets refused by name."""

import pytest
from sqlalchemy import select

from tests.conftest import dump
from tests.fixtures import sheets
from yoolla_tui.core.calls import campaigns
from yoolla_tui.core.kernel import db
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import BadInput, NotFound
from yoolla_tui.core.calls.importing import run_import, undo_batch
from yoolla_tui.core.calls.importing.workbook import words
from yoolla_tui.core.kernel.models import Client, Deal, LostReason, Payment, Stage, User

HEADER = ["Организация", "Телефон", "Статус", "Текущее значение", "Качество", "Сумма"]
ANNA = [["Неделя 47"], HEADER,
        ["ООО Недозвон", "8 495 100-00-01", "", "недозвон", "", ""],
        ["ООО Перезвон", "8 495 100-00-02", "", "Перезвонить", "", ""],
        ["ООО Клиент", "8 495 100-00-03", "", "клиент", "", ""],
        ["ООО Счёт", "8 495 100-00-04", "Счёт выставлен", "клиент", "", "15 000"],
        ["ООО Оплатили", "8 495 100-00-05", "счет оплачен", "", "понравилась услуга", "18000"],
        ["ООО Отказ", "8 495 100-00-06", "Отказ", "отказался", "", ""],
        ["ООО Чёрный", "8 495 100-00-07", "", "Чёрный список", "", ""],
        ["ООО Загадка", "8 495 100-00-08", "в раздумьях", "", "", ""]]
BORIS = [HEADER,
         ["АО Без суммы", "8 812 200-00-01", "Счет выставлен", "", "не понравилась услуга", ""],
         ["ООО Клиент", "8 495 100-00-03", "", "недозвон", "", ""]]  # also on Anna's sheet
TOTALS = [["Этап", "Анна", "Борис"], ["Позвонили", 8, 2]]


@pytest.fixture
def campaign(engine, admin):
    with db.session_scope(engine) as s:
        users.add_user(session=s, actor=admin, login="anna", full_name="Анна Смирнова", role="manager")
        users.add_user(session=s, actor=admin, login="boris", full_name="Борис Кузнецов", role="manager")
        campaigns.create(session=s, actor=admin, name="Week 47", week="2026-W47")
    return "Week 47"


def _migrate(engine, admin, path, **kw):
    with db.session_scope(engine) as s:
        return run_import(session=s, actor=admin, path=path, campaign="Week 47", sheets_as_managers=True, **kw)


def _deals(engine) -> dict[str, dict]:
    with db.session_scope(engine) as s:
        out = {}
        for deal, name, login, stage, reason, dnc in s.execute(
                select(Deal, Client.name, User.login, Stage.code, LostReason.code, Client.do_not_call)
                .join(Client, Client.id == Deal.client_id).join(User, User.id == Deal.manager_id)
                .join(Stage, Stage.id == Deal.stage_id).join(LostReason, LostReason.id == Deal.lost_reason_id, isouter=True)):
            paid = sum(s.scalars(select(Payment.amount_cents).where(Payment.deal_id == deal.id)))
            out[name] = {"manager": login, "stage": stage, "status": deal.status, "quality": deal.quality, "lost": reason,
                         "closed": deal.closed_at is not None, "invoice": deal.invoice_cents, "paid": paid, "dnc": dnc,
                         "callback": deal.callback_user_id is not None, "attempts": deal.attempts_week}
        return out


def test_sheets_become_managers_and_status_words_become_deal_statuses(engine, admin, tmp_path, campaign):
    book = sheets.xlsx(tmp_path / "week47.xlsx", sheets={"Анна Смирнова": ANNA, "boris": BORIS, "Итоги": TOTALS})
    result = _migrate(engine, admin, book)
    assert [(s["sheet"], s["manager"]) for s in result["sheets"]] == [("Анна Смирнова", "anna"), ("boris", "boris")]
    assert (result["inserted"], result["duplicates_within_file"], result["added_to_campaign"]) == (9, 1, 9)
    assert result["statuses"]["unknown_words"] == {"в раздумьях": 1}
    deals = _deals(engine)
    assert deals["ООО Недозвон"] | {} == {**deals["ООО Недозвон"], "manager": "anna", "stage": "to_call", "status": "no_answer",
                                          "attempts": 1, "closed": False}
    assert deals["ООО Перезвон"]["status"] == "call_back" and deals["ООО Перезвон"]["callback"]
    assert (deals["ООО Клиент"]["stage"], deals["ООО Клиент"]["status"], deals["ООО Клиент"]["manager"]) == ("agreed", "interested", "anna")
    assert (deals["ООО Счёт"]["stage"], deals["ООО Счёт"]["invoice"]) == ("invoice_issued", 1_500_000)
    assert (deals["ООО Оплатили"]["stage"], deals["ООО Оплатили"]["paid"], deals["ООО Оплатили"]["quality"]) == ("paid", 1_800_000, "liked")
    assert deals["ООО Отказ"] | {} == {**deals["ООО Отказ"], "stage": "refused", "lost": words()["lost_reason"], "closed": True,
                                       "status": "refused"}
    assert (deals["ООО Чёрный"]["dnc"], deals["ООО Чёрный"]["stage"], deals["ООО Чёрный"]["lost"]) == (True, "refused", "do_not_call")
    assert (deals["ООО Загадка"]["stage"], deals["ООО Загадка"]["status"]) == ("to_call", "new")
    assert deals["АО Без суммы"] | {} == {**deals["АО Без суммы"], "manager": "boris", "stage": "invoice_issued",
                                          "invoice": None, "quality": "disliked"}


def test_an_unmatched_sheet_is_refused_by_name_unless_skipped(engine, admin, tmp_path, campaign):
    book = sheets.xlsx(tmp_path / "week47.xlsx", sheets={"Анна Смирнова": ANNA, "Дмитрий": BORIS, "Totals": TOTALS})
    before = dump(engine)
    with pytest.raises(NotFound, match=r"week47.xlsx: sheet\(s\) 'Дмитрий' match no manager by login or full name \(managers: anna, boris\)"):
        _migrate(engine, admin, book)
    assert dump(engine) == before
    result = _migrate(engine, admin, book, skip_sheets=["Дмитрий"])
    assert [s["sheet"] for s in result["sheets"]] == ["Анна Смирнова"]


def test_a_sheet_named_by_first_name_only_when_unambiguous(engine, admin, tmp_path, campaign):
    result = _migrate(engine, admin, sheets.xlsx(tmp_path / "w.xlsx", sheets={"Анна": ANNA, "КУЗНЕЦОВ": BORIS}))
    assert [s["manager"] for s in result["sheets"]] == ["anna", "boris"]


def test_migration_needs_a_campaign_and_a_workbook(engine, admin, tmp_path, campaign):
    with db.session_scope(engine) as s, pytest.raises(BadInput, match="--sheets-as-managers makes the workbook a campaign"):
        run_import(session=s, actor=admin, path=tmp_path / "x.xlsx", sheets_as_managers=True)
    text = sheets.text(tmp_path / "w.csv", BORIS)
    with pytest.raises(BadInput, match="w.csv is a text table; --sheets-as-managers needs a workbook"):
        _migrate(engine, admin, text)


def test_a_migration_is_undone_while_nothing_happened(engine, admin, tmp_path, campaign):
    before = dump(engine)
    result = _migrate(engine, admin, sheets.xlsx(tmp_path / "w.xlsx", sheets={"anna": ANNA[:5], "Итоги": TOTALS}))
    with db.session_scope(engine) as s:
        undo_batch(session=s, actor=admin, ref=result["batch"])
    after = dump(engine)
    for table in ("client", "deal", "payment"):
        assert after[table] == before[table]
