"""The funnel from the shell (issue 13): seed 000's website with its checkpoints and Health,
the checkpoint and lost reports' numbers, `deal list --light`, stage settings, and the README
section run line by line."""

from __future__ import annotations

import pytest

from tests.conftest import dump
from tests.meta.test_docs import run_walkthrough

MON = "2026-11-23T09:00:00+03:00"
THU = "2026-11-26T10:00:00+03:00"
NEXT_MON = "2026-11-30T10:00:00+03:00"
CAMPAIGN = "Seminar 2026-W48"


@pytest.fixture
def site(cli):
    """Seed 000's website: anna sells it (deal 1) and plans Design, Prototype, Testing and Work
    complete (the gate of `work_done`); vasya, semyon and sasha do the work. Deal 2 has none."""
    for login in ("vasya", "semyon", "sasha"):
        cli("user", "add", login, "--role", "executor", now=MON)
    cli("user", "add", "anna", "--role", "manager", "--supervisor", "irina", now=MON)
    cli("company", "set", "--name", "ООО Юлла", now=MON)
    cli("client", "add", "ООО Сайт", "--phone", "+7 495 100-00-01", now=MON)
    cli("client", "add", "ООО Бумага", "--phone", "+7 495 100-00-02", now=MON)
    cli("campaign", "create", CAMPAIGN, "--week", "2026-W48", now=MON)
    cli("campaign", "add", CAMPAIGN, "--clients", "all", "--manager", "anna", now=MON)
    cli("stage", "add", "work_done", "--name", "Работы выполнены", "--after", "paid", "--budget-days", "10", now=MON)
    cli("checkpoint", "type", "add", "Design", "--users", "vasya", now=MON)
    cli("checkpoint", "type", "add", "Prototype", "--users", "semyon", now=MON)
    cli("checkpoint", "type", "add", "Testing", "--users", "sasha", now=MON)
    cli("checkpoint", "type", "add", "Work complete", "--stage", "work_done", "--users", "semyon,sasha", now=MON)
    for args in (("call", "log", "1", "--outcome", "interested"), ("deal", "invoice", "1", "50000"),
                 ("deal", "pay", "1", "50000"), ("deal", "advance", "1", "--to", "work_done"),
                 ("checkpoint", "set", "1", "Design", "--due", "2026-11-25 18:00"),
                 ("checkpoint", "set", "1", "Prototype", "--due", "2026-11-27 18:00"),
                 ("checkpoint", "set", "1", "Testing", "--due", "2026-12-01 18:00"),
                 ("checkpoint", "set", "1", "Work complete", "--due", "2026-12-03 18:00"),
                 ("deal", "set", "1", "--close-by", "2026-12-04")):
        cli(*args, user="anna", now=MON)
    return cli


def _health(cli, now, user="anna"):
    return {r["deal_id"]: r for r in cli.json("health", user=user, now=now)}


