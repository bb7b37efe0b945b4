"""The seed 002 week, replayed through the CLI with "now" set per day and time.

Monday 2026-11-23 (ISO week 2026-W48): 100 clients, balanced over anna and boris (by client name,
so anna gets the odd-numbered clients and boris the even ones). Calls with every outcome; agreed
-> proposal sent -> invoice issued -> paid over Tuesday-Thursday; Friday; the next Monday the
rollover into 2026-W49. Every number below is derived from the scenario by hand.

Names: A(k) is anna's k-th client ("Client 001", "Client 003", ...), B(k) boris's ("Client 002", ...).
"""

from __future__ import annotations

import pytest

from yoolla_tui.core.calls import clients
from yoolla_tui.core.kernel import db
from yoolla_tui.core.people import users

W48, W49 = "Seminar 2026-W48", "Seminar 2026-W49"
MON, TUE, WED, THU, FRI, MON2 = "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30"


def at(day: str, hm: str) -> str:
    return f"{day}T{hm}:00+03:00"


def A(k: int) -> str:
    return f"Client {2 * k - 1:03d}"


def B(k: int) -> str:
    return f"Client {2 * k:03d}"


def phone(name: str) -> str:
    return f"+7495{1000000 + int(name.split()[1])}"


def span(who, first: int, last: int) -> list[str]:
    return [who(k) for k in range(first, last + 1)]


@pytest.fixture
def week(cli, engine):
    """Monday 08:00: two managers, 100 clients, the W48 campaign filled and assigned (balanced)."""
    cli("user", "add", "anna", "--name", "Анна Смирнова", "--supervisor", "irina")
    cli("company", "set", "--name", "ООО «Юлла Семинары»", "--inn", "7701234567", "--account", "40702810900000012345",
        "--bank", "ПАО Сбербанк", "--bik", "044525225", "--vat", "20")
    cli("user", "add", "boris", "--name", "Борис Ким", "--supervisor", "irina")
    with db.session_scope(engine) as session:
        irina = users.get_by_login(session, "irina")
        for i in range(1, 101):
            clients.add_client(session=session, actor=irina, name=f"Client {i:03d}", phone=f"+7495{1000000 + i}")
    cli("campaign", "create", W48, "--week", "2026-W48")
    assert cli.json("campaign", "add", W48, "--clients", "all") == {
        "campaign": W48, "added": 100, "skipped_do_not_call": 0, "already_on_campaign": 0, "manager": None}
    assert cli.json("campaign", "assign", W48, "--managers", "anna,boris", "--strategy", "balanced") == {
        "campaign": W48, "strategy": "balanced", "assigned": {"anna": 50, "boris": 50}, "total": 100}
    return Week(cli)


class Week:
    """The CLI plus the scenario's vocabulary: deals by client name, due lists as names."""

    def __init__(self, cli) -> None:
        self.cli = cli
        self.refresh()

    def refresh(self) -> None:
        rows = self.cli.json("deal", "list", "--closed", user="irina")
        self.deal: dict[tuple[str, str], int] = {(r["campaign"], r["client"]): r["id"] for r in rows}
        self.name = {r["id"]: r["client"] for r in rows}
        self.owner = {r["client"]: r["manager"] for r in rows if r["campaign"] == W48}

    def id(self, client: str, campaign: str = W48) -> int:
        return self.deal[(campaign, client)]

    def call(self, client: str, outcome: str, when: str, *extra: str, campaign: str = W48, user: str | None = None):
        user = user or self.owner[client]
        return self.cli("call", "log", self.id(client, campaign), "--outcome", outcome, *extra, user=user, now=when)

    def due(self, user: str, when: str, which: str = "today") -> list[int]:
        return [r["id"] for r in self.cli.json("deal", "list", "--due", which, user=user, now=when)]

    def ids(self, names: list[str], campaign: str = W48) -> list[int]:
        """Deal ids of `names`, in id order (the queue's tie-break for equal due times)."""
        return sorted(self.id(n, campaign) for n in names)

    def card(self, client: str, campaign: str = W48, when: str | None = None) -> dict:
        return self.cli.json("deal", "show", self.id(client, campaign), user="irina", now=when)

    def report(self, day: str, when: str) -> dict[str, dict]:
        keys = ("deals", "calls", "reached", "not_called", "invoices", "payments", "paid")
        rows = self.cli.json("report", "daily", "--date", day, user="irina", now=when)
        assert all(r["date"] == day for r in rows)
        return {r["manager"]: {k: r[k] for k in keys} for r in rows if not r["total"]}  # the TOTAL row: test_reports


