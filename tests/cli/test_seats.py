"""`yoolla next`, `yoolla audit`, `yoolla db backup|restore|check`, and the one line a user sees
when the database stays busy (issue 17)."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, Cli, dump
from yoolla_tui.core.kernel import db

TEN = "2026-11-23T10:00:00+03:00"
YOOLLA = str(Path(sys.executable).parent / "yoolla")


@pytest.fixture
def pool(cli):
    """anna and boris; C1..C3 on campaign W48, unassigned: a shared pool."""
    for login in ("anna", "boris"):
        cli("user", "add", login)
    cli("user", "add", "egor", "--role", "executor")
    for i in range(1, 4):
        cli("client", "add", f"C{i}", "--phone", f"+7495100000{i}")
    cli("campaign", "create", "W48", "--week", "2026-W48")
    cli("campaign", "add", "W48", "--clients", "all")
    return cli


@pytest.fixture
def other_db(tmp_path):
    """A second, empty database of the suite's kind (a restore target)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    from tests.loadgen import pg_database

    name = f"{make_url(db.normalise_url(PG_URL)).database}_restore_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    url = pg_database(PG_URL, name)
    yield url
    db.get_engine(url).dispose()
    pg_database(PG_URL, name, drop=True)


needs_pg_tools = pytest.mark.skipif(bool(PG_URL) and not (db.pg_tool("pg_dump") and db.pg_tool("pg_restore")),
                                    reason="pg_dump/pg_restore are not installed")


# ---- next --------------------------------------------------------------------------------------

def test_next_hands_out_the_pool_one_contact_each_then_says_nothing_is_due(pool):
    first = pool.json("next", user="anna", now=TEN)
    assert (first["client"], first["source"], first["manager"]) == ("C1", "pool", None)
    assert first["reserved_until"] == "2026-11-23T10:10:00+03:00"
    assert set(first) >= {"id", "campaign", "client", "phone", "stage", "status", "next_call_at", "version"}
    table = pool("next", user="boris", now=TEN).stdout
    assert "C2" in table and "pool" in table and "yoolla call log 2 --outcome" in table
    pool("call", "log", str(first["id"]), "--outcome", "no_answer", user="anna", now=TEN)
    assert pool.json("deal", "show", str(first["id"]))["manager"] == "anna"
    assert pool.json("next", "--campaign", "W48", user="anna", now=TEN)["client"] == "C3"
    assert pool("next", "--format", "json", user="vera", now=TEN, code=None).exit_code != 0  # no such user
    assert pool("next", "--format", "json", user="irina", now=TEN).stdout.strip() == "null"
    assert pool("next", user="irina", now=TEN).stdout.strip() == "Nothing is due now: your queue and the pool are empty."


def test_next_refuses_an_executor_and_changes_nothing(pool, engine):
    before = dump(engine)
    result = pool("next", user="egor", now=TEN, code=3)
    assert result.stderr.strip() == "Error: egor (executor) may not take contacts from the pool: only admin / supervisor / manager may"
    assert dump(engine) == before


def test_a_call_log_on_a_contact_someone_holds_is_refused(pool, engine):
    deal = pool.json("next", user="anna", now=TEN)
    before = dump(engine)
    result = pool("call", "log", str(deal["id"]), "--outcome", "no_answer", now=TEN, code=5)
    assert result.stderr.strip() == f"Error: deal {deal['id']} is reserved by anna until 2026-11-23 10:10; they are calling it"
    assert dump(engine) == before


# ---- audit -------------------------------------------------------------------------------------

