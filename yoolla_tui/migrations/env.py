"""Alembic environment: metadata from the models, the engine from the caller (core.db)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from yoolla_tui.core.kernel import models
from yoolla_tui.core.kernel.types import UTCDateTime

target_metadata = SQLModel.metadata


def _render_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("from yoolla_tui.core.kernel.types import UTCDateTime")
        return "UTCDateTime()"
    if type_ == "type" and obj.__class__.__module__.startswith("sqlmodel"):
        autogen_context.imports.add("import sqlmodel")
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
    )


def run_migrations_offline() -> None:
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_item=_render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = context.config.attributes.get("engine") or create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table (copy, drop, rename). With foreign keys on, dropping the
            # old `deal` makes SQLite check every row against every referencing column, some
            # unindexed: hours on 100k deals. SQLite's own advice for a rebuild is to switch the
            # checks off outside the transaction and run foreign_key_check before committing.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows whose references are broken: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