def counts(deals, calls, reached, not_called, invoices=0, payments=0, paid="0.00") -> dict:
    return {"deals": deals, "calls": calls, "reached": reached, "not_called": not_called, "invoices": invoices,
            "payments": payments, "paid": paid}


def test_seminar_week(week):
    w, cli = week, week.cli
    assert w.owner[A(1)] == "anna" and w.owner[B(1)] == "boris"
    assert sum(1 for o in w.owner.values() if o == "anna") == 50

    # ---- Monday 2026-11-23 -------------------------------------------------------------------
    # At 09:00 everyone is due, nobody is overdue yet (due at 09:00 is not before 09:00).
    assert w.due("anna", at(MON, "09:00")) == w.ids(span(A, 1, 50))
    assert w.due("anna", at(MON, "09:00"), "overdue") == []
    assert w.due("boris", at(MON, "09:00")) == w.ids(span(B, 1, 50))

    w.call(A(1), "interested", at(MON, "09:10"))
    cli("deal", "document", w.id(A(1)), "proposal", user="anna", now=at(MON, "09:15"))
    w.call(A(2), "interested", at(MON, "09:20"))
    cli("deal", "document", w.id(A(2)), "proposal", user="anna", now=at(MON, "09:25"))
    out = w.call(A(3), "no_answer", at(MON, "09:30"))
    assert "next call 2026-11-23 11:30" in out.stdout  # the 2-hour retry
    w.call(A(4), "call_back", at(MON, "09:40"), "--next-call", "11:00")
    w.call(A(5), "refused", at(MON, "09:50"), "--reason", "too_expensive")
    w.call(A(6), "do_not_call", at(MON, "10:00"), "--note", "asked to be removed")
    w.call(A(7), "wrong_number", at(MON, "10:10"))
    w.call(A(8), "call_back", at(MON, "10:20"), "--next-call", "2026-11-24T11:00")
    w.call(A(3), "no_answer", at(MON, "11:30"))

    w.call(B(1), "interested", at(MON, "10:00"))
    cli("deal", "document", w.id(B(1)), "proposal", user="boris", now=at(MON, "10:05"))
    w.call(B(2), "refused", at(MON, "10:10"), "--reason", "other", "--note", "moved to another city")
    w.call(B(3), "refused", at(MON, "10:20"), "--reason", "closed_business")
    w.call(B(4), "no_answer", at(MON, "10:30"))
    w.call(B(5), "interested", at(MON, "10:40"))
    cli("deal", "document", w.id(B(5)), "proposal", user="boris", now=at(MON, "10:45"))
    w.call(B(6), "wrong_number", at(MON, "10:50"))

    # Noon: the overdue call-back is on top, then by due time; A(3)'s retry is later today.
    overdue = [w.id(A(4))] + w.ids(span(A, 9, 50))
    assert w.due("anna", at(MON, "12:00"), "overdue") == overdue
    assert w.due("anna", at(MON, "12:00")) == overdue + [w.id(A(3))]

    w.call(A(4), "interested", at(MON, "12:10"))  # the promised call-back, kept
    out = w.call(A(3), "no_answer", at(MON, "13:30"))
    assert "next call none" in out.stdout  # the third attempt this week: no more retries
    a3 = w.card(A(3))
    assert (a3["attempts_week"], a3["attempts_total"], a3["next_call_at"]) == (3, 3, None)

    # The phone is corrected: the wrong-number deal is back in the queue at once.
    cli("client", "edit", phone(A(7)), "--phone", "+7 495 200-00-13", user="anna", now=at(MON, "15:00"))
    a7 = w.card(A(7))
    assert (a7["status"], a7["next_call_at"], a7["phone"]) == ("phone_fixed", at(MON, "15:00"), "+74952000013")
    assert w.due("anna", at(MON, "15:05")) == w.ids(span(A, 9, 50)) + [w.id(A(7))]
    w.call(A(7), "call_back", at(MON, "15:10"), "--next-call", "2026-11-30T10:00")  # next Monday

    for name in span(A, 9, 20):  # 19:00 is after hours: the retry moves to Tuesday 09:00
        w.call(name, "no_answer", at(MON, "17:00"))
    assert w.card(A(9))["next_call_at"] == at(TUE, "09:00")
    assert w.card(A(1))["next_call_at"] == at(TUE, "09:00")  # proposal_sent: 1 business day

    # anna: A1 A2 A3x3 A4x2 A5 A6 A7x2 A8 A9-A20 = 24 calls; reached A1 A2 A4 A5 A6 A7 A8.
    # boris: 6 calls, reached B1 B2 B3 B5 (no answer and a wrong number reach nobody).
    assert w.report(MON, at(MON, "18:30")) == {
        "anna": counts(50, 24, 7, 30),
        "boris": counts(50, 6, 4, 44),
    }

    # ---- Tuesday: the proposals are followed up, invoices go out --------------------------------
    # A8's call-back (11:00) is not overdue at 09:00; the Monday leftovers are. A4, agreed on
    # Monday, is followed up the next business day like the proposals (issue 23).
    assert w.due("anna", at(TUE, "09:00")) == (
        w.ids(span(A, 21, 50)) + w.ids([A(1), A(2), A(4)] + span(A, 9, 20)) + [w.id(A(8))])
    assert w.due("anna", at(TUE, "09:00"), "overdue") == w.ids(span(A, 21, 50))
    assert w.due("boris", at(TUE, "09:00")) == w.ids(span(B, 7, 50)) + [w.id(B(4))] + w.ids([B(1), B(5)])

    w.call(A(1), "interested", at(TUE, "09:30"))
    out = cli("deal", "invoice", w.id(A(1)), "15000", user="anna", now=at(TUE, "09:35"))
    assert "stage invoice_issued, next call 2026-11-25 09:00" in out.stdout
    w.call(A(2), "interested", at(TUE, "09:40"))
    cli("deal", "invoice", w.id(A(2)), "12 500,50", user="anna", now=at(TUE, "09:45"))
    for name in span(A, 9, 20):
        w.call(name, "no_answer", at(TUE, "10:00"))
    w.call(A(8), "interested", at(TUE, "11:05"))
    cli("deal", "document", w.id(A(8)), "proposal", user="anna", now=at(TUE, "11:10"))
    for name in span(A, 21, 25):
        w.call(name, "interested", at(TUE, "14:00"))

    w.call(B(1), "interested", at(TUE, "10:00"))
    cli("deal", "invoice", w.id(B(1)), "20000", user="boris", now=at(TUE, "10:05"))
    w.call(B(5), "refused", at(TUE, "10:10"), "--reason", "bad_timing")
    w.call(B(4), "no_answer", at(TUE, "11:00"))

    assert w.report(TUE, at(TUE, "18:30")) == {
        "anna": counts(50, 20, 8, 25, invoices=2),
        "boris": counts(50, 3, 2, 44, invoices=1),
    }

    # ---- Wednesday: ask about payment -------------------------------------------------------
    # A4 (agreed, due Tuesday) was not called; A21-A25, agreed on Tuesday, are due today.
    assert w.due("anna", at(WED, "09:00")) == (
        w.ids(span(A, 26, 50)) + [w.id(A(4))] + w.ids(span(A, 9, 20)) + w.ids([A(1), A(2), A(8)] + span(A, 21, 25)))
    assert w.due("boris", at(WED, "09:00")) == w.ids(span(B, 7, 50)) + [w.id(B(4)), w.id(B(1))]

    w.call(A(1), "interested", at(WED, "09:30"))
    w.call(A(2), "interested", at(WED, "09:40"))
    w.call(A(8), "interested", at(WED, "09:50"))
    cli("deal", "invoice", w.id(A(8)), "10000", user="anna", now=at(WED, "09:55"))
    for name in span(A, 9, 20):  # third no-answer this week
        w.call(name, "no_answer", at(WED, "10:00"))
    for name in span(A, 26, 30):
        w.call(name, "refused", at(WED, "11:00"), "--reason", "not_interested")
    out = cli("deal", "pay", w.id(A(1)), "15000", user="anna", now=at(WED, "15:00"))
    assert "stage paid" in out.stdout
    out = cli("deal", "pay", w.id(A(2)), "5000", user="anna", now=at(WED, "15:10"))
    assert "stage invoice_issued" in out.stdout  # partly paid: stays

    w.call(B(1), "interested", at(WED, "09:30"))
    w.call(B(4), "no_answer", at(WED, "10:00"))
    for name in span(B, 7, 16):
        w.call(name, "no_answer", at(WED, "11:00"))
    cli("deal", "pay", w.id(B(1)), "20000", "--at", "today 12:00", user="boris", now=at(WED, "14:00"))

    assert w.report(WED, at(WED, "18:30")) == {
        "anna": counts(50, 20, 8, 20, invoices=1, payments=2, paid="20000.00"),
        "boris": counts(50, 12, 1, 34, payments=1, paid="20000.00"),
    }

    # ---- Thursday: payments come in; a client asks, by e-mail, never to be called ------------------
    # A2 is only partly paid: "interested" on Wednesday kept its payment follow-up, so it is due too.
    assert w.due("anna", at(THU, "09:00")) == (
        w.ids(span(A, 31, 50)) + [w.id(A(4))] + w.ids(span(A, 21, 25)) + w.ids([A(2), A(8)]))
    # A bank transfer recorded before the call: a paid deal leaves the queue (no stale follow-up).
    cli("deal", "pay", w.id(A(8)), "10000", user="anna", now=at(THU, "09:10"))
    assert w.due("anna", at(THU, "09:15")) == w.ids(span(A, 31, 50)) + [w.id(A(4))] + w.ids(span(A, 21, 25)) + [w.id(A(2))]
    out = cli("deal", "pay", w.id(A(2)), "7 500,50", user="anna", now=at(THU, "09:20"))
    assert "stage paid" in out.stdout
    for name in span(A, 31, 40):
        w.call(name, "interested", at(THU, "11:00"))

    assert w.due("boris", at(THU, "09:00")) == w.ids(span(B, 17, 50)) + w.ids(span(B, 7, 16))
    cli("client", "dnc", phone(B(17)), "--reason", "asked by e-mail", now=at(THU, "10:00"))
    assert w.due("boris", at(THU, "10:05")) == w.ids(span(B, 18, 50)) + w.ids(span(B, 7, 16))

    assert w.report(THU, at(THU, "18:30")) == {
        "anna": counts(50, 10, 10, 10, payments=2, paid="17500.50"),
        "boris": counts(50, 0, 0, 33),
    }

    # ---- Friday: tell the payers where the seminar is; a proposal sent on Friday waits for Monday --
    assert [r["client"] for r in cli.json("deal", "list", "--stage", "paid", user="anna", now=at(FRI, "10:00"))] == [
        A(1), A(2), A(8)]
    assert [r["client"] for r in cli.json("deal", "list", "--stage", "paid", user="boris", now=at(FRI, "10:00"))] == [B(1)]
    paid = cli.json("deal", "show", w.id(A(2)), user="anna", now=at(FRI, "10:00"))
    assert (paid["invoice"], paid["paid"], [p["amount"] for p in paid["payments"]]) == ("12500.50", "12500.50", ["5000.00", "7500.50"])
    out = cli("deal", "document", w.id(A(31)), "proposal", user="anna", now=at(FRI, "10:00"))
    assert "next call 2026-11-30 09:00" in out.stdout
    # Still owed: the untouched A41-A50, and the agreed deals nobody followed up (never dropped).
    assert w.due("anna", at(FRI, "17:00")) == (
        w.ids(span(A, 41, 50)) + [w.id(A(4))] + w.ids(span(A, 21, 25)) + w.ids(span(A, 32, 40)))
    assert w.report(FRI, at(FRI, "18:30")) == {"anna": counts(50, 0, 0, 10), "boris": counts(50, 0, 0, 33)}

    # ---- Monday 2026-11-30: the rollover ----------------------------------------------------
    result = cli.json("campaign", "rollover", W48, "--week", "2026-W49", now=at(MON2, "08:30"))
    # Skipped: A6 and B17 (do-not-call), B3 (closed_business is final). Carried over (not reached,
    # still owed): A3 A7(call-back) A9-A20 A41-A50 = 24; B4 B6 B7-B16 B18-B50 = 45.
    assert result == {"campaign": W49, "id": 2, "week": "2026-W49", "rolled_from": W48, "deals": 97,
                      "carried_over": 69, "skipped_do_not_call": 2, "skipped_lost_for_good": 1}
    w.refresh()
    new = {r["client"]: r for r in cli.json("deal", "list", "--campaign", W49, user="irina", now=at(MON2, "08:30"))}
    assert len(new) == 97 and {A(6), B(3), B(17)}.isdisjoint(new)
    assert all(r["manager"] == w.owner[name] for name, r in new.items())  # same owners
    assert all(r["stage"] == "to_call" and r["attempts_week"] == 0 for r in new.values())  # counters reset
    assert (new[A(3)]["attempts_total"], new[B(7)]["attempts_total"], new[A(1)]["attempts_total"]) == (3, 1, 0)
    carried = {name for name, r in new.items() if r["carried_over"]}
    assert carried == set([A(3), A(7)] + span(A, 9, 20) + span(A, 41, 50) + [B(4), B(6)] + span(B, 7, 16) + span(B, 18, 50))
    assert (new[A(7)]["status"], new[A(7)]["next_call_at"]) == ("call_back", at(MON2, "10:00"))  # survives
    assert (new[B(6)]["status"], new[B(6)]["next_call_at"]) == ("wrong_number", None)  # still parked
    assert {r["status"] for n, r in new.items() if n not in (A(7), B(6))} == {"new"}
    assert {r["next_call_at"] for n, r in new.items() if n not in (A(7), B(6))} == {at(MON2, "09:00")}
    # The old deal still at "to call" leaves the queue (the new one replaces it); progressed ones stay.
    assert w.card(A(3))["next_call_at"] is None and not w.card(A(3))["closed"]
    assert w.card(A(31))["next_call_at"] == at(MON2, "09:00")

    anna_new = [n for n in new if new[n]["manager"] == "anna" and n != A(7)]
    agreed = [w.id(A(4))] + w.ids(span(A, 21, 25)) + w.ids(span(A, 32, 40))  # overdue follow-ups, kept
    assert w.due("anna", at(MON2, "09:00")) == (
        agreed + [w.id(A(31))] + w.ids(anna_new, W49) + [w.id(A(7), W49)])
    assert w.due("anna", at(MON2, "10:30"))[0] == w.id(A(7), W49)  # the overdue call-back on top
    assert w.due("boris", at(MON2, "09:00")) == w.ids([n for n in new if new[n]["manager"] == "boris" and n != B(6)], W49)
    # Both weeks are open: deals count both, "not called" only this week's queue.
    assert w.report(MON2, at(MON2, "09:00")) == {"anna": counts(99, 0, 0, 48), "boris": counts(98, 0, 0, 47)}

    out = w.call(A(3), "no_answer", at(MON2, "10:00"), campaign=W49)
    assert "next call 2026-11-30 12:00" in out.stdout  # a new week: retries again

    # The client's card: both campaigns, every call, newest first.
    card = cli.json("client", "show", phone(A(3)), user="anna", now=at(MON2, "10:05"))
    assert [(d["campaign"], d["manager"], d["stage"]) for d in card["deals"]] == [(W49, "anna", "to_call"), (W48, "anna", "to_call")]
    assert [(h["campaign"], h["at"], h["outcome"]) for h in card["history"]] == [
        (W49, at(MON2, "10:00"), "no_answer"), (W48, at(MON, "13:30"), "no_answer"),
        (W48, at(MON, "11:30"), "no_answer"), (W48, at(MON, "09:30"), "no_answer")]