def test_audit_shows_who_changed_what_from_which_value_to_which(pool):
    deal = pool.json("next", user="anna", now=TEN)["id"]
    pool("call", "log", str(deal), "--outcome", "interested", user="anna", now="2026-11-23T10:05:00+03:00")
    pool("deal", "invoice", str(deal), "15000", now="2026-11-23T11:00:00+03:00")
    pool("deal", "invoice", str(deal), "12000", now="2026-11-23T11:30:00+03:00")
    pool("campaign", "move", str(deal), "--to", "boris", now="2026-11-24T09:00:00+03:00")
    rows = pool.json("audit", "--deal", str(deal))
    assert [r["action"] for r in rows] == ["pool.reserve", "pool.take", "deal.stage", "call.log", "deal.invoice",
                                           "deal.stage", "deal.invoice", "deal.move"]
    assert set(rows[0]) == {"id", "at", "user", "action", "entity", "entity_id", "changes", "change", "data"}
    # On PostgreSQL the suite connects as the role mapped to irina: anna's commands are irina's act-as.
    anna = "anna" if pool.url.startswith("sqlite") else "irina as anna"
    assert rows[0]["at"] == "2026-11-23T10:00:00+03:00" and rows[0]["user"] == anna
    assert rows[0]["data"] == {"reserved_until": "2026-11-23T10:10:00+03:00"}  # local time, like every time shown
    assert rows[1]["changes"] == {"manager": {"before": None, "after": "anna"}}
    assert rows[2]["changes"] == {"stage": {"before": "to_call", "after": "agreed"}}
    assert rows[4]["changes"] == {"invoice": {"before": None, "after": "15000.00"}}
    assert rows[5]["change"] == "stage: agreed → invoice_issued"
    assert rows[6]["change"] == "invoice: 15000.00 → 12000.00"
    assert rows[7]["change"] == "manager: anna → boris" and rows[7]["user"] == "irina"
    assert [r["action"] for r in pool.json("audit", "--by", "anna", "--action", "call")] == ["call.log"]
    assert [r["action"] for r in pool.json("audit", "--deal", str(deal), "--since", "2026-11-24")] == ["deal.move"]
    assert [r["action"] for r in pool.json("audit", "--action", "pool.take")] == ["pool.take"]
    table = pool("audit", "--deal", str(deal)).stdout
    assert "manager: anna → boris" in table and "2026-11-24 09:00" in table
    csv_head = pool("audit", "--deal", str(deal), "--format", "csv").stdout.splitlines()[0]
    assert csv_head == "id,at,user,action,entity,entity_id,change,data"


def test_audit_refuses_managers_and_unreadable_times(pool):
    assert pool("audit", user="anna", code=3).stderr.strip() == \
        "Error: anna (manager) may not read the audit trail: only admin / supervisor may"
    assert pool("audit", "--since", "last week", code=2).stderr.strip() == \
        "Error: cannot read --since 'last week': give a date (2026-11-23), today, yesterday, 2h or 3d"
    assert pool("audit", "--by", "nobody", code=4).exit_code == 4


# ---- db check, backup, restore -------------------------------------------------------------------

def test_db_check_passes_on_a_worked_database_and_names_what_it_checked(pool):
    deal = pool.json("next", user="anna", now=TEN)["id"]
    pool("call", "log", str(deal), "--outcome", "no_answer", user="anna", now=TEN)
    rows = pool.json("db", "check")
    assert [r["check"] for r in rows] == ["integrity", "foreign_keys", "schema", "calls_have_deals", "calls_match_clients",
                                          "closed_deals_out_of_queue", "attempts_count_calls", "calls_audited",
                                          "reservations_whole", "report_aggregates", "audit_chain"] + (
                                          ["database_roles"] if PG_URL else [])
    assert all(r["ok"] and r["problems"] == 0 for r in rows)


def test_db_check_fails_loudly_when_counts_disagree(pool, engine):
    deal = pool.json("next", user="anna", now=TEN)["id"]
    pool("call", "log", str(deal), "--outcome", "no_answer", user="anna", now=TEN)
    with engine.begin() as conn:  # what a half-written call log would leave
        conn.execute(text("DELETE FROM audit_record WHERE action = 'call.log'"))
        conn.execute(text("UPDATE deal SET attempts_week = 0"))
    result = pool("db", "check", "--format", "json", code=1)
    failed = {r["check"]: r for r in json.loads(result.stdout) if not r["ok"]}
    assert sorted(failed) == ["attempts_count_calls", "audit_chain", "calls_audited"]  # the deletion shows twice
    assert failed["calls_audited"]["detail"] == "call 1"
    assert result.stderr.strip() == "Error: database check failed: attempts_count_calls, calls_audited, audit_chain"