def test_seed_000_website_health_gate_and_checkpoint_report(site, engine):
    cli = site
    cli("checkpoint", "done", "1", "--at", "2026-11-25 17:00", user="vasya", now=THU)
    health = _health(cli, THU)
    assert [(r["deal_id"], r["health"]) for r in health.values()] == [(1, "green"), (2, "white")]
    assert health[1]["nearest"] == "Prototype: due 2026-11-27 18:00, 1 d 8 h left"
    assert (health[1]["nearest_checkpoint"], health[1]["nearest_id"], health[1]["minutes_left"]) == ("Prototype", 2, 32 * 60)
    assert (health[1]["invoice"], health[1]["paid"], health[1]["close_by"]) == ("50000.00", "50000.00", "2026-12-04")
    ru = {r["deal_id"]: r for r in cli.json("health", user="anna", now=THU, env={"YOOLLA_LANG": "ru"})}
    # A stage the user named keeps that name; a shipped stage reads in the user's language.
    assert (health[1]["stage"], health[1]["stage_name"], ru[1]["stage_name"]) == ("work_done", "Работы выполнены", "Работы выполнены")
    assert (health[2]["stage"], health[2]["stage_name"], ru[2]["stage_name"]) == ("to_call", "To call", "Позвонить")
    assert health[2]["nearest"] is None and health[2]["checkpoints"] == 0

    # Monday after: the prototype is late.
    health = _health(cli, NEXT_MON)
    assert (health[1]["health"], health[1]["overdue"], health[1]["minutes_left"]) == ("red", 1, -(2 * 24 + 16) * 60)
    assert health[1]["nearest"] == "Prototype: due 2026-11-27 18:00, 2 d 16 h late"
    report = {r["type"]: r for r in cli.json("report", "checkpoints", now=NEXT_MON)}
    assert {t: (r["planned"], r["done_on_time"], r["done_late"], r["overdue"], r["on_plan"]) for t, r in report.items()} == {
        "Design": (1, 1, 0, 0, 0), "Prototype": (1, 0, 0, 1, 0), "Testing": (1, 0, 0, 0, 1), "Work complete": (1, 0, 0, 0, 1)}

    # The gate holds the deal at work_done until Work complete is done.
    cli("checkpoint", "done", "2", user="semyon", now=NEXT_MON)
    before = dump(engine)
    refused = cli("deal", "advance", "1", "--to", "attended", user="anna", now=NEXT_MON, code=5)
    assert refused.stderr == "Error: deal 1 cannot enter 'attended': it needs checkpoint 4 'Work complete' done (yoolla checkpoint done 4)\n"
    assert dump(engine) == before
    health = _health(cli, NEXT_MON)
    assert health[1]["health"] == "green"
    assert health[1]["nearest"] == "Testing: due 2026-12-01 18:00, 1 d 8 h left"
    card = cli.json("health", "--deal", "1", user="anna", now=NEXT_MON)
    assert [(c["type"], c["state"], c["done_by"]) for c in card["checkpoints_list"]] == [
        ("Design", "done", "vasya"), ("Prototype", "done_late", "semyon"), ("Testing", "on_plan", None),
        ("Work complete", "on_plan", None)]
    assert card["payments"][0]["amount"] == "50000.00"

    cli("checkpoint", "done", "3", user="sasha", now=NEXT_MON)
    cli("checkpoint", "done", "4", user="semyon", now=NEXT_MON)
    cli("deal", "advance", "1", "--to", "attended", user="anna", now=NEXT_MON)
    assert cli.json("deal", "show", "1", now=NEXT_MON)["stage"] == "attended"
    rows = cli.json("report", "checkpoints", now=NEXT_MON)
    assert rows == [
        {"type": "Design", "manager": "anna", "planned": 1, "done_on_time": 1, "done_late": 0, "overdue": 0, "on_plan": 0, "mean_delay_days": None},
        {"type": "Prototype", "manager": "anna", "planned": 1, "done_on_time": 0, "done_late": 1, "overdue": 0, "on_plan": 0, "mean_delay_days": 2.7},
        {"type": "Testing", "manager": "anna", "planned": 1, "done_on_time": 1, "done_late": 0, "overdue": 0, "on_plan": 0, "mean_delay_days": None},
        {"type": "Work complete", "manager": "anna", "planned": 1, "done_on_time": 1, "done_late": 0, "overdue": 0, "on_plan": 0, "mean_delay_days": None}]
    by_manager = cli.json("report", "checkpoints", "--by", "manager", now=NEXT_MON)
    assert by_manager == [{"manager": "anna", "planned": 4, "done_on_time": 3, "done_late": 1, "overdue": 0, "on_plan": 0,
                           "mean_delay_days": 2.7}]
    # Deal 1 is won and leaves Health; deal 2, past its close date, is red without checkpoints.
    cli("deal", "set", "2", "--close-by", "2026-11-27", user="anna", now=MON)
    assert [(r["deal_id"], r["health"], r["close_overdue"]) for r in _health(cli, NEXT_MON).values()] == [(2, "red", True)]


def test_health_csv_and_table_and_who_may_see_whose(site):
    cli = site
    out = cli("health", "--format", "csv", user="anna", now=NEXT_MON).stdout.splitlines()
    assert out[0] == "health,deal_id,client,stage,light,checkpoints,nearest,invoice,paid,close_by"
    assert out[1].startswith("red,1,ООО Сайт,work_done,green,4,\"Design: due 2026-11-25 18:00, 4 d 16 h late\"")
    assert "ООО Сайт" in cli("health", "--manager", "anna", now=THU).stdout  # irina supervises anna
    cli("user", "add", "boris", "--role", "manager", now=MON)
    refused = cli("health", "--manager", "anna", user="boris", now=THU, code=3)
    assert refused.stderr == "Error: boris (manager) may not see the deal health of anna: only their own or their team's\n"
    ru = cli("health", user="anna", now=NEXT_MON, env={"YOOLLA_LANG": "ru"}).stdout
    assert "Design: срок 2026-11-25 18:00, просрочено на 4 дн 16 ч" in ru


def test_deal_list_shows_and_filters_the_light(site):
    cli = site
    rows = {r["id"]: r["light"] for r in cli.json("deal", "list", "--manager", "anna", now=THU)}
    assert rows == {1: "green", 2: "red"}  # deal 2: due Monday 09:00, never called
    assert [r["id"] for r in cli.json("deal", "list", "--light", "red", now=THU)] == [2]
    assert [r["id"] for r in cli.json("deal", "list", "--light", "green", now=THU)] == [1]
    assert cli.json("deal", "list", "--light", "yellow", now=THU) == []
    # At Monday 08:00 deal 2's first call (09:00) is due later today: yellow.
    assert [r["id"] for r in cli.json("deal", "list", "--light", "yellow", now="2026-11-23T08:00:00+03:00")] == [2]
    table = cli("deal", "list", now=THU).stdout
    assert "light" in table and "red" in table
    assert {r["id"]: r["close_by"] for r in cli.json("deal", "list", now=THU)} == {1: "2026-12-04", 2: None}


