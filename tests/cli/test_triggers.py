"""`yoolla stage trigger …`, `yoolla process …` and `report processes` as a person types them:
the README's section runs as written (an admin switches a trigger off and the next deal entering
the stage does not fire it), and a failing trigger refuses the move with its reason and an
unchanged database."""

from __future__ import annotations

import csv
import io
import re
import shlex

import pytest

from tests.conftest import dump

MONDAY = "2026-11-02T09:00:00+03:00"


@pytest.fixture
def deals2(cli):
    """Deals 1 and 2: anna's, new, on campaign W45."""
    cli("user", "add", "anna", "--role", "manager")
    cli("client", "add", "ООО Ромашка", "--phone", "+74951234567")
    cli("client", "add", "ООО Вектор", "--phone", "+74951234568")
    cli("campaign", "create", "W45", "--week", "2026-W45", now=MONDAY)
    cli("campaign", "add", "W45", "--clients", "all", "--manager", "anna", now=MONDAY)
    return cli


def _readme_lines(repo_root) -> list[str]:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    section = text.split("## Stage triggers and processes", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


README_NOW = "2026-11-23T09:00:00+03:00"  # the section's own YOOLLA_NOW


def test_readme_section_runs_and_a_trigger_switched_off_does_not_fire(cli, repo_root):
    """The section as written, its own set-up included (the `cli` database already has irina, so
    `export` and `init` lines are the shell's business, not a command to run here)."""
    ran = 0
    for line in _readme_lines(repo_root):
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            if words[0] == "export" or words[1:2] == ["init"]:
                continue
            assert words[0] == "yoolla", line
            user = "irina"
            if words[1] == "--user":
                user, words = words[2], words[:1] + words[3:]
            cli(*words[1:], user=user, now=README_NOW)
            ran += 1
    assert ran >= 17
    listed = cli.json("stage", "trigger", "list", now=README_NOW)
    assert [(t["id"], t["stage"], t["kind"], t["enabled"]) for t in listed] == [
        (1, "agreed", "task", True), (2, "agreed", "notify", False), (3, "agreed", "process", True)]
    # The notification fired for deal 1 and, switched off, not for deal 2.
    inbox = cli.json("inbox", "--all", user="sveta", now=README_NOW)
    assert [n["text"] for n in inbox if n["kind"] == "stage_trigger"] == ["Deal 1 entered 'Agreed': Новый клиент согласился"]
    deal2 = cli.json("deal", "show", "2", user="anna", now=README_NOW)
    assert [(r["stage"], r["kind"]) for r in deal2["triggers"]] == [("agreed", "task"), ("agreed", "process")]
    assert (deal2["stage"], [(p["name"], p["status"]) for p in deal2["processes"]]) == (
        "to_call", [("Согласование", "rejected")])
    deal1 = cli.json("deal", "show", "1", user="anna", now=README_NOW)
    assert [(r["stage"], r["kind"]) for r in deal1["triggers"]] == [("agreed", "task"), ("agreed", "notify"),
                                                                    ("agreed", "process")]
    assert (deal1["stage"], [(p["name"], p["status"]) for p in deal1["processes"]]) == (
        "invoice_issued", [("Разбор претензии", "running"), ("Согласование", "approved")])
    rows = list(csv.DictReader(io.StringIO(cli("report", "processes", "--format", "csv", now=README_NOW).stdout)))
    assert [(r["deal_id"], r["name"], r["status"], r["estimate_minutes"]) for r in rows] == [
        ("1", "Согласование", "approved", "90"), ("2", "Согласование", "rejected", "90"),
        ("1", "Разбор претензии", "running", "170")]
    audit = cli.json("audit", "--action", "trigger", now=README_NOW)
    assert [a["action"] for a in audit] == ["trigger.add"] * 3 + ["trigger.run"] * 3 + ["trigger.off"] + \
        ["trigger.run"] * 2


def test_gate_and_failing_trigger_refusals_change_nothing(deals2, engine):
    cli = deals2
    cli("user", "add", "sveta", "--role", "supervisor")
    cli("stage", "trigger", "add", "agreed", "process", "--template", "approval", now=MONDAY)
    cli("deal", "advance", "1", "--to", "agreed", user="anna", now=MONDAY)
    before = dump(engine)
    refused = cli("deal", "invoice", "1", "15000", user="anna", now=MONDAY, code=5)
    assert "it needs process 1 'Согласование' approved (yoolla process approve 1)" in refused.stderr
    assert dump(engine) == before
    # Nobody is an executor: a task trigger for that role cannot run, and the deal stays put.
    cli("stage", "trigger", "add", "agreed", "notify", "--manager", now=MONDAY)
    cli("stage", "trigger", "add", "agreed", "task", "--title", "Программа", "--role", "executor", "--estimate", "15m",
        now=MONDAY)
    before = dump(engine)
    refused = cli("call", "log", "2", "--outcome", "interested", user="anna", now=MONDAY, code=5)
    assert refused.stderr.strip() == (
        "Error: deal 2 cannot enter 'agreed': trigger 3 (task 'Программа' for role executor, 15 min) failed: "
        "nobody has the role 'executor' to do 'Программа'")
    assert dump(engine) == before
    cli("stage", "trigger", "off", "3", now=MONDAY)
    cli("call", "log", "2", "--outcome", "interested", user="anna", now=MONDAY)
    assert cli.json("deal", "show", "2", user="anna", now=MONDAY)["stage"] == "agreed"
    denied = cli("stage", "trigger", "on", "3", user="anna", now=MONDAY, code=3)
    assert "anna" in denied.stderr
