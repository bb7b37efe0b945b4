"""Every refusal the foundation promises: one "Error: …" line on stderr naming the rule, a
non-zero exit code from core/errors.py, and a database left exactly as it was.

Exit codes: 2 bad input, 3 permission, 4 not found, 5 conflict / gate / stale edit, 6 not initialised.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import dump
from yoolla_tui.core.calls import campaigns, clients, deals
from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.people import users

NOW = "2026-11-23T10:00:00+03:00"  # Monday of 2026-W48
CAMPAIGN = "Seminar 2026-W48"
REASONS = "not_interested, too_expensive, no_budget, bad_timing, competitor, no_decision_maker, closed_business"
STAGES = "to_call, agreed, proposal_sent, invoice_issued, paid, attended, refused"


@pytest.fixture
def ids(cli, engine) -> dict[str, int]:
    """Built through core (fast): irina (admin) supervises anna and boris; sveta (supervisor)
    supervises vera; egor is an executor. Five clients, round-robin over anna, boris, vera:
    Alpha anna, Beta boris, Delta vera, Epsilon anna (refused: closed), Gamma boris (do-not-call)."""
    with clock.frozen(datetime.fromisoformat("2026-11-23T09:00:00+03:00")), db.session_scope(engine) as s:
        irina = users.get_by_login(s, "irina")
        users.add_user(session=s, actor=irina, login="sveta", role="supervisor")
        for login, boss in (("anna", "irina"), ("boris", "irina"), ("vera", "sveta")):
            users.add_user(session=s, actor=irina, login=login, role="manager", supervisor=boss)
        users.add_user(session=s, actor=irina, login="egor", role="executor")
        for i, name in enumerate(("Alpha", "Beta", "Delta", "Epsilon", "Gamma"), start=1):
            clients.add_client(session=s, actor=irina, name=name, phone=f"+7495100000{i}")
        campaigns.create(session=s, actor=irina, name=CAMPAIGN, week="2026-W48")
        campaigns.add_clients(session=s, actor=irina, ref=CAMPAIGN)
        campaigns.assign(session=s, actor=irina, ref=CAMPAIGN, managers=["anna", "boris", "vera"], strategy="round-robin")
        rows = deals.list_deals(session=s, actor=irina)
        out = {r["client"]: r["id"] for r in rows}
        out.update({f"{r['client']}_version": r["version"] for r in rows})
        assert {r["client"]: r["manager"] for r in rows} == {
            "Alpha": "anna", "Beta": "boris", "Delta": "vera", "Epsilon": "anna", "Gamma": "boris"}
        anna = users.get_by_login(s, "anna")
        deals.log_call(session=s, actor=anna, deal_id=out["Epsilon"], outcome="refused", reason="too_expensive")
        clients.set_dnc(session=s, actor=irina, ref="+74951000005", reason="asked by letter")
        out["Gamma_client"] = clients.resolve(s, "+74951000005").id
        out["Beta_client"] = clients.resolve(s, "+74951000002").id
    return out


# (what, user, args, exit code, message). "{Alpha}" is Alpha's deal id, and so on.
CASES = [
    # permissions
    ("manager on another manager's deal", "anna", ["call", "log", "{Beta}", "--outcome", "no_answer"], 3,
     "anna (manager) may not log calls on deal {Beta}: a manager works only their own deals"),
    ("manager reads another manager's deal", "anna", ["deal", "show", "{Beta}"], 3,
     "anna (manager) may not see deal {Beta}: a manager works only their own deals"),
    ("manager moves a deal on", "anna", ["deal", "advance", "{Beta}", "--to", "agreed"], 3,
     "anna (manager) may not move deal {Beta}: a manager works only their own deals"),
    ("manager creates a campaign", "anna", ["campaign", "create", "Seminar 2026-W49", "--week", "2026-W49"], 3,
     "anna (manager) may not create campaigns: only admin / supervisor may"),
    ("manager assigns", "anna", ["campaign", "assign", CAMPAIGN, "--managers", "anna"], 3,
     "anna (manager) may not assign deals: only admin / supervisor may"),
    ("manager blacklists another's client", "anna", ["client", "dnc", "+74951000002", "--reason", "rude"], 3,
     "anna (manager) may not change client {Beta_client}: it is on none of their deals"),
    ("manager lifts do-not-call", "anna", ["client", "allow", "+74951000005", "--note", "asked again"], 3,
     "anna (manager) may not lift do-not-call: only admin may"),
    ("manager adds a user", "anna", ["user", "add", "zoe"], 3, "anna (manager) may not add users: only admin may"),
    ("supervisor outside their team", "sveta", ["call", "log", "{Alpha}", "--outcome", "no_answer"], 3,
     "sveta (supervisor) may not log calls on deal {Alpha}: it belongs to a manager outside their team"),
    ("supervisor invoices outside their team", "sveta", ["deal", "invoice", "{Alpha}", "1000"], 3,
     "sveta (supervisor) may not invoice deal {Alpha}: it belongs to a manager outside their team"),
    ("executor logs a call", "egor", ["call", "log", "{Alpha}", "--outcome", "no_answer"], 3,
     "egor (executor) may not log calls on deal {Alpha}: only managers, supervisors and admins work deals"),
    ("executor reads clients", "egor", ["client", "list"], 3,
     "egor (executor) may not read clients: only admin / supervisor / manager may"),
    # call outcomes
    ("call-back without a time", "anna", ["call", "log", "{Alpha}", "--outcome", "call_back"], 2,
     "call_back needs a time: --next-call WHEN (e.g. 'tomorrow 10:00', '+2h')"),
    ("call-back in the past", "anna", ["call", "log", "{Alpha}", "--outcome", "call_back", "--next-call", "09:30"], 2,
     "call-back time 2026-11-23 09:30 is in the past"),
    ("call-back time unreadable", "anna", ["call", "log", "{Alpha}", "--outcome", "call_back", "--next-call", "someday"], 2,
     "cannot read time 'someday'; try 15:30, tomorrow 11, mon 10:00, in 2 hours, +3h, 26.11 11:00"),
    ("refused without a reason", "anna", ["call", "log", "{Alpha}", "--outcome", "refused"], 2,
     f"refused needs a lost reason: --reason REASON ({REASONS}, other)"),
    ("unknown lost reason", "anna", ["call", "log", "{Alpha}", "--outcome", "refused", "--reason", "cheap"], 4,
     f"unknown lost reason 'cheap' (reasons: {REASONS}, do_not_call, other)"),
    ("reason other without a note", "anna", ["call", "log", "{Alpha}", "--outcome", "refused", "--reason", "other"], 2,
     "lost reason 'other' needs a note (--note)"),
    ("unknown outcome", "anna", ["call", "log", "{Alpha}", "--outcome", "hung_up"], 2,
     "unknown outcome 'hung_up': expected one of no_answer, call_back, interested, refused, do_not_call, wrong_number"),
    ("calling a do-not-call client", "boris", ["call", "log", "{Gamma}", "--outcome", "interested"], 5,
     "client {Gamma_client} (Gamma) is do-not-call; calls to it are not allowed"),
    ("a closed deal", "anna", ["call", "log", "{Epsilon}", "--outcome", "interested"], 5,
     "deal {Epsilon} is closed (refused); nothing more can be logged on it"),
    ("moving a closed deal", "anna", ["deal", "advance", "{Epsilon}", "--to", "agreed"], 5,
     "deal {Epsilon} is closed (refused); nothing more can be logged on it"),
    ("stale --expect-version", "anna", ["call", "log", "{Alpha}", "--outcome", "no_answer", "--expect-version", "{Alpha_old}"], 5,
     "deal {Alpha} was changed by someone else since you opened it; reload and try again"),
    ("a deal that does not exist", "irina", ["deal", "show", "999"], 4, "no deal 999"),
    # unknown names
    ("unknown --user", "ghost", ["deal", "list"], 4, "unknown user 'ghost' (see `yoolla user list`)"),
    ("unknown manager in --managers", "irina", ["campaign", "assign", CAMPAIGN, "--managers", "anna,ghost"], 4,
     "unknown user 'ghost' (see `yoolla user list`)"),
    ("unknown login in --to", "irina", ["campaign", "move", "{Alpha}", "--to", "ghost"], 4,
     "unknown user 'ghost' (see `yoolla user list`)"),
    ("an executor cannot own deals", "irina", ["campaign", "move", "{Alpha}", "--to", "egor"], 2,
     "'egor' is an executor and cannot own deals"),
    ("unknown stage in advance", "anna", ["deal", "advance", "{Alpha}", "--to", "signed"], 4,
     f"unknown stage 'signed' (stages: {STAGES})"),
    ("unknown stage in list", "anna", ["deal", "list", "--stage", "signed"], 4,
     "unknown stage 'signed' (stages: agreed, attended, invoice_issued, paid, proposal_sent, refused, to_call)"),
    ("unknown campaign", "irina", ["campaign", "add", "Seminar 2027-W01"], 4,
     "no campaign 'Seminar 2027-W01' (see `yoolla campaign list`)"),
    ("unknown --due", "anna", ["deal", "list", "--due", "tomorrow"], 2, "--due takes today or overdue, not 'tomorrow'"),
    # weeks
    ("week without W", "irina", ["campaign", "create", "Seminar 2026-W49", "--week", "2026-48"], 2,
     "bad week '2026-48': expected an ISO week like 2026-W48"),
    ("week 54", "irina", ["campaign", "create", "Seminar 2026-W54", "--week", "2026-W54"], 2,
     "bad week '2026-W54': 2026 has no week 54"),
    ("rollover backwards", "irina", ["campaign", "rollover", CAMPAIGN, "--week", "2026-W47"], 2,
     "rollover goes forward: 2026-W47 is not after 2026-W48"),
    ("rollover to a bad week", "irina", ["campaign", "rollover", CAMPAIGN, "--week", "2026-W49x"], 2,
     "bad week '2026-W49x': expected an ISO week like 2026-W48"),
    ("keep without a previous campaign", "irina", ["campaign", "assign", CAMPAIGN, "--managers", "anna", "--strategy", "keep"], 2,
     f"campaign '{CAMPAIGN}' was not rolled over from another: `keep` has no previous owners; use balanced"),
    ("campaign name taken", "irina", ["campaign", "create", CAMPAIGN, "--week", "2026-W49"], 5,
     f"a campaign named '{CAMPAIGN}' already exists"),
    # stage gates
    ("invoice stage without an invoice", "anna", ["deal", "advance", "{Alpha}", "--to", "invoice_issued"], 5,
     "deal {Alpha} cannot enter 'invoice_issued': it needs an invoice (yoolla deal invoice {Alpha} AMOUNT)"),
    ("paid stage without a payment", "anna", ["deal", "advance", "{Alpha}", "--to", "paid"], 5,
     "deal {Alpha} cannot enter 'paid': it needs a payment (yoolla deal pay {Alpha} AMOUNT)"),
    ("lost stage without a reason", "anna", ["deal", "advance", "{Alpha}", "--to", "refused"], 5,
     "deal {Alpha} cannot enter 'refused': it needs a lost reason (--reason)"),
    # clients and money
    ("duplicate phone", "irina", ["client", "add", "Alpha Two", "--phone", "8 (495) 100-00-01"], 5,
     "phone +74951000001 already belongs to client 1 (Alpha)"),
    ("not a phone", "irina", ["client", "add", "Zeta", "--phone", "12"], 2,
     "'12' is not a valid phone number for region RU"),
    ("already do-not-call", "irina", ["client", "dnc", "+74951000005", "--reason", "again"], 5,
     "client {Gamma_client} (Gamma) is already do-not-call since 2026-11-23 09:00: asked by letter"),
    ("amount is not a number", "anna", ["deal", "invoice", "{Alpha}", "abc"], 2,
     "'abc' is not an amount (e.g. 15000 or 15 000,50)"),
    ("amount zero", "anna", ["deal", "invoice", "{Alpha}", "0"], 2, "'0' is not a positive amount with at most two decimals"),
    ("amount with three decimals", "anna", ["deal", "pay", "{Alpha}", "10.005"], 2,
     "'10.005' is not a positive amount with at most two decimals"),
    ("amount nan", "anna", ["deal", "invoice", "{Alpha}", "nan"], 2, "'nan' is not an amount (e.g. 15000 or 15 000,50)"),
    ("amount too large", "anna", ["deal", "invoice", "{Alpha}", "100000000000000000000000000000"], 2,
     "'100000000000000000000000000000' is too large: at most 9999999999.99 per invoice or payment"),
    ("amount with an exponent", "anna", ["deal", "invoice", "{Alpha}", "1e30"], 2,
     "'1e30' is not an amount (e.g. 15000 or 15 000,50)"),
    ("payment in the future", "anna", ["deal", "pay", "{Alpha}", "100", "--at", "tomorrow"], 2,
     "payment date 2026-11-24 09:00 is in the future"),
]


@pytest.mark.parametrize(("what", "user", "args", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_refusal(cli, engine, ids, what, user, args, code, message):
    values = {**ids, "Alpha_old": ids["Alpha_version"] - 1}
    before = dump(engine)
    result = cli(*[a.format(**values) for a in args], user=user, now=NOW, code=code)
    assert result.stderr == f"Error: {message.format(**values)}\n"
    assert result.stdout == ""
    assert dump(engine) == before


def test_refusals_leave_the_queue_alone(cli, ids):
    """The cases above refuse on deals that stay workable: the owner can still log on them."""
    cli("call", "log", ids["Alpha"], "--outcome", "no_answer", user="anna", now=NOW)
    cli("call", "log", ids["Delta"], "--outcome", "no_answer", user="sveta", now=NOW)  # her team


def test_not_initialised_database(cli, tmp_path):
    (tmp_path / "empty.sqlite").touch()  # a file that is there, without Yoolla's schema
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    result = cli("deal", "list", code=6, env={"YOOLLA_DB": url})
    assert result.stderr == f"Error: database {url} is not initialised: run `yoolla init --admin LOGIN`\n"
    assert db.table_names(db.get_engine(url)) == []
    db.get_engine(url).dispose()
