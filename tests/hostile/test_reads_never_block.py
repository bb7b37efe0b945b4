"""Long reads (campaign export, listings, reports) never hold the write lock: an operator's call
log completes while they run, on SQLite (WAL read snapshot) and PostgreSQL (READ ONLY)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from tests.core import world
from yoolla_tui.core.calls import deals
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Call
from yoolla_tui.core.people import users


@pytest.fixture
def w(engine, admin):
    with db.session_scope(engine) as session:
        built = world.build(session, n_clients=6)
        return {"deals": world.deal_ids(session, built.irina, "W48")}


def _log_call(engine, deal_id: int) -> None:
    with db.session_scope(engine) as session:
        anna = users.get_by_login(session, "anna")
        deals.log_call(session=session, actor=anna, deal_id=deal_id, outcome="no_answer")


def test_call_log_completes_while_campaign_export_runs(cli, engine, w, tmp_path, monkeypatch):
    """The export's first row triggers anna's call log on another connection: with the export
    holding the write lock it would wait out the busy timeout and fail; now it commits at once."""
    from yoolla_tui.cli import campaigns as cli_campaigns

    monkeypatch.setenv("YOOLLA_BUSY_TIMEOUT", "1")
    db.get_engine.cache_clear()
    logged = []

    @contextmanager
    def progress():
        def tick(_n):
            if not logged:
                _log_call(db.get_engine(engine.url.render_as_string(hide_password=False)), w["deals"]["C1"])
                logged.append(True)
        yield tick, (lambda _n: None)

    monkeypatch.setattr(cli_campaigns, "_progress", progress)
    cli("campaign", "export", "W48", "--out", str(tmp_path / "w48.xlsx"))
    assert logged == [True]
    with db.session_scope(engine) as session:
        assert session.scalar(select(func.count(Call.id)).where(Call.deal_id == w["deals"]["C1"])) == 1


def test_read_snapshot_refuses_to_write(engine, w):
    """A read scope is read-only: a service that tried to write there would fail, not queue others."""
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError):
        with db.read_scope(engine) as session:
            anna = users.get_by_login(session, "anna")
            deals.log_call(session=session, actor=anna, deal_id=w["deals"]["C1"], outcome="no_answer")
    with db.session_scope(engine) as session:
        assert session.scalar(select(func.count(Call.id))) == 0


def test_listing_open_does_not_block_a_writer(engine, w):
    """A listing's snapshot is open (its first rows read) while anna logs a call and commits."""
    with db.read_scope(engine) as session:
        anna = users.get_by_login(session, "anna")
        before = deals.list_deals(session=session, actor=anna)
        _log_call(engine, w["deals"]["C1"])
        assert before
    with db.session_scope(engine) as session:
        assert session.scalar(select(func.count(Call.id))) == 1


@pytest.mark.skipif(bool(__import__("os").environ.get("YOOLLA_TEST_DB")),
                    reason="SQLite's one write lock; PostgreSQL's inserts do not block other writers")
def test_import_dry_run_never_takes_the_write_lock(cli, engine, w, tmp_path, monkeypatch, repo_root):
    """`import --dry-run` works in a private copy of the database: with another operator holding the
    write lock for longer than the busy timeout it still answers, and the database is unchanged."""
    import sqlite3

    from tests.conftest import dump

    monkeypatch.setenv("YOOLLA_BUSY_TIMEOUT", "1")
    db.get_engine.cache_clear()
    before = dump(engine)
    writer = sqlite3.connect(engine.url.database, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")  # an operator's write in progress
    try:
        result = cli.json("import", str(repo_root / "yoolla_tui/data/demo/clients.xlsx"), "--dry-run",
                          "--campaign", "W48", "--format", "json")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result["dry_run"] is True
    # 327 rows: 19 repeat another row of the file, 8 are rejected, the other 300 would be new clients
    assert (result["read"], result["inserted"], result["rejected"]) == (327, 300, 8)
    assert dump(engine) == before


@pytest.mark.skipif(bool(__import__("os").environ.get("YOOLLA_TEST_DB")),
                    reason="SQLite's one write lock; PostgreSQL readers never wait for writers")
@pytest.mark.parametrize("args", [("deal", "list"), ("client", "list"), ("report", "weekly", "--format", "json"),
                                  ("audit", "--limit", "5"), ("user", "list")])
def test_reads_answer_while_another_operator_holds_the_write_lock(cli, engine, w, monkeypatch, args):
    """Every command checks the schema first; that check, like the read itself, is a read snapshot:
    a writer holding SQLite's lock past the busy timeout does not make a listing fail."""
    import sqlite3

    monkeypatch.setenv("YOOLLA_BUSY_TIMEOUT", "1")
    db.get_engine.cache_clear()
    writer = sqlite3.connect(engine.url.database, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    try:
        cli(*args)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