def test_db_check_finds_report_aggregates_out_of_step_and_repair_recounts_them(pool, engine):
    deal = pool.json("next", user="anna", now=TEN)["id"]
    pool("call", "log", str(deal), "--outcome", "interested", user="anna", now=TEN)
    before = pool.json("report", "daily", now=TEN)
    with engine.begin() as conn:  # what a write around the aggregates would leave
        conn.execute(text("UPDATE tally SET n = n + 5"))
        conn.execute(text("DELETE FROM reach"))
    result = pool("db", "check", "--format", "json", code=1)
    failed = {r["check"]: r for r in json.loads(result.stdout) if not r["ok"]}
    assert sorted(failed) == ["report_aggregates"]
    assert pool("db", "check", "--repair", user="anna", code=3).stderr.startswith("Error: anna (manager) may not repair")
    repaired = pool("db", "check", "--repair", "--format", "json")
    assert all(r["ok"] for r in json.loads(repaired.stdout))
    assert "Recounted the reports' aggregates (2 row(s) were wrong)." in repaired.stderr
    assert pool.json("report", "daily", now=TEN) == before
    assert pool.json("audit", "--action", "db.repair")[-1]["action"] == "db.repair"


@needs_pg_tools
def test_backup_restores_to_an_identical_database(pool, engine, db_url, other_db, tmp_path):
    deal = pool.json("next", user="anna", now=TEN)["id"]
    pool("call", "log", str(deal), "--outcome", "no_answer", user="anna", now=TEN)
    backup = tmp_path / "yoolla.backup"
    out = pool("db", "backup", str(backup)).stdout
    assert out.startswith("Backup of ") and str(backup) in out and backup.stat().st_size > 0
    assert not Path(str(backup) + ".part").exists()
    refused = pool("db", "backup", str(backup), code=5)
    assert refused.stderr.strip() == f"Error: {backup} already exists; give another name or --force to overwrite it"
    pool("db", "backup", str(backup), "--force")

    target = Cli(other_db)
    target("db", "restore", str(backup), user=None)
    restored = db.get_engine(other_db)
    data = lambda e: {t: rows for t, rows in dump(e).items() if t != "audit_record"}  # noqa: E731
    assert data(restored) == data(engine)
    # The trail: the original's as the backup saw it (before its own db.backup record), then the restore's.
    trail = lambda e: [(r[0], r[3]) for r in sorted(dump(e)["audit_record"])]  # noqa: E731
    assert trail(restored)[:-1] == trail(engine)[:-1] and trail(restored)[-1][1] == "db.restore"
    assert all(r["ok"] for r in target.json("db", "check", user=None))
    assert target.json("deal", "show", str(deal))["manager"] == "anna"


@needs_pg_tools
def test_restore_refuses_a_database_with_data_unless_forced(pool, engine, tmp_path):
    backup = tmp_path / "before.backup"
    pool("db", "backup", str(backup))
    deal = pool.json("next", user="anna", now=TEN)["id"]
    pool("call", "log", str(deal), "--outcome", "no_answer", user="anna", now=TEN)
    engine.dispose()
    before = dump(engine)
    refused = pool("db", "restore", str(backup), code=5)
    assert refused.stderr.strip().startswith("Error: the database is not empty (3 deals, 1 calls); restoring replaces all of it")
    assert dump(engine) == before
    pool("db", "restore", str(backup), "--force")
    engine.dispose()
    assert pool.json("deal", "list", "--all") and pool.json("audit", "--action", "call") == []


