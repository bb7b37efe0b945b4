"""Find anyone: one search rule for `client list --search`, Today's filter and the dashboard's
`g` — a deal id, any part of a name (case and ё/е aside), contact, e-mail, or the phone in every
form people type it; and a found client with no open deal gets one in one step."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yoolla_tui.core.calls import campaigns, clients, find
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import Conflict
from yoolla_tui.core.kernel.models import AuditRecord, Deal

from tests.core.world import at, build, deal_ids


@pytest.fixture
def w(admin, session):
    w = build(session, n_clients=4)
    w.yupiter = clients.add_client(session=session, actor=w.irina, name="ООО «Юпитер Строй»", phone="+7 499 980-82-59",
                                   contact_person="Фёдорова Полина", email="info@jupiter.example")
    w.yolka = clients.add_client(session=session, actor=w.irina, name="АО «Ёлка»", phone="+7 843 362-23-09")
    session.commit()
    return w


@pytest.mark.parametrize("typed", ["8 499 980-82-59", "84999808259", "+7 499 980 82 59", "+7 499", "74999808259",
                                   "499 980 82 59", "8 (499) 980", "8259", "980-82-59"])
def test_a_phone_in_any_form_finds_the_client(w, session, typed):
    found = clients.list_clients(session=session, actor=w.irina, search=typed)
    assert [c["name"] for c in found] == ["ООО «Юпитер Строй»"]


@pytest.mark.parametrize("typed", ["юпитер", "ЮПИТЕР", "Строй", "федорова", "ФЁДОРОВА", "jupiter.example"])
def test_a_name_or_contact_ignores_case_and_yo(w, session, typed):
    assert [c["name"] for c in clients.list_clients(session=session, actor=w.irina, search=typed)] == ["ООО «Юпитер Строй»"]


def test_yo_and_ye_find_each_other(w, session):
    assert [c["name"] for c in clients.list_clients(session=session, actor=w.irina, search="елка")] == ["АО «Ёлка»"]
    assert [c["name"] for c in clients.list_clients(session=session, actor=w.irina, search="ЁЛКА")] == ["АО «Ёлка»"]


def test_a_percent_sign_is_a_character_not_a_wildcard(w, session):
    assert clients.list_clients(session=session, actor=w.irina, search="%") == []


def test_find_by_deal_id_shows_only_deals_the_operator_may_see(w, session):
    ids = deal_ids(session, w.irina, "W48")
    mine = find.find(session=session, actor=w.anna, text=f"#{ids['C1']}")
    assert [(r["deal_id"], r["client"], r["manager"]) for r in mine] == [(ids["C1"], "C1", "anna")]
    assert find.find(session=session, actor=w.anna, text=f"#{ids['C2']}") == []  # boris's deal
    assert [r["deal_id"] for r in find.find(session=session, actor=w.anna, text=str(ids["C1"]))][:1] == [ids["C1"]]


def test_find_by_phone_gives_the_open_deal_or_whose_it_is(w, session):
    ids = deal_ids(session, w.irina, "W48")
    [row] = find.find(session=session, actor=w.anna, text="84951000001")
    assert (row["deal_id"], row["campaign"], row["stage_name"]) == (ids["C1"], "W48", "To call")
    [row] = find.find(session=session, actor=w.anna, text="8 495 100-00-02")
    assert (row["deal_id"], row["held_by"]) == (None, "boris")


def test_a_client_with_no_open_deal_gets_one_in_one_step(w, session, monkeypatch):
    monkeypatch.setenv("YOOLLA_TZ", "Europe/Moscow")
    [row] = find.find(session=session, actor=w.anna, text="юпитер")
    assert (row["deal_id"], row["held_by"]) == (None, None)
    assert [c["name"] for c in find.open_campaigns(session=session, actor=w.anna, client_id=row["client_id"])] == ["W48"]
    with clock.frozen(at("2026-11-23 11:00")):
        deal = find.open_deal(session=session, actor=w.anna, client_id=row["client_id"], campaign="W48")
        session.commit()
    stored = session.get(Deal, deal.id)
    assert (stored.manager_id, stored.closed_at, stored.next_call_at) == (w.anna.id, None, at("2026-11-23 11:00"))
    assert session.scalars(select(AuditRecord.action).where(AuditRecord.entity_id == deal.id,
                                                            AuditRecord.entity == "deal")).all() == ["deal.open"]
    [row] = find.find(session=session, actor=w.anna, text="юпитер")
    assert row["deal_id"] == deal.id
    with pytest.raises(Conflict, match=f"already on W48: deal {deal.id}"):
        find.open_deal(session=session, actor=w.anna, client_id=row["client_id"], campaign="W48")
