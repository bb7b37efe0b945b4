"""Restores of foreign or future files, the backup's temporary file, and numbers out of range
(issue 24): one line each, nothing changed; on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.test_seats import needs_pg_tools, other_db, pool  # noqa: F401  (fixtures)
from tests.conftest import PG_URL, Cli, dump
from yoolla_tui.core.kernel import db

TEN = "2026-11-23T10:00:00+03:00"


def refuse(cli, engine, *args, user="irina", now=None) -> str:
    before = dump(engine)
    result = cli(*args, user=user, now=now, code=None)
    assert result.exit_code != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr and "OverflowError" not in result.stderr
    assert dump(engine) == before
    return lines[0]


# ---- restore -----------------------------------------------------------------------------------

@needs_pg_tools
def test_restore_refuses_a_backup_with_a_newer_schema(pool, engine, other_db, tmp_path):
    with engine.begin() as conn:
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    backup = str(tmp_path / "future.backup")
    db.backup_to(engine, backup)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
    target = Cli(other_db)
    db.upgrade(db.get_engine(other_db))  # an empty database at this schema (`db upgrade` makes none where there is no file)
    restored = db.get_engine(other_db)
    line = refuse(target, restored, "db", "restore", backup, user=None)
    assert "schema 9999, newer than this release" in line


@needs_pg_tools
def test_restore_refuses_a_file_without_yoollas_tables(pool, engine, other_db, tmp_path):
    backup = str(tmp_path / "foreign.backup")
    if PG_URL:
        url, env = db._libpq(engine)
        db._run_tool([db.pg_tool("pg_dump"), "--format=custom", "--no-owner", "--table=alembic_version", "--file", backup,
                      "--dbname", url], env)
    else:
        import sqlite3

        conn = sqlite3.connect(backup)
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("INSERT INTO alembic_version VALUES ('0001')")
        conn.commit()
        conn.close()
    target = Cli(other_db)
    db.upgrade(db.get_engine(other_db))  # an empty database at this schema (`db upgrade` makes none where there is no file)
    line = refuse(target, db.get_engine(other_db), "db", "restore", backup, user=None)
    assert "is not a Yoolla backup: it has no" in line and "client" in line


@needs_pg_tools
def test_backup_never_writes_through_a_part_symlink(pool, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "b.backup"
    os.symlink(victim, str(target) + ".part")
    pool("db", "backup", str(target))
    assert victim.read_text() == "precious"
    assert target.stat().st_size > 0 and not Path(str(target) + ".part").exists()


# ---- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("deal", "show", "99999999999999999999"),
    ("call", "log", "1", "--outcome", "call_back", "--next-call", "+99999999d"),
    ("deal", "pay", "1", "100", "--at", "+99999999d"),
])
def test_huge_numbers_give_one_line(pool, engine, args):
    refuse(pool, engine, *args, user="anna", now=TEN)


@pytest.mark.parametrize("args", [("deal", "list", "--limit", "99999999999999999999"),
                                  ("client", "list", "--offset", "99999999999999999999")])
def test_huge_paging_options_are_usage_errors(pool, engine, args):
    """Out of range like any bad option: Click's usage error naming it (exit 2), no traceback."""
    result = pool(*args, code=2)
    assert "9223372036854775807" in " ".join(result.stderr.split()) and "Traceback" not in result.stderr


def test_since_far_back_lists_everything(pool):
    assert pool.json("audit", "--since", "99999999999d") == pool.json("audit")


@pytest.mark.parametrize("amount", ["1e9", "１０００", "١٠٠٠", "1_000", "0x10", "NaN", "Infinity"])
def test_odd_amounts_are_refused(pool, engine, amount):
    deal = pool.json("next", user="anna", now=TEN)["id"]
    line = refuse(pool, engine, "deal", "invoice", str(deal), amount, user="anna", now=TEN)
    assert "is not an amount" in line


def test_payment_dated_years_before_the_deal_is_refused(pool, engine):
    deal = pool.json("next", user="anna", now=TEN)["id"]
    pool("deal", "invoice", str(deal), "5000", user="anna", now=TEN)
    option = "--at"
    line = refuse(pool, engine, "deal", "pay", str(deal), "5000", option, "2019-01-10", user="anna", now=TEN)
    assert "before deal" in line
    pool("deal", "pay", str(deal), "5000", option, "2026-11-23", user="anna", now=TEN)
