"""Campaigns: assignment strategies, moves, adding clients, and the rollover in detail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yoolla_tui.core.calls import campaigns, clients, deals
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import Conflict
from yoolla_tui.core.kernel.models import AuditRecord, Deal

from tests.core.world import at, build, deal_ids, rows


def owners(w, campaign: str) -> dict[str, str | None]:
    return {name: r["manager"] for name, r in rows(w.session, w.irina, campaign=campaign, include_closed=True).items()}


def assign(w, campaign, managers, strategy):
    with clock.frozen(at("2026-11-23 08:30")):
        return campaigns.assign(session=w.session, actor=w.irina, ref=campaign, managers=managers, strategy=strategy)


def test_round_robin_follows_the_given_order(admin, session):
    w = build(session, n_clients=5, assign=False)
    result = assign(w, "W48", ["anna", "boris", "vera"], "round-robin")
    assert result == {"campaign": "W48", "strategy": "round-robin", "assigned": {"anna": 2, "boris": 2, "vera": 1}, "total": 5}
    assert owners(w, "W48") == {"C1": "anna", "C2": "boris", "C3": "vera", "C4": "anna", "C5": "boris"}


def test_balanced_counts_what_each_already_has(admin, session):
    w = build(session, n_clients=6, assign=False)
    with clock.frozen(at("2026-11-23 08:00")):
        campaigns.create(session=session, actor=w.irina, name="Mid-week", week="2026-W48")
        campaigns.add_clients(session=session, actor=w.irina, ref="Mid-week", clients="C1", manager="anna")
        campaigns.add_clients(session=session, actor=w.irina, ref="Mid-week", clients="C2", manager="anna")
        campaigns.add_clients(session=session, actor=w.irina, ref="Mid-week")
    # anna starts with 2: boris takes C3, C4; then a tie goes to the first named (anna: C5); boris C6.
    result = assign(w, "Mid-week", ["anna", "boris"], "balanced")
    assert (result["assigned"], result["total"]) == ({"anna": 1, "boris": 3}, 4)
    assert owners(w, "Mid-week") == {"C1": "anna", "C2": "anna", "C3": "boris", "C4": "boris", "C5": "anna", "C6": "boris"}
    assert assign(w, "Mid-week", ["anna", "boris"], "balanced")["total"] == 0  # only unassigned deals move


def test_keep_gives_each_client_its_previous_owner(admin, session):
    w = build(session, n_clients=6)  # C1 anna, C2 boris, C3 vera, C4 anna, C5 boris, C6 vera
    with clock.frozen(at("2026-11-30 08:00")):
        clients.add_client(session=session, actor=w.irina, name="C7", phone="+74951000007")
        old = campaigns.resolve(session, "W48")
        campaigns.create(session=session, actor=w.irina, name="W49", week="2026-W49", rolled_from=old)
        campaigns.create(session=session, actor=w.irina, name="W49b", week="2026-W49", rolled_from=old)
        campaigns.add_clients(session=session, actor=w.irina, ref="W49")
        campaigns.add_clients(session=session, actor=w.irina, ref="W49b")
    result = assign(w, "W49", ["vera", "anna", "boris"], "keep")
    assert result["assigned"] == {"vera": 3, "anna": 2, "boris": 2}  # C7 is new: balanced, tie -> vera
    assert owners(w, "W49") == {"C1": "anna", "C2": "boris", "C3": "vera", "C4": "anna", "C5": "boris", "C6": "vera", "C7": "vera"}
    # vera is not among the managers: her clients are balanced over the others.
    assign(w, "W49b", ["anna", "boris"], "keep")
    assert owners(w, "W49b") == {"C1": "anna", "C2": "boris", "C3": "anna", "C4": "anna", "C5": "boris", "C6": "boris", "C7": "anna"}


def test_move_takes_the_call_back_along(admin, session):
    w = build(session, n_clients=3)
    ids = deal_ids(session, w.irina, "W48")
    with clock.frozen(at("2026-11-23 10:00")):
        deals.log_call(session=session, actor=w.anna, deal_id=ids["C1"], outcome="call_back", next_call=at("2026-11-24 11:00"))
        assert campaigns.move(session=session, actor=w.irina, deal_ids=[ids["C1"]], to="boris") == [ids["C1"]]
    d = session.get(Deal, ids["C1"])
    assert (d.manager_id, d.callback_user_id, d.next_call_at) == (w.boris.id, w.boris.id, at("2026-11-24 11:00"))
    with clock.frozen(at("2026-11-24 09:00")):
        assert list(rows(session, w.boris, due="today")) == ["C2", "C1"]
    assert list(rows(session, w.anna)) == []


def test_add_clients_skips_do_not_call_and_those_already_on(admin, session):
    w = build(session, n_clients=4)
    with clock.frozen(at("2026-11-23 11:00")):
        clients.add_client(session=session, actor=w.irina, name="C5", phone="+74951000005")
        clients.add_client(session=session, actor=w.irina, name="C6", phone="+74951000006")
        clients.set_dnc(session=session, actor=w.irina, ref="+74951000006", reason="blacklist")
        result = campaigns.add_clients(session=session, actor=w.irina, ref="W48", manager="boris")
    assert result == {"campaign": "W48", "added": 1, "skipped_do_not_call": 1, "already_on_campaign": 4, "manager": "boris"}
    c5 = rows(session, w.boris)["C5"]
    # Added mid-week at 11:00: due at once (not at Monday 09:00, which is past).
    assert (c5["status"], c5["next_call_at"]) == ("new", "2026-11-23T11:00:00+03:00")


def test_rollover_in_detail(admin, session):
    w = build(session, n_clients=9)
    # C1 anna, C2 boris, C3 vera, C4 anna, C5 boris, C6 vera, C7 anna, C8 boris, C9 vera
    ids = deal_ids(session, w.irina, "W48")

    def log(name, outcome, when, actor, **kw):
        with clock.frozen(at(when)):
            deals.log_call(session=session, actor=actor, deal_id=ids[name], outcome=outcome, **kw)

    log("C1", "no_answer", "2026-11-23 10:00", w.anna)
    log("C1", "no_answer", "2026-11-23 12:00", w.anna)
    log("C2", "refused", "2026-11-23 10:00", w.boris, reason="too_expensive")  # not final: comes back
    log("C3", "refused", "2026-11-23 10:00", w.vera, reason="closed_business")  # final: stays off
    log("C4", "call_back", "2026-11-23 10:00", w.anna, next_call=at("2026-12-01 15:00"))
    log("C5", "wrong_number", "2026-11-23 10:00", w.boris)
    log("C6", "interested", "2026-11-23 10:00", w.vera)
    with clock.frozen(at("2026-11-24 10:00")):
        deals.advance(session=session, actor=w.vera, deal_id=ids["C6"], to="proposal_sent")  # Wed 09:00
        clients.set_dnc(session=session, actor=w.irina, ref="+74951000007", reason="by letter")  # C7
    session.get(type(w.vera), w.vera.id).active = False  # vera left: her clients come back unassigned

    with clock.frozen(at("2026-11-27 17:00")):
        result = campaigns.rollover(session=session, actor=w.irina, ref="W48", week="2026-W49")
    assert result == {"campaign": "W48 2026-W49", "id": 2, "week": "2026-W49", "rolled_from": "W48", "deals": 7,
                      "carried_over": 5, "skipped_do_not_call": 1, "skipped_lost_for_good": 1}
    new = rows(session, w.irina, campaign="W48 2026-W49")
    monday = "2026-11-30T09:00:00+03:00"
    got = {n: (r["manager"], r["status"], r["next_call_at"], r["attempts_week"], r["attempts_total"], r["carried_over"])
           for n, r in new.items()}
    assert got == {
        "C1": ("anna", "new", monday, 0, 2, True),
        "C2": ("boris", "new", monday, 0, 0, False),
        "C4": ("anna", "call_back", "2026-12-01T15:00:00+03:00", 0, 0, True),
        "C5": ("boris", "wrong_number", None, 0, 0, True),
        "C6": (None, "new", monday, 0, 0, False),
        "C8": ("boris", "new", monday, 0, 0, True),
        "C9": (None, "new", monday, 0, 0, True),
    }
    assert session.get(Deal, deal_ids(session, w.irina, "W48 2026-W49")["C4"]).callback_user_id == w.anna.id
    old = {n: session.get(Deal, i) for n, i in ids.items()}
    # Old deals still at "to call" leave the queue; the progressed one keeps its follow-up; none is closed.
    assert [old[n].next_call_at for n in ("C1", "C4", "C8")] == [None, None, None]
    assert old["C6"].next_call_at == at("2026-11-25 09:00") and old["C6"].closed_at is None
    assert campaigns.resolve(session, "W48").status == "open"
    assert session.scalars(select(AuditRecord.data).where(AuditRecord.action == "campaign.rollover")).one()["deals"] == 7
    with clock.frozen(at("2026-11-27 17:05")), pytest.raises(Conflict, match="^a campaign named 'W48 2026-W49' already exists$"):
        campaigns.rollover(session=session, actor=w.irina, ref="W48", week="2026-W49")
