"""`yoolla order|task|template|schedule|inbox` and `report efficiency` as a person types them:
the README's walk-through of orders and tasks, exact forecast dates and why-chains in JSON, and
the refusals (cycle, unknown assignee, another user's task, a second timer) with their message,
exit code and an unchanged database."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import dump

MONDAY = "2026-11-02T09:00:00+03:00"  # the week of Unity Day (Wednesday 4 November)


@pytest.fixture
def deal(cli):
    """Deal 1: anna's, on campaign W45."""
    cli("user", "add", "anna", "--role", "manager")
    cli("client", "add", "ООО Ромашка", "--phone", "+74951234567")
    cli("campaign", "create", "W45", "--week", "2026-W45", now=MONDAY)
    cli("campaign", "add", "W45", "--clients", "all", "--manager", "anna", now=MONDAY)
    return cli


@pytest.fixture
def world(deal):
    deal("user", "add", "egor", "--role", "executor")
    deal("user", "add", "fedor", "--role", "executor")
    return deal


def _readme_lines(repo_root) -> list[str]:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    section = text.split("## Orders and tasks", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_readme_orders_section_runs_and_tells_the_truth(deal, repo_root):
    world = deal
    ran = 0
    for line in _readme_lines(repo_root):
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            assert words[0] == "yoolla", line
            user = "irina"
            if words[1] == "--user":
                user, words = words[2], words[:1] + words[3:]
            world(*words[1:], user=user, now=MONDAY)
            ran += 1
    assert ran >= 16
    queue = world.json("task", "queue", "--of", "fedor", now=MONDAY)
    assert [row["title"] for row in queue][:1] == ["Прототип"]
    assert world.json("inbox", "--all", user="fedor", now=MONDAY)[0]["read"] is True


def test_order_list_queue_and_why_give_exact_dates(world):
    world("order", "add", "1", "Сайт", "--priority", "2", "--template", "website", now=MONDAY)
    [order] = world.json("order", "list", now=MONDAY)
    assert (order["tasks"], order["open_tasks"], order["ready_at"]) == (4, 4, "2026-11-10T18:00:00+03:00")
    queue = world.json("task", "queue", "--of", "egor", now=MONDAY)
    assert [(r["id"], r["start"], r["finish"]) for r in queue] == [
        (1, "2026-11-02T09:00:00+03:00", "2026-11-03T16:00:00+03:00")]
    waiting = world.json("task", "queue", "--of", "egor", "--waiting", now=MONDAY)
    assert [(r["id"], r["blocked_by"]) for r in waiting] == [(1, []), (4, [3])]
    why = world.json("order", "why", "1", now=MONDAY)
    assert [(s["task"], s["kind"], s["start"], s["finish"], s["first_day"]) for s in why["steps"]] == [
        (1, "now", "2026-11-02T09:00:00+03:00", None, None),
        (1, "work", "2026-11-02T09:00:00+03:00", "2026-11-03T16:00:00+03:00", None),
        (2, "blocker", "2026-11-03T16:00:00+03:00", None, None),
        (2, "holiday", None, None, "2026-11-04"),
        (2, "work", "2026-11-03T16:00:00+03:00", "2026-11-05T15:00:00+03:00", None),
        (3, "queue", "2026-11-05T15:00:00+03:00", None, None),
        (3, "weekend", None, None, "2026-11-07"),
        (3, "work", "2026-11-05T15:00:00+03:00", "2026-11-10T12:00:00+03:00", None),
        (4, "blocker", "2026-11-10T12:00:00+03:00", None, None),
        (4, "work", "2026-11-10T12:00:00+03:00", "2026-11-10T18:00:00+03:00", None),
    ]
    table = world("task", "why", "2", now=MONDAY).stdout
    assert "waits for task 1 (egor) to finish" in table and "public holiday 2026-11-04 (Unity Day)" in table
    deal = world.json("deal", "show", "1", now=MONDAY)
    assert [(o["id"], o["ready_at"]) for o in deal["orders"]] == [(1, "2026-11-10T18:00:00+03:00")]


def test_refusals_say_why_and_change_nothing(world, engine):
    world("order", "add", "1", "Сайт", "--template", "website", now=MONDAY)
    world("task", "start", "1", user="egor", now=MONDAY)
    before = dump(engine)
    cases = [
        (("task", "depend", "1", "--on", "4"), "irina", 5,
         "Error: dependency cycle: 1 → 4 → 3 → 2 → 1 (each waits on the next); task 1 cannot wait on 4\n"),
        (("task", "add", "1", "Монтаж", "--type", "install", "--assignee", "nobody", "--estimate", "2h"), "anna", 4,
         "Error: unknown user 'nobody' (see `yoolla user list`)\n"),
        (("task", "status", "2", "done"), "egor", 3,
         "Error: egor (executor) may not change the status of task 2: it is assigned to someone else, "
         "and an executor works only their own tasks\n"),
        (("task", "start", "1"), "egor", 5, "Error: your timer already runs on task 1 (since 2026-11-02 09:00)\n"),
        (("task", "queue", "--of", "fedor"), "egor", 3,
         "Error: egor (executor) may not see fedor's queue: an executor sees only their own\n"),
        (("task", "add", "1", "x", "--type", "build", "--assignee", "egor", "--estimate", "soon"), "anna", 2,
         "Error: bad duration 'soon': expected e.g. 2h30m, 90m or 1.5h\n"),
    ]
    for args, user, code, message in cases:
        result = world(*args, user=user, now="2026-11-02T09:30:00+03:00", code=code)
        assert result.stderr == message
        assert dump(engine) == before, args


def test_timer_switch_says_so_and_inbox_marks_read(world):
    world("order", "add", "1", "Сайт", "--template", "website", now=MONDAY)
    world("task", "add", "1", "Логотип", "--type", "design", "--assignee", "egor", "--estimate", "1h", now=MONDAY)
    world("task", "start", "1", user="egor", now=MONDAY)
    out = world("task", "start", "5", user="egor", now="2026-11-02T09:45:00+03:00").stdout
    assert "Stopped the timer on task 1 (45 min)." in out and "Timer started on task 5" in out
    world("task", "stop", user="egor", now="2026-11-02T10:00:00+03:00")
    world("task", "status", "1", "done", user="egor", now="2026-11-02T10:00:00+03:00")
    inbox = world.json("inbox", "--mark-read", user="fedor")
    assert [(n["task_id"], n["text"]) for n in inbox] == [
        (2, "Task 2 'Прототип' is ready to start: task 1 'Дизайн макетов' is done")]
    assert world.json("inbox", user="fedor") == []
    entries = world.json("task", "time", "1", "--entry", "1", "--set", "1h", now="2026-11-02T11:00:00+03:00")
    assert [(e["minutes"], e["corrected_by"]) for e in entries] == [(60, "irina")]
    world("task", "time", "1", "--entry", "1", "--set", "2h", user="egor", code=3)
    report = world.json("report", "efficiency", "--by", "user", now="2026-11-02T11:00:00+03:00")
    assert [(r["key"], r["week"], r["estimate_minutes"], r["actual_minutes"], r["ratio"]) for r in report] == [
        ("egor", "all", 960, 60, 0.06), ("egor", "2026-W45", 960, 60, 0.06)]


def test_schedule_and_templates(world):
    world("schedule", "set", "egor", "--days", "sat", "--hours", "10:00-14:00")
    world("schedule", "leave", "egor", "2026-11-05", "2026-11-06", "--note", "отпуск")
    out = world.json("schedule", "show", "egor", "--days", "7", user="egor", now=MONDAY)
    assert [(d["date"], d["off"], d["hours"]) for d in out["days"]] == [
        ("2026-11-02", None, "09:00-18:00"), ("2026-11-03", None, "09:00-18:00"), ("2026-11-04", "holiday", None),
        ("2026-11-05", "leave", None), ("2026-11-06", "leave", None), ("2026-11-07", None, "10:00-14:00"),
        ("2026-11-08", "weekend", None)]
    world("schedule", "set", "egor", "--days", "sun", "--hours", "10:00-12:00", user="egor", code=3)
    names = [t["name"] for t in world.json("template", "list")]
    assert "Сайт под ключ" in names
    shown = world.json("template", "show", "Сайт под ключ")
    assert [(t["key"], t["after"]) for t in shown["tasks"]] == [
        ("design", []), ("prototype", ["design"]), ("build", ["prototype"]), ("testing", ["build"])]
