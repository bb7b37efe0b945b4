"""Clients: the card with its history across campaigns, do-not-call and lifting it, search."""

from __future__ import annotations

import pytest

from yoolla_tui.core.calls import campaigns, clients, deals
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import BadInput, Conflict, PermissionDenied

from tests.conftest import PG_URL

from tests.core.world import at, build, deal_ids


def test_card_shows_every_call_across_two_campaigns(admin, session):
    w = build(session, n_clients=3)
    w48 = deal_ids(session, w.irina, "W48")
    with clock.frozen(at("2026-11-23 10:00")):
        deals.log_call(session=session, actor=w.anna, deal_id=w48["C1"], outcome="no_answer")
    with clock.frozen(at("2026-11-23 12:00")):
        deals.log_call(session=session, actor=w.anna, deal_id=w48["C1"], outcome="interested", note="send the programme")
    with clock.frozen(at("2026-11-30 08:00")):
        campaigns.rollover(session=session, actor=w.irina, ref="W48", week="2026-W49")
        campaigns.move(session=session, actor=w.irina, deal_ids=[deal_ids(session, w.irina, "W48 2026-W49")["C1"]], to="boris")
    w49 = deal_ids(session, w.irina, "W48 2026-W49")
    with clock.frozen(at("2026-11-30 11:00")):
        deals.log_call(session=session, actor=w.boris, deal_id=w49["C1"], outcome="refused", reason="no_budget")
    card = clients.card(session=session, actor=w.boris, ref="+7 495 100-00-01")
    assert (card["name"], card["phone"], card["do_not_call"]) == ("C1", "+74951000001", False)
    assert [(d["id"], d["campaign"], d["week"], d["manager"], d["stage"], d["status"], d["closed"]) for d in card["deals"]] == [
        (w49["C1"], "W48 2026-W49", "2026-W49", "boris", "refused", "refused", True),
        (w48["C1"], "W48", "2026-W48", "anna", "agreed", "interested", False)]
    assert [(h["at"], h["campaign"], h["user"], h["outcome"], h["stage_before"], h["stage_after"], h["note"])
            for h in card["history"]] == [
        ("2026-11-30T11:00:00+03:00", "W48 2026-W49", "boris", "refused", "to_call", "refused", ""),
        ("2026-11-23T12:00:00+03:00", "W48", "anna", "interested", "to_call", "agreed", "send the programme"),
        ("2026-11-23T10:00:00+03:00", "W48", "anna", "no_answer", "to_call", "to_call", "")]
    assert clients.card(session=session, actor=w.irina, ref=str(card["id"]))["history"] == card["history"]  # by id too


def test_do_not_call_keeps_history_and_only_an_admin_lifts_it(admin, session):
    w = build(session, n_clients=2)
    ids = deal_ids(session, w.irina, "W48")
    with clock.frozen(at("2026-11-23 10:00")):
        deals.log_call(session=session, actor=w.anna, deal_id=ids["C1"], outcome="no_answer")
        with pytest.raises(BadInput, match=r"^say why the client is not to be called \(--reason\)$"):
            clients.set_dnc(session=session, actor=w.anna, ref="1", reason=" ")
        client, closed = clients.set_dnc(session=session, actor=w.anna, ref="1", reason="asked twice")
    assert closed == 1
    card = clients.card(session=session, actor=w.irina, ref="1")
    assert (card["do_not_call"], card["dnc_reason"], card["dnc_at"]) == (True, "asked twice", "2026-11-23T10:00:00+03:00")
    assert [h["outcome"] for h in card["history"]] == ["no_answer"]  # history kept
    assert card["deals"][0]["closed"] is True
    with clock.frozen(at("2026-11-30 08:00")):
        assert campaigns.rollover(session=session, actor=w.irina, ref="W48", week="2026-W49")["skipped_do_not_call"] == 1
        with pytest.raises(PermissionDenied, match="^sveta \\(supervisor\\) may not lift do-not-call: only admin may$"):
            clients.lift_dnc(session=session, actor=w.sveta, ref="1", note="changed mind")
        clients.lift_dnc(session=session, actor=w.irina, ref="1", note="called us back")
        with pytest.raises(Conflict, match="^client 1 \\(C1\\) is not do-not-call$"):
            clients.lift_dnc(session=session, actor=w.irina, ref="1", note="again")
        added = campaigns.add_clients(session=session, actor=w.irina, ref="W48 2026-W49", clients="C1", manager="anna")
    assert added["added"] == 1
    assert deals.show(session=session, actor=w.irina, deal_id=ids["C1"])["closed"] is True  # closed deals stay closed


def test_list_and_search(admin, session):
    w = build(session, n_clients=3, assign=False)
    with clock.frozen(at("2026-11-23 10:00")):
        clients.add_client(session=session, actor=w.irina, name="ООО Вектор", phone="8 (812) 555-12-34 доб. 7",
                           contact_person="Иванов Пётр", city="Казань")
    found = lambda text: [c["name"] for c in clients.list_clients(session=session, actor=w.anna, search=text)]  # noqa: E731
    assert found("Вектор") == found("Казань") == found("5551234") == found("812 555") == found("Пётр") == ["ООО Вектор"]
    assert found("c") == ["C1", "C2", "C3"]
    assert found("Москва") == []
    vector = clients.list_clients(session=session, actor=w.anna, search="Вектор")[0]
    assert (vector["phone"], vector["phone_ext"], vector["phone_raw"]) == ("+78125551234", "7", "8 (812) 555-12-34 доб. 7")
    with pytest.raises(Conflict, match="^phone \\+78125551234 ext 7 already belongs to client 4 \\(ООО Вектор\\)$"):
        clients.add_client(session=session, actor=w.irina, name="Vector again", phone="+7 812 555 12 34 ext. 7")


def test_search_ignores_case_in_russian(admin, session):
    w = build(session, n_clients=0, assign=False)
    with clock.frozen(at("2026-11-23 10:00")):
        clients.add_client(session=session, actor=w.irina, name="ООО Вектор", phone="+78125551234", city="Казань")
    found = lambda text: [c["name"] for c in clients.list_clients(session=session, actor=w.irina, search=text)]  # noqa: E731
    assert found("вектор") == found("КАЗАНЬ") == found("ооо вектор") == ["ООО Вектор"]
