"""Files say what they are, and errors a person can act on (issue 25).

`--out FILE` writes the format its extension names (or refuses a contradiction, writing nothing),
says on stderr what it wrote, and the file gets the user's umask; a user's situation (a missing
folder, a full disk, a closed pipe, a date not on the calendar, a payment above the invoice, a
database that is not there, --user after the command, a failed restore) is one line on stderr
and a non-zero exit, never a traceback, with nothing changed."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import PG_URL, dump
from tests.fixtures import sheets
from yoolla_tui.core.kernel import db

YOOLLA = shutil.which("yoolla", path=str(Path(sys.executable).parent)) or str(Path(sys.executable).parent / "yoolla")
NOW = "2026-11-24T13:00:00+03:00"


@pytest.fixture
def week(cli):
    """A campaign with a long name (its sheet names must be shortened), two managers, a few calls."""
    cli("user", "add", "anna", "--supervisor", "irina")
    cli("user", "add", "boris", "--supervisor", "irina")
    for i in range(1, 5):
        cli("client", "add", f"C{i}", "--phone", f"+749510000{i:02d}")
    name = "Семинар для руководителей отделов продаж 2026-W48"
    cli("campaign", "create", name, "--week", "2026-W48")
    cli("campaign", "add", name)
    cli("campaign", "assign", name, "--managers", "anna,boris", "--strategy", "round-robin")
    ids = [r["id"] for r in cli.json("deal", "list")]
    cli("call", "log", ids[0], "--outcome", "interested", user="anna", now="2026-11-23T10:00:00+03:00")
    cli("call", "log", ids[1], "--outcome", "refused", "--reason", "not_interested", user="boris",
        now="2026-11-23T10:00:00+03:00")
    return {"campaign": name, "ids": ids}


@pytest.fixture
def folder(tmp_path):
    """A folder for the files a test writes (the test database lives in tmp_path, beside it)."""
    made = tmp_path / "files"
    made.mkdir()
    return made


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# ---- --out picks the format, refuses a contradiction, says what it wrote ------------------------

def test_out_xlsx_without_format_writes_a_workbook_with_the_users_umask(cli, week, folder):
    out = folder / "rep.xlsx"
    with umask(0o002):
        result = cli("report", "weekly", "--week", "2026-W48", "--out", out, now=NOW)
    assert result.stderr == "Wrote {} (weekly report, 5 sheets)\n".format(out)
    assert result.stdout == ""
    book = load_workbook(out)
    assert len(book.sheetnames) == 5 and book.sheetnames[1:] == ["Funnel", "Calendar plan", "Ranking",
                                                                  "Change against last week"]
    assert out.stat().st_mode & 0o777 == 0o664  # 0666 less the umask, as any file; not mkstemp's 0600
    with umask(0o027):
        cli("report", "weekly", "--week", "2026-W48", "--out", folder / "private.xlsx", now=NOW)
    assert (folder / "private.xlsx").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in folder.iterdir()) == ["private.xlsx", "rep.xlsx"]  # no temporary left


def test_sheet_names_are_shortened_by_whole_words_without_a_cut_bracket(cli, week, folder):
    out = folder / "rep.xlsx"
    cli("report", "weekly", "--campaign", week["campaign"], "--out", out, now=NOW)
    names = load_workbook(out).sheetnames
    first = names[0]
    assert len(first) <= 31 and first.endswith("…")
    assert first.count("(") == first.count(")")  # "Week 2026-W48 (Семинар для" would be a cut bracket
    assert first.startswith("Week 2026-W48")
    assert len({n.lower() for n in names}) == len(names)


@pytest.mark.parametrize("suffix", [".csv", ".md", ".json"])
def test_out_extension_names_the_text_format(cli, week, folder, suffix):
    out = folder / f"daily{suffix}"
    result = cli("report", "daily", "--date", "2026-11-23", "--out", out, now=NOW)
    assert result.stderr.startswith(f"Wrote {out} (daily report, ")
    text = out.read_text(encoding="utf-8")
    if suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["manager"] for r in rows][:2] == ["anna", "boris"] and rows[0]["calls"] == "1"
        assert result.stderr.endswith("3 rows)\n")  # anna, boris, TOTAL
    elif suffix == ".json":
        assert json.loads(text)[0]["manager"] == "anna"
        assert result.stderr.endswith("json)\n")
    else:
        assert text.startswith("## Daily report\n\n| manager |")


def test_a_contradiction_is_refused_and_nothing_is_written(cli, week, folder):
    out = folder / "x.xlsx"
    result = cli("report", "weekly", "--format", "csv", "--out", out, code=2, now=NOW)
    assert result.stderr == (f"Error: --format csv contradicts --out {out} (a .xlsx name): drop --format or name "
                             "the file x.csv\n")
    assert not out.exists() and list(folder.iterdir()) == []


def test_campaign_export_refuses_a_csv_name_and_writes_a_workbook(cli, week, folder):
    refused = cli("campaign", "export", week["campaign"], "--out", folder / "w.csv", code=2)
    assert refused.stderr == f"Error: {folder / 'w.csv'}: this command writes xlsx, not csv: name the file w.xlsx\n"
    assert list(folder.iterdir()) == []
    out = folder / "w.xlsx"
    with umask(0o022):
        result = cli("campaign", "export", week["campaign"], "--out", out)
    assert result.stderr == f"Wrote {out} (campaign '{week['campaign']}', 4 deals, 3 sheets)\n"
    assert load_workbook(out).sheetnames == ["anna", "boris", "Итоги"]
    assert out.stat().st_mode & 0o777 == 0o644


def test_a_document_copy_named_as_another_format_is_refused(cli, week, engine, folder):
    cli("company", "set", "--name", "ООО Юлла")
    before = dump(engine)
    result = cli("deal", "document", week["ids"][0], "proposal", "--out", folder / "offer.xlsx", user="anna", code=2)
    assert result.stderr == f"Error: {folder / 'offer.xlsx'}: this command writes docx, not xlsx: name the file offer.docx\n"
    assert dump(engine) == before and list(folder.iterdir()) == []
    with umask(0o002):
        cli("deal", "document", week["ids"][0], "proposal", "--out", folder / "offer.docx", user="anna")
    assert (folder / "offer.docx").stat().st_mode & 0o777 == 0o664


@pytest.mark.parametrize("command", [["report", "lost"], ["report", "checkpoints"], ["report", "efficiency"],
                                     ["report", "processes"], ["report", "funnel"], ["report", "managers"]])
def test_every_report_takes_every_format_and_out(cli, week, folder, command):
    for fmt in ("table", "md", "csv", "json"):
        assert cli(*command, "--format", fmt, now=NOW).stdout
    out = folder / "r.xlsx"
    result = cli(*command, "--out", out, now=NOW)
    assert result.stderr.startswith(f"Wrote {out} (") and result.stderr.endswith("1 sheet)\n")
    assert len(load_workbook(out).sheetnames) == 1
    md = folder / "r.md"
    cli(*command, "--out", md, now=NOW)
    assert md.read_text(encoding="utf-8").startswith("## ")


def test_lost_report_csv_to_a_file(cli, week, folder):
    out = folder / "lost.csv"
    cli("report", "lost", "--out", out, now=NOW)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"by", "code", "name", "count", "share"} <= set(rows[0]) and any(r["code"] == "not_interested" for r in rows)


# ---- writing files: a missing folder, a folder, a read-only file, a full disk -------------------

def test_out_into_a_missing_folder_is_one_line(cli, week, folder):
    out = folder / "nowhere" / "rep.md"
    result = cli("report", "weekly", "--out", out, code=1, now=NOW)
    assert result.stderr == f"Error: cannot write {out}: folder {out.parent} does not exist\n"
    assert not out.parent.exists()
    result = cli("campaign", "export", week["campaign"], "--out", folder / "nowhere" / "w.xlsx", code=1)
    assert result.stderr.startswith("Error: cannot write ") and "Traceback" not in result.stderr


def test_out_onto_a_folder_is_one_line(cli, week, folder):
    (folder / "rep.csv").mkdir()
    result = cli("report", "daily", "--out", folder / "rep.csv", code=1, now=NOW)
    assert result.stderr == f"Error: cannot write {folder / 'rep.csv'}: it is a folder\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_out_into_a_read_only_folder_is_one_line_and_keeps_the_old_file(cli, week, folder):
    folder = folder / "ro"
    folder.mkdir()
    (folder / "rep.md").write_text("old\n")
    folder.chmod(0o555)
    try:
        result = cli("report", "weekly", "--out", folder / "rep.md", code=1, now=NOW)
    finally:
        folder.chmod(0o755)
    assert result.stderr == f"Error: cannot write {folder / 'rep.md'}: Permission denied\n"
    assert (folder / "rep.md").read_text() == "old\n" and [p.name for p in folder.iterdir()] == ["rep.md"]


def _run(shell: str, cli, **env) -> subprocess.CompletedProcess:
    """The installed `yoolla` in a real shell, as a person types it."""
    full = {**os.environ, "YOOLLA_DB": cli.url, "YOOLLA_USER": "irina", "YOOLLA_NOW": NOW, **env}
    return subprocess.run(["bash", "-c", "set -o pipefail; " + shell], env=full, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_is_one_line_not_a_traceback(cli, week):
    piped = _run(f"{YOOLLA} client list --format csv > /dev/full", cli)
    assert piped.returncode == 1
    assert piped.stderr == "Error: cannot write standard output: No space left on device\n"
    table = _run(f"{YOOLLA} deal list > /dev/full", cli)
    assert table.returncode == 1 and "Traceback" not in table.stderr and table.stderr.startswith("Error: ")
    out = _run(f"{YOOLLA} report weekly --out /dev/full", cli)
    assert out.returncode == 1 and out.stderr == "Error: cannot write /dev/full: No space left on device\n"


def test_a_closed_pipe_ends_quietly(cli, folder):
    many = sheets.text(folder / "many.csv", [["Организация", "Телефон"]] +
                       [[f"ООО Клиент {i}", f"+7495{2000000 + i}"] for i in range(3000)])
    cli("import", many)
    for command in ("client list --format csv", "client list --format json", "client list --all",
                    "audit --format csv"):
        done = _run(f"{YOOLLA} {command} | head -1", cli)
        assert len(done.stdout.splitlines()) == 1, command
        assert "Traceback" not in done.stderr and done.stderr == "", (command, done.stderr)
        assert done.returncode in (0, 1), command


# ---- dates, payments ----------------------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    (["report", "daily", "--date", "2026-11-31"], "2026-11-31 is not a date: November has 30 days"),
    (["report", "daily", "--date", "2027-02-29"], "2027-02-29 is not a date: February 2027 has 28 days"),
    (["report", "efficiency", "--since", "2026-13-01"], "2026-13-01 is not a date: there is no month 13 (months are 01 to 12)"),
    (["audit", "--since", "2026-04-31"], "2026-04-31 is not a date: April has 30 days"),
    (["deal", "set", "1", "--close-by", "2026-06-31"], "2026-06-31 is not a date: June has 30 days"),
    (["call", "log", "1", "--outcome", "call_back", "--next-call", "2026-11-31 10:00"],
     "2026-11-31 is not a date: November has 30 days"),
])
def test_a_date_not_on_the_calendar_says_why(cli, week, engine, args, message):
    before = dump(engine)
    result = cli(*args, code=2, now=NOW)
    assert result.stderr == f"Error: {message}\n"
    assert dump(engine) == before


def test_a_payment_above_the_invoice_needs_over(cli, week, engine):
    deal = week["ids"][0]
    cli("deal", "invoice", deal, "15000", user="anna", now=NOW)
    before = dump(engine)
    refused = cli("deal", "pay", deal, "30000.50", user="anna", now=NOW, code=5)
    assert refused.stderr == (f"Error: 30000.50 is more than the 15000.00 still unpaid on deal {deal}'s invoice of "
                              "15000.00: check the amount, or record it anyway with --over\n")
    assert dump(engine) == before
    cli("deal", "pay", deal, "10000", user="anna", now=NOW)
    refused = cli("deal", "pay", deal, "6000", user="anna", now=NOW, code=5)
    assert "the 5000.00 still unpaid" in refused.stderr
    done = cli("deal", "pay", deal, "6000", "--over", user="anna", now=NOW)
    assert done.stdout.startswith(f"Deal {deal}: 6000.00 recorded; paid 16000.00 on an invoice of 15000.00.\n")
    card = cli.json("deal", "show", deal, user="anna", now=NOW)
    assert [p["amount"] for p in card["payments"]] == ["10000.00", "6000.00"] and card["stage"] == "paid"
    record = [r for r in cli.json("audit", "--deal", deal, "--action", "deal.pay") if r["data"].get("over_cents")]
    assert record and record[0]["data"]["over_cents"] == 100000


# ---- the database must be there; init needs its admin ---------------------------------------------

def test_a_database_that_is_not_there_is_refused_and_not_created(cli, folder):
    missing = folder / "nowhere" / "yoolla.sqlite"
    for args in (["deal", "list"], ["db", "status"], ["db", "upgrade"], ["db", "check"], ["db", "backup", folder / "b"],
                 ["report", "weekly"]):
        result = cli(*args, code=6, env={"YOOLLA_DB": str(missing)})
        assert result.stderr == f"Error: no database at {missing} (create one with yoolla init --admin LOGIN)\n", args
    result = cli("--db", f"sqlite:///{missing}", "client", "list", code=6, env={"YOOLLA_DB": ""})
    assert "no database at" in result.stderr
    assert not missing.parent.exists() and list(folder.iterdir()) == []


def test_init_without_admin_on_a_new_database_is_an_error(cli, folder):
    new = folder / "new.sqlite"
    result = cli("init", user=None, code=2, env={"YOOLLA_DB": str(new)})
    assert result.stderr == "Error: a new database needs its first admin: yoolla init --admin LOGIN\n"
    assert list(folder.iterdir()) == []
    made = cli("init", "--admin", "olga", user=None, env={"YOOLLA_DB": str(new)})
    assert "created" in made.stdout and new.exists()
    db.get_engine(f"sqlite:///{new}").dispose()


# ---- --user after the command ---------------------------------------------------------------------

def test_user_after_the_command_acts_as_before_it(cli, week):
    before = cli("--user", "anna", "deal", "list", "--format", "json", user="irina").stdout
    after = cli("deal", "list", "--user", "anna", "--format", "json", user="irina").stdout
    assert after == before and len(json.loads(after)) == 2  # anna's two deals, not irina's four
    short = cli("deal", "list", "-u", "anna", "--format", "json", user="irina").stdout
    assert short == before
    assert cli("--user", "anna", "campaign", "list", "--user", "irina", "--format", "json", user="irina").stdout


@pytest.mark.parametrize("args,new", [(["health"], "--manager"), (["audit"], "--by"), (["task", "queue"], "--of"),
                                      (["mail", "set", "--host", "x"], "--login")])
def test_a_commands_own_user_option_was_renamed_and_says_so(cli, week, engine, args, new):
    before = dump(engine)
    result = cli(*args, "--user", "anna", code=2)
    command = " ".join(a for a in args if not a.startswith("--") and a != "x")
    assert result.stderr.startswith(f"Error: `{command} --user` (")
    assert f"is now `{command} {new} LOGIN`; to act as someone: yoolla --user LOGIN {command}\n" in result.stderr
    assert dump(engine) == before


def test_health_manager_is_whose_deals(cli, week):
    rows = cli.json("health", "--manager", "anna", now=NOW)
    assert rows and all(r["deal_id"] in week["ids"] for r in rows)


# ---- restore and backup leave nothing behind when they fail --------------------------------------

def test_a_failed_restore_into_a_new_file_leaves_nothing(cli, folder):
    target = folder / "new" / "deeper" / "restored.sqlite"
    not_a_backup = folder / "notes.txt"
    not_a_backup.write_text("hello\n")
    result = cli("db", "restore", not_a_backup, code=2, env={"YOOLLA_DB": str(target)})
    assert result.stderr == f"Error: {not_a_backup} is not a Yoolla SQLite backup\n"
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]  # no folder, file, -wal, -shm, lock
    if PG_URL:
        return  # the suite's backup is a pg_dump then, not one a SQLite file restores
    backup = folder / "good.sqlite"
    cli("db", "backup", backup)
    cli("db", "restore", backup, env={"YOOLLA_DB": str(target)})
    assert target.exists()
    db.get_engine(f"sqlite:///{target}").dispose()


def test_a_failed_pg_dump_leaves_no_part_file(folder, monkeypatch):
    engine = db.get_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(db, "_require_pg_tool", lambda name: shutil.which("false"))
    target = folder / "b.dump"
    from yoolla_tui.core.kernel.errors import BadInput
    from yoolla_tui.core.maintenance import backup

    with pytest.raises(BadInput, match="false failed"):
        backup.backup(engine, str(target))
    assert list(folder.iterdir()) == []


def test_a_killed_writers_temporary_file_is_swept_by_the_next_write(cli, tmp_path):
    """A writer killed with SIGKILL cannot remove its `.NAME.PID.xxxx.part`; the next write of the
    same name removes it (its process is gone), and leaves a live writer's file alone."""
    import os
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that has exited
    dead = tmp_path / f".daily.csv.{gone.pid}.abc123.part"
    dead.write_text("half a report")
    live = tmp_path / f".daily.csv.{os.getppid()}.def456.part"
    live.write_text("another process is writing")
    cli("report", "daily", "--out", str(tmp_path / "daily.csv"))
    assert (tmp_path / "daily.csv").exists()
    assert not dead.exists()
    assert live.exists()