def test_report_lost_by_stage_and_reason(site):
    cli = site
    cli("client", "add", "ООО Три", "--phone", "+7 495 100-00-03", now=MON)
    cli("campaign", "add", CAMPAIGN, "--clients", "all", "--manager", "anna", now=MON)
    cli("call", "log", "2", "--outcome", "refused", "--reason", "competitor", user="anna", now=MON)
    cli("deal", "document", "3", "proposal", user="anna", now=MON)
    cli("deal", "advance", "3", "--to", "refused", "--reason", "other", "--note", "переехали", user="anna", now=MON)
    rows = cli.json("report", "lost", "--campaign", CAMPAIGN, now=MON)
    assert rows == [
        {"by": "stage", "code": "to_call", "name": "To call", "count": 1, "share": 50.0},
        {"by": "stage", "code": "proposal_sent", "name": "Proposal sent", "count": 1, "share": 50.0},
        {"by": "reason", "code": "competitor", "name": "Chose a competitor", "count": 1, "share": 50.0},
        {"by": "reason", "code": "other", "name": "Other (note required)", "count": 1, "share": 50.0}]
    assert cli.json("report", "lost", "--manager", "irina", now=MON) == []
    csv = cli("report", "lost", "--format", "csv", now=MON, env={"YOOLLA_LANG": "ru"}).stdout.splitlines()
    assert csv[:2] == ["by,code,name,count,share", "stage,to_call,Позвонить,1,50.0"]


def test_stage_commands_and_the_budget_recompute(site):
    cli = site
    listed = cli.json("stage", "list")
    assert [(s["code"], s["deals"]) for s in listed] == [
        ("to_call", 1), ("agreed", 0), ("proposal_sent", 0), ("invoice_issued", 0), ("paid", 0), ("work_done", 1),
        ("attended", 0), ("refused", 0)]
    out = cli("stage", "set", "work_done", "--budget-days", "2", "--followup-days", "none", "--requires", "payment",
              "--close-tasks", now=THU)
    assert out.stdout == "Stage 'work_done' updated; 1 open deal(s) got a new deadline.\n"
    stage = next(s for s in cli.json("stage", "list") if s["code"] == "work_done")
    assert (stage["time_budget_days"], stage["required_fields"], stage["close_tasks"]) == (2, ["payment"], True)
    # Deal 1 entered work_done on Monday: a 2-day budget ran out Tuesday evening; its light is red.
    assert {r["id"]: r["light"] for r in cli.json("deal", "list", now=THU)}[1] == "red"
    cli("stage", "move", "work_done", "--to", "7")
    cli("stage", "rename", "work_done", "--name", "Done")
    assert [s["code"] for s in cli.json("stage", "list")][5:] == ["attended", "work_done", "refused"]
    ru = cli.json("stage", "list", env={"YOOLLA_LANG": "ru"})
    assert [s["name"] for s in ru][:2] == ["Позвонить", "Согласие"] and ru[6]["name"] == "Done"
    assert cli("call", "reasons", "--format", "csv").stdout == cli("lost-reason", "list", "--format", "csv").stdout
    cli("lost-reason", "add", "moved_away", "--name", "Moved away", "--final")
    cli("lost-reason", "remove", "bad_timing")
    codes = [r["code"] for r in cli.json("lost-reason", "list")]
    assert "moved_away" in codes and "bad_timing" not in codes
    cli("stage", "add", "spare", "--name", "Spare")
    cli("stage", "remove", "spare")
    assert "spare" not in [s["code"] for s in cli.json("stage", "list")]


def test_readme_funnel_section_runs(tmp_path, repo_root, monkeypatch):
    """The README's funnel story, line by line: every command exits 0, and it ends as it says."""
    monkeypatch.chdir(tmp_path)
    cli, env, ran = run_walkthrough(repo_root, "## The funnel: stages, checkpoints, the traffic light, health")
    assert ran > 30
    report = cli.json("report", "checkpoints", user="irina", env=env)
    assert [(r["type"], r["done_late"], r["mean_delay_days"]) for r in report] == [
        ("Design", 0, None), ("Prototype", 1, 2.7), ("Testing", 0, None), ("Work complete", 0, None)]
    assert cli.json("deal", "show", "1", user="irina", env=env)["stage"] == "attended"
