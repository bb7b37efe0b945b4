"""Every refusal of the funnel (issue 13): a gate, a missing field, a missing reason or note,
moving back as a manager, no right to mark or plan a checkpoint, a stage in use, bad settings.
Each: one "Error: …" line naming every unmet condition, its exit code, nothing on stdout, and
the database exactly as it was (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import dump
from yoolla_tui.core.calls import campaigns, clients, deals
from yoolla_tui.core.funnel import checkpoints
from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.people import users

NOW = "2026-11-24T10:00:00+03:00"
CAMPAIGN = "Seminar 2026-W48"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def site(cli, engine) -> None:
    """anna (manager, irina's) owns deals 1 and 2; boris is another manager; sasha an executor.
    Deal 1 went to_call -> agreed (a call) -> invoice_issued -> paid; it has 'Work complete'
    (gate of paid, marked by sasha only) planned and undone, and 'Design' done. Deal 2 sits at
    to_call with 'Brief' (gate of to_call) planned."""
    with clock.frozen(_at("2026-11-23T09:00:00+03:00")), db.session_scope(engine) as s:
        irina = users.get_by_login(s, "irina")
        anna = users.add_user(session=s, actor=irina, login="anna", supervisor="irina")
        users.add_user(session=s, actor=irina, login="boris")
        users.add_user(session=s, actor=irina, login="sasha", role="executor")
        for i, name in enumerate(("Alpha", "Beta"), start=1):
            clients.add_client(session=s, actor=irina, name=name, phone=f"+7495100000{i}")
        campaigns.create(session=s, actor=irina, name=CAMPAIGN, week="2026-W48")
        campaigns.add_clients(session=s, actor=irina, ref=CAMPAIGN, manager="anna")
        checkpoints.add_type(session=s, actor=irina, name="Work complete", stage="paid", users_="sasha")
        checkpoints.add_type(session=s, actor=irina, name="Brief", stage="to_call")
        checkpoints.add_type(session=s, actor=irina, name="Design")
        deals.log_call(session=s, actor=anna, deal_id=1, outcome="interested")
        deals.invoice(session=s, actor=anna, deal_id=1, amount="1000")
        deals.pay(session=s, actor=anna, deal_id=1, amount="1000")
        checkpoints.plan(session=s, actor=anna, deal_id=1, type_name="Work complete", due=_at("2026-11-27T18:00:00+03:00"))
        checkpoints.plan(session=s, actor=anna, deal_id=2, type_name="Brief", due=_at("2026-11-25T18:00:00+03:00"))
        done = checkpoints.plan(session=s, actor=anna, deal_id=1, type_name="Design", due=_at("2026-11-23T18:00:00+03:00"))
        checkpoints.mark_done(session=s, actor=irina, checkpoint_id=done.id)
        assert deals.get_deal(s, 1).stage_id != deals.get_deal(s, 2).stage_id


CASES = [
    # the one transition rule
    ("gate: checkpoint undone", "anna", ["deal", "advance", "1", "--to", "attended"], 5,
     "deal 1 cannot enter 'attended': it needs checkpoint 1 'Work complete' done (yoolla checkpoint done 1)"),
    ("every unmet condition at once", "anna", ["deal", "advance", "2", "--to", "paid"], 5,
     "deal 2 cannot enter 'paid': it needs a payment (yoolla deal pay 2 AMOUNT); checkpoint 2 'Brief' done (yoolla checkpoint done 2)"),
    ("interested call held by a gate", "anna", ["call", "log", "2", "--outcome", "interested"], 5,
     "deal 2 cannot enter 'agreed': it needs checkpoint 2 'Brief' done (yoolla checkpoint done 2)"),
    ("lost without a reason", "anna", ["deal", "advance", "2", "--to", "refused"], 5,
     "deal 2 cannot enter 'refused': it needs a lost reason (--reason)"),
    ("lost reason that needs a note", "anna", ["deal", "advance", "2", "--to", "refused", "--reason", "other"], 5,
     "deal 2 cannot enter 'refused': it needs a note for lost reason 'other' (--note)"),
    ("moving back as a manager", "anna", ["deal", "advance", "1", "--to", "agreed"], 5,
     "deal 1 cannot enter 'agreed': it needs a supervisor or an admin to move it back from 'paid'"),
    # checkpoints
    ("no right to mark", "anna", ["checkpoint", "done", "1"], 3,
     "anna (manager) may not mark checkpoint 1 'Work complete' done: only sasha may"),
    ("another manager plans", "boris", ["checkpoint", "set", "1", "Design", "--due", "+1d"], 3,
     "boris (manager) may not plan checkpoints on deal 1: a manager works only their own deals"),
    ("an executor plans", "sasha", ["checkpoint", "set", "1", "Brief", "--due", "+1d"], 3,
     "sasha (executor) may not plan checkpoints on deal 1: only managers, supervisors and admins work deals"),
    ("re-planning a done checkpoint", "anna", ["checkpoint", "set", "1", "Design", "--due", "+1d"], 5,
     "checkpoint 3 'Design' on deal 1 is already done"),
    ("done twice", "irina", ["checkpoint", "done", "3"], 5, "checkpoint 3 'Design' is already done (2026-11-23 09:00)"),
    ("done in the future", "sasha", ["checkpoint", "done", "1", "--at", "tomorrow"], 2,
     "done time 2026-11-25 09:00 is in the future"),
    ("unknown checkpoint type", "anna", ["checkpoint", "set", "1", "Nope", "--due", "+1d"], 4,
     "unknown checkpoint type 'Nope' (types: Work complete, Brief, Design)"),
    ("unknown checkpoint", "irina", ["checkpoint", "done", "99"], 4, "no checkpoint 99"),
    ("manager defines a type", "anna", ["checkpoint", "type", "add", "QA"], 3,
     "anna (manager) may not define checkpoint types: only admin may"),
    ("type with an unknown role", "irina", ["checkpoint", "type", "add", "QA", "--roles", "tester"], 2,
     "unknown role 'tester': expected admin, supervisor, manager, executor"),
    ("type name taken", "irina", ["checkpoint", "type", "add", "Design"], 5, "checkpoint type 'Design' already exists"),
    # stages and reasons
    ("stage in use", "irina", ["stage", "remove", "to_call"], 5,
     "stage 'to_call' holds 1 deal(s); move them first (yoolla deal list --stage to_call --closed --all)"),
    ("stage in the calls' history", "irina", ["stage", "remove", "agreed"], 5,
     "stage 'agreed' is in the history of 1 call(s); it cannot be removed, rename it instead"),
    ("kind of a stage holding deals", "irina", ["stage", "set", "paid", "--kind", "won"], 5,
     "stage 'paid' holds 1 deal(s); its kind cannot change"),
    ("manager changes a stage", "anna", ["stage", "set", "agreed", "--budget-days", "2"], 3,
     "anna (manager) may not change stages: only admin may"),
    ("negative budget", "irina", ["stage", "set", "agreed", "--budget-days", "-1"], 2,
     "--budget-days takes a number of business days, 0 or more"),
    ("budget not a number", "irina", ["stage", "set", "agreed", "--budget-days", "two"], 2,
     "--budget-days takes a number of business days or none, not 'two'"),
    ("unknown required field", "irina", ["stage", "add", "contract", "--name", "Contract", "--requires", "contract"], 2,
     "unknown required field 'contract': expected invoice, payment, quality, lost_reason"),
    ("stage code taken", "irina", ["stage", "add", "paid", "--name", "Paid again"], 5,
     "pipeline 'seminar' already has a stage 'paid'"),
    ("bad stage code", "irina", ["stage", "add", "Contract", "--name", "Contract"], 2,
     "bad stage code 'Contract': lower-case letters, digits and _, starting with a letter"),
    ("position out of range", "irina", ["stage", "move", "paid", "--to", "9"], 2, "--to takes a position from 1 to 7"),
    ("unknown stage", "irina", ["stage", "rename", "signed", "--name", "Signed"], 4,
     "unknown stage 'signed' (stages: to_call, agreed, proposal_sent, invoice_issued, paid, attended, refused)"),
    ("manager adds a lost reason", "anna", ["lost-reason", "add", "moved", "--name", "Moved"], 3,
     "anna (manager) may not change lost reasons: only admin may"),
    ("lost reason taken", "irina", ["lost-reason", "add", "other", "--name", "Other"], 5, "lost reason 'other' already exists"),
    ("removing do_not_call", "irina", ["lost-reason", "remove", "do_not_call"], 5,
     "lost reason 'do_not_call' is used by the do-not-call list and cannot be removed"),
    # listings, health, close date
    ("unknown light", "anna", ["deal", "list", "--light", "blue"], 2, "--light takes red, yellow or green, not 'blue'"),
    ("health of another manager", "boris", ["health", "--manager", "anna"], 3,
     "boris (manager) may not see the deal health of anna: only their own or their team's"),
    ("health of an executor", "sasha", ["health"], 3, "sasha (executor) may not see deal health: only admin / supervisor / manager may"),
    ("bad close date", "anna", ["deal", "set", "1", "--close-by", "soon"], 2,
     "bad date 'soon': expected YYYY-MM-DD, tomorrow or +5d"),
    ("close date on another's deal", "boris", ["deal", "set", "1", "--close-by", "2026-12-01"], 3,
     "boris (manager) may not plan deal 1: a manager works only their own deals"),
    ("checkpoint report by what", "irina", ["report", "checkpoints", "--by", "week"], 2,
     "--by takes both, type or manager, not 'week'"),
]


@pytest.mark.parametrize(("what", "user", "args", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_refusal(cli, engine, site, what, user, args, code, message):
    before = dump(engine)
    result = cli(*args, user=user, now=NOW, code=code)
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""
    assert dump(engine) == before


def test_a_refused_move_speaks_russian(cli, engine, site):
    before = dump(engine)
    result = cli("deal", "advance", "1", "--to", "agreed", user="anna", now=NOW, code=5, env={"YOOLLA_LANG": "ru"})
    assert result.stderr == ("Ошибка: сделку 1 нельзя перевести на этап 'agreed': нужно указать: "
                             "ход назад с этапа 'paid' делает руководитель или администратор\n")
    assert dump(engine) == before


def test_what_was_refused_is_allowed_to_the_right_people(cli, site):
    """The same moves, by those the rules name: the refusals above were about who and what, not broken deals."""
    cli("checkpoint", "done", "1", user="sasha", now=NOW)
    cli("deal", "advance", "1", "--to", "attended", user="anna", now=NOW)
    cli("deal", "advance", "2", "--to", "refused", "--reason", "other", "--note", "закрылись", user="anna", now=NOW)
    assert cli.json("deal", "show", "2", now=NOW)["lost_reason"] == "other"
