"""`yoolla import …` from the shell: the JSON result, list/show/undo, help that teaches, and an
import killed half-way leaving the database as it was."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import dump
from tests.fixtures import sheets
from yoolla_tui.core.calls.importing import samples

ROWS = [["Список клиентов на 23.11"], [], ["Организация", "Телефон", "Город", "ИНН"],
        ["ООО Вектор", "8 (495) 123-45-67", "Москва", "7701"], ["АО Гранит", 79161234567, "Тверь", ""],
        ["ООО Вектор-2", "+7 495 123 45 67", "", ""], ["Мусор", "нет", "", ""]]


def test_json_result_has_the_documented_keys(cli, tmp_path):
    path = sheets.xlsx(tmp_path / "list.xlsx", ROWS)
    out = cli.json("import", path)
    assert {"read", "inserted", "updated", "duplicates", "rejected", "added_to_campaign", "batch"} <= set(out)
    assert {k: out[k] for k in ("read", "inserted", "updated", "duplicates", "rejected", "added_to_campaign", "batch")} == \
        {"read": 4, "inserted": 2, "updated": 0, "duplicates": 1, "rejected": 1, "added_to_campaign": 0, "batch": 1}
    assert out["rejected_file"] == str(tmp_path / "list.rejected.csv")
    again = cli.json("import", path)
    assert (again["inserted"], again["duplicates"], again["batch"]) == (0, 3, 2)


def test_table_output_shows_mapping_counts_and_how_to_undo(cli, tmp_path):
    result = cli("import", sheets.xlsx(tmp_path / "list.xlsx", ROWS))
    assert "header on row 3" in result.stdout
    assert "Телефон" in result.stdout and "phone" in result.stdout and "extra" in result.stdout
    assert "inserted" in result.stdout and "yoolla import undo 1" in result.stdout
    assert result.stderr == ""


def test_dry_run_shows_first_rows_and_changes_nothing(cli, engine, tmp_path):
    before = dump(engine)
    result = cli("import", "--dry-run", sheets.xlsx(tmp_path / "list.xlsx", ROWS))
    assert "+74951234567" in result.stdout and "ООО Вектор" in result.stdout
    assert "Dry run: nothing was changed." in result.stdout
    assert dump(engine) == before


def test_onto_a_campaign_for_one_manager_then_list_show_undo(cli, engine, tmp_path):
    cli("user", "add", "anna")
    cli("campaign", "create", "Seminar 2026-W48", "--week", "2026-W48")
    before = dump(engine)
    out = cli.json("import", sheets.xlsx(tmp_path / "list.xlsx", ROWS), "--campaign", "Seminar 2026-W48", "--manager", "anna")
    assert out["added_to_campaign"] == 2 and out["campaign"] == "Seminar 2026-W48"
    deals = cli.json("deal", "list", "--campaign", "Seminar 2026-W48")
    assert sorted((d["client"], d["manager"]) for d in deals) == [("АО Гранит", "anna"), ("ООО Вектор", "anna")]
    listed = cli.json("import", "list")
    assert [(b["batch"], b["file"], b["campaign"], b["inserted"]) for b in listed] == [(1, "list.xlsx", "Seminar 2026-W48", 2)]
    card = cli.json("import", "show", "1")
    assert card["rejected_rows"] == [{"sheet": "Лист1", "row": 7, "reason": "'нет' is not a phone number", "cells": ["Мусор", "нет", "", ""]}]
    assert "'нет' is not a phone number" in cli("import", "show", "1").stdout
    undone = cli.json("import", "undo", "1")
    assert (undone["clients_removed"], undone["deals_removed"]) == (2, 2)
    after = dump(engine)
    for table in ("client", "deal"):
        assert after[table] == before[table]
    assert cli("import", "undo", "1", code=5).stderr.startswith("Error: import 1 was already undone")
    assert cli("import", "show", "9", code=4).stderr == "Error: no import batch 9 (see `yoolla import list`)\n"


def test_assign_spreads_over_managers(cli, tmp_path):
    for login in ("anna", "boris"):
        cli("user", "add", login)
    cli("campaign", "create", "W48", "--week", "2026-W48")
    path = samples.write_csv(tmp_path / "list.csv", 40, seed=2)
    out = cli.json("import", path, "--campaign", "W48", "--assign", "round-robin", "--managers", "anna,boris")
    assert out["added_to_campaign"] == 40
    managers = [d["manager"] for d in cli.json("deal", "list", "--campaign", "W48")]
    assert managers.count("anna") == managers.count("boris") == 20


def test_help_teaches_with_examples(cli):
    group = cli("import", "--help").stdout
    assert "yoolla import clients.xlsx --dry-run" in group and "--sheets-as-managers" in group
    for command in ("list", "show", "undo"):
        assert command in group
    run = cli("import", "x.xlsx", "--help").stdout
    for option in ("--sheet", "--header-row", "--map", "--encoding", "--delimiter", "--region", "--campaign", "--manager",
                   "--assign", "--update", "--dry-run", "--sheets-as-managers", "--skip-sheet", "--format"):
        assert option in run, option
    assert "Usage: yoolla import [OPTIONS] FILE" in " ".join(run.split()).replace("{FILE}", "FILE")


def _family(pid: int) -> list[int]:
    """The process and its children: the import reads the file in a child process of its own."""
    out = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return out


def _wait_until_reading(proc, path, timeout: float = 30.0) -> None:
    """Until the import (or the child it reads the file in) has the file open: its start-up is
    over, so a SIGINT lands in the import, not in Python importing modules (2 s on a loaded
    machine); then a moment more."""
    if not os.path.isdir(f"/proc/{proc.pid}/fd"):
        time.sleep(2.0)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path)
                   for pid in _family(proc.pid) for fd in os.listdir(f"/proc/{pid}/fd")):
                break
        except OSError:
            pass
        time.sleep(0.02)
    time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_an_import_killed_half_way_leaves_the_database_as_it_was(cli, engine, db_url, tmp_path, how):
    """A crash (SIGKILL) or Ctrl-C (SIGINT) in the middle of a large import: one transaction, nothing kept."""
    cli("campaign", "create", "W48", "--week", "2026-W48")
    path = samples.write_csv(tmp_path / "big.csv", 150_000, seed=4)
    engine.dispose()
    before = dump(engine)
    env = {**os.environ, "YOOLLA_DB": db_url, "YOOLLA_USER": "irina"}
    code = "from yoolla_tui.cli import app; app()"
    proc = subprocess.Popen([sys.executable, "-c", code, "import", str(path), "--campaign", "W48"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_until_reading(proc, path)
    assert proc.poll() is None, "the import finished before it could be interrupted; use a bigger file"
    proc.send_signal(how)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert b"Traceback" not in err
    engine.dispose()
    assert dump(engine) == before
    assert not (tmp_path / "big.rejected.csv").exists()
