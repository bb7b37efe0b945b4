"""Alembic owns the schema: an empty database upgraded to head matches the models exactly."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from yoolla_tui.core.kernel import db, models


def test_upgrade_empty_database_matches_models(engine):
    assert db.current_revision(engine) == db.head_revision(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_upgrade_twice_is_a_no_op(engine):
    before = db.current_revision(engine)
    assert db.upgrade(engine) == (before, before)


def test_commands_refuse_an_uninitialised_database(tmp_path):
    from tests.conftest import Cli

    cli = Cli(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    result = cli("client", "list", code=6)
    assert "is not initialised: run `yoolla init --admin LOGIN`" in result.stderr


def test_upgrading_a_database_with_deals_keeps_them_and_the_foreign_key_checks(engine, admin):
    """Batch rebuilds of `deal` run with SQLite's foreign-key checks off (hours on 100k deals
    otherwise) and must leave every row, and the checks back on for the next connection."""
    from alembic import command
    from sqlalchemy import text

    from tests.core.world import at, build
    from yoolla_tui.core.calls import campaigns, deals
    from yoolla_tui.core.kernel import clock

    with db.session_scope(engine) as session:
        w = build(session, n_clients=5)
        first = deals.list_deals(session=session, actor=w.irina)[0]["id"]
        with clock.frozen(at("2026-11-23 10:00")):
            deals.log_call(session=session, actor=w.irina, deal_id=first, outcome="interested")
            deals.invoice(session=session, actor=w.irina, deal_id=first, amount="100")
        with clock.frozen(at("2026-11-30 08:00")):
            campaigns.rollover(session=session, actor=w.irina, ref="W48", week="2026-W49")
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in ("deal", "audit_record", "client")}
    assert (counts["deal"], counts["client"]) == (10, 5)
    cfg = db.alembic_config(engine)
    command.downgrade(cfg, "0003")
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        assert {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in counts} == counts
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert db.current_revision(engine) == db.head_revision(engine)


def test_a_database_made_by_the_previous_release_upgrades_and_keeps_every_row(tmp_path):
    """tests/fixtures/release-0.1-demo.sqlite is `yoolla demo --no-dashboard` made by the release
    before the core was split into packages (revision 0006, 300 deals, 325 calls). Upgrading it
    to head keeps every row, and the everyday commands read it."""
    import shutil

    from sqlalchemy import text

    from tests.conftest import Cli

    path = tmp_path / "old.sqlite"
    shutil.copy(Path(__file__).parents[1] / "fixtures" / "release-0.1-demo.sqlite", path)
    engine = db.get_engine(f"sqlite:///{path}")
    tables = ("client", "campaign", "deal", "call", "payment", "audit_record", "user")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"
        before = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
    assert before["deal"] == 300 and before["call"] == 325
    db.upgrade(engine)
    with engine.connect() as conn:
        after = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        assert conn.execute(text("SELECT count(*) FROM call WHERE deal_id NOT IN (SELECT id FROM deal)")).scalar() == 0
        still_open = conn.execute(text("SELECT count(*) FROM deal WHERE closed_at IS NULL")).scalar()
    assert db.current_revision(engine) == db.head_revision(engine)
    assert {t: after[t] for t in tables if t != "audit_record"} == {t: before[t] for t in tables if t != "audit_record"}
    assert after["audit_record"] >= before["audit_record"]
    engine.dispose()
    db.get_engine.cache_clear()
    cli = Cli(f"sqlite:///{path}")
    weekly = cli.json("report", "weekly", user="admin", now="2026-11-25T12:00:00+03:00")
    assert weekly, "the weekly report of the upgraded demo is empty"
    deals = cli.json("deal", "list", "--all", user="admin", now="2026-11-25T12:00:00+03:00")
    assert len(deals) == still_open and still_open > 200
