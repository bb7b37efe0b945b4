"""Alembic owns the schema: an empty database upgraded to head matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from yoolla_tui.core import db, models  # noqa: F401


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