def test_restore_refuses_a_file_that_is_not_a_backup(pool, tmp_path, other_db):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a database at all" * 100)
    result = Cli(other_db)("db", "restore", str(junk), user=None, code=2)
    assert result.stderr.startswith(f"Error: {junk} is not a Yoolla")
    assert Cli(other_db)("db", "restore", str(tmp_path / "missing"), user=None, code=2).stderr.strip() == \
        f"Error: no backup file {tmp_path / 'missing'}"


@pytest.mark.skipif(bool(PG_URL), reason="SQLite: another process holding the file open")
def test_restore_refuses_a_sqlite_file_another_process_has_open(pool, tmp_path, other_db):
    backup = tmp_path / "b.sqlite"
    pool("db", "backup", str(backup))
    target_path = make_url(other_db).database
    Cli(other_db)("db", "restore", str(backup), user=None)
    holder = subprocess.Popen([sys.executable, "-c", f"import sqlite3, time; c = sqlite3.connect({target_path!r}); "
                               "c.execute('select 1 from user').fetchall(); print('open', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        refused = Cli(other_db)("db", "restore", str(backup), user=None, code=5)
        assert refused.stderr.strip() == ("Error: the database is in use (1 other connections); "
                                          "stop the operators' sessions or add --force")
    finally:
        holder.kill()
        holder.wait()


# ---- busy -------------------------------------------------------------------------------------------

def test_a_database_busy_beyond_the_timeout_is_one_line_and_nothing_written(pool, engine, db_url):
    """Another operator holds the lock longer than YOOLLA_BUSY_TIMEOUT: exit 7, one line, no traceback."""
    deal = pool.json("next", user="anna", now=TEN)["id"]
    engine.dispose()
    before = dump(engine)
    if PG_URL:
        holder = create_engine(db.normalise_url(db_url))
        conn = holder.connect()
        conn.execute(text("SELECT id FROM deal WHERE id = :id FOR UPDATE"), {"id": deal})
    else:
        conn = sqlite3.connect(make_url(db_url).database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    try:
        env = {**os.environ, "YOOLLA_DB": db_url, "YOOLLA_USER": "anna", "YOOLLA_NOW": TEN, "YOOLLA_BUSY_TIMEOUT": "0.5"}
        t0 = time.monotonic()
        done = subprocess.run([YOOLLA, "call", "log", str(deal), "--outcome", "no_answer"], env=env,
                              capture_output=True, text=True, timeout=60)
        assert time.monotonic() - t0 < 20
    finally:
        conn.rollback() if PG_URL else conn.execute("ROLLBACK")
        conn.close()
        if PG_URL:
            holder.dispose()
    assert done.returncode == 7, done.stderr
    assert done.stderr == "Error: the database is busy (another operator is writing); nothing was saved, try again\n"
    assert dump(engine) == before


@pytest.mark.skipif(bool(PG_URL), reason="SQLite: writers queue on a file lock beside the database")
def test_the_writers_queue_never_blocks_a_write_past_the_timeout(pool, engine, db_url):
    """The writers' queue (a file lock beside the database) is only an order of turns: held past the
    busy timeout by someone not writing, the next write goes ahead on SQLite's own lock."""
    import fcntl

    deal = pool.json("next", user="anna", now=TEN)["id"]
    engine.dispose()
    before = dump(engine)
    gate = os.open(make_url(db_url).database + ".writers", os.O_RDWR | os.O_CREAT)
    fcntl.flock(gate, fcntl.LOCK_EX)
    try:
        env = {**os.environ, "YOOLLA_DB": db_url, "YOOLLA_USER": "anna", "YOOLLA_NOW": TEN, "YOOLLA_BUSY_TIMEOUT": "0.5"}
        done = subprocess.run([YOOLLA, "call", "log", str(deal), "--outcome", "no_answer"], env=env,
                              capture_output=True, text=True, timeout=60)
    finally:
        os.close(gate)
    # Nobody holds SQLite's own lock, so after the queue's timeout the write goes through.
    assert done.returncode == 0, done.stderr
    assert dump(engine) != before
