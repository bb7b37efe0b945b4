"""Issue 18 on the listings that landed with the funnel and with orders and tasks: each takes
--limit N and its every-row flag, a table page that cuts rows says so in a footer, json and csv
print every row. `yoolla inbox` keeps --all for "include read ones" and calls its every-row flag
--all-rows."""

from __future__ import annotations

import csv
import io

import pytest

MONDAY = "2026-11-23T09:00:00+03:00"


@pytest.fixture
def world(cli):
    """Two deals of anna, two checkpoint types planned on deal 1, two orders on it, egor's queue of
    three tasks, two time entries on task 5, and two notifications in fedor's inbox."""
    def run(*args, user="irina"):
        cli(*args, user=user, now=MONDAY)

    run("user", "add", "anna", "--role", "manager")
    run("user", "add", "egor", "--role", "executor")
    run("user", "add", "fedor", "--role", "executor")
    run("client", "add", "ООО Сайт", "--phone", "+7 495 100-00-01")
    run("client", "add", "ООО Бумага", "--phone", "+7 495 100-00-02")
    run("campaign", "create", "W48", "--week", "2026-W48")
    run("campaign", "add", "W48", "--clients", "all", "--manager", "anna")
    run("checkpoint", "type", "add", "Design")
    run("checkpoint", "type", "add", "Testing")
    run("checkpoint", "set", "1", "Design", "--due", "2026-11-25 18:00", user="anna")
    run("checkpoint", "set", "1", "Testing", "--due", "2026-11-27 18:00", user="anna")
    run("order", "add", "1", "Сайт", "--template", "website")  # tasks 1-4
    run("order", "add", "1", "Баннер", "--qty", "2")
    run("task", "add", "2", "Макет", "--type", "design", "--assignee", "egor", "--estimate", "2h")  # 5
    run("task", "add", "2", "Макет 2", "--type", "design", "--assignee", "egor", "--estimate", "1h")  # 6
    run("task", "add", "2", "Печать", "--type", "print", "--assignee", "egor", "--estimate", "1h")  # 7
    run("task", "add", "2", "Монтаж", "--type", "install", "--assignee", "fedor", "--estimate", "4h", "--after", "5")
    run("task", "add", "2", "Демонтаж", "--type", "install", "--assignee", "fedor", "--estimate", "1h", "--after", "5")
    run("task", "time", "5", "--add", "1h", "--at", "2026-11-23 10:00")
    run("task", "time", "5", "--add", "30m", "--at", "2026-11-23 12:00")
    run("task", "status", "5", "done", user="egor")  # releases 8 and 9: two notifications for fedor
    return cli


# (command, who runs it, the every-row flag)
LISTINGS = [
    (["stage", "list"], "irina", "--all"),
    (["lost-reason", "list"], "irina", "--all"),
    (["checkpoint", "type", "list"], "irina", "--all"),
    (["checkpoint", "list", "1"], "anna", "--all"),
    (["health"], "anna", "--all"),
    (["order", "list"], "irina", "--all"),
    (["task", "queue", "--of", "egor"], "irina", "--all"),
    (["task", "time", "5"], "irina", "--all"),
    (["template", "list"], "irina", "--all"),
    (["inbox"], "fedor", "--all-rows"),
]


@pytest.mark.parametrize("command,user,every", LISTINGS, ids=[" ".join(c[0]) for c in LISTINGS])
def test_every_new_listing_takes_limit_and_its_every_row_flag(world, command, user, every):
    everything = world.json(*command, user=user, now=MONDAY)
    total = len(everything)
    assert total >= 2, everything

    page = world(*command, "--limit", "1", user=user, now=MONDAY)
    assert page.stdout.rstrip().endswith(f"1 of {total:,} shown: --limit N, {every}")

    cut = world(*command, "--limit", "1", "--format", "json", user=user, now=MONDAY)
    assert cut.stderr.strip() == f"1 of {total:,} shown: --limit N, {every}"
    assert world.json(*command, "--limit", "1", user=user, now=MONDAY) == everything[:1]

    whole = world(*command, every, user=user, now=MONDAY).stdout
    assert "shown:" not in whole
    assert world.json(*command, every, user=user, now=MONDAY) == everything

    listed = world(*command, "--format", "csv", user=user, now=MONDAY)
    assert len(list(csv.reader(io.StringIO(listed.stdout)))) == total + 1
    assert listed.stderr == ""


def test_the_rows_and_their_order_are_what_they_were(world):
    assert [r["id"] for r in world.json("order", "list", now=MONDAY)] == [1, 2]
    assert [r["type"] for r in world.json("checkpoint", "list", "1", user="anna", now=MONDAY)] == ["Design", "Testing"]
    assert [r["task_id"] for r in world.json("inbox", user="fedor", now=MONDAY)] == [9, 8]  # newest first
    assert [r["position"] for r in world.json("task", "queue", "--of", "egor", now=MONDAY)] == [1, 2, 3]
    assert [r["minutes"] for r in world.json("task", "time", "5", now=MONDAY)] == [60, 30]
    order = world.json("order", "list", now=MONDAY)[1]
    assert (order["title"], order["tasks"], order["open_tasks"]) == ("Баннер", 5, 4)


def test_inbox_keeps_all_for_read_ones_and_marks_only_what_it_showed(world):
    shown = world("inbox", "--mark-read", "--limit", "1", user="fedor", now=MONDAY)
    assert shown.stdout.rstrip().endswith("1 of 2 shown: --limit N, --all-rows")
    assert [r["task_id"] for r in world.json("inbox", user="fedor", now=MONDAY)] == [8]  # the one not shown is unread
    both = world.json("inbox", "--all", user="fedor", now=MONDAY)
    assert [(r["task_id"], r["read"]) for r in both] == [(9, True), (8, False)]
    ru = world("inbox", "--all", "--limit", "1", user="fedor", now=MONDAY, env={"YOOLLA_LANG": "ru"})
    assert ru.stdout.rstrip().endswith("показано 1 из 2: --limit N, --all-rows")
