"""Engines, sessions and the schema's version. Every dialect difference lives here.

- SQLite: WAL, foreign keys on, a busy timeout, and `BEGIN IMMEDIATE` so that two writers
  queue instead of failing half-way.
- PostgreSQL: `postgresql+psycopg://…`; row locks through `for_update()`.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from sqlalchemy import Select, create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session

from .errors import BadInput, NotInitialised
from .i18n import _
from .paths import MIGRATIONS_DIR

SQLITE_BUSY_TIMEOUT_MS = 15_000


def normalise_url(url: str) -> str:
    """Accept a bare file path as SQLite; pick psycopg 3 for plain postgresql:// URLs."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@lru_cache(maxsize=16)
def get_engine(url: str) -> Engine:
    """One engine per URL per process."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadInput(_("cannot read database URL {url!r}: expected sqlite:///path or postgresql+psycopg://user:pass@host/db").format(url=url))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _setup_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise BadInput(_("unsupported database {url!r}: use SQLite or PostgreSQL").format(url=url))


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction starts.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        # SQLite's lower() folds only ASCII; ILIKE compiles to lower() LIKE lower(), so Russian
        # names would not match case-insensitively without a Unicode-aware lower().
        dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Take the write lock up front: no deadlock when a reader later wants to write.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def for_update(stmt: Select) -> Select:
    """Lock the selected rows until commit (PostgreSQL); SQLite already holds the write lock."""
    return stmt.with_for_update()


def skip_locked(stmt: Select) -> Select:
    """Rows another transaction holds are skipped: two operators never get the same contact."""
    return stmt.with_for_update(skip_locked=True)


# ---- schema (Alembic owns it) ----------------------------------------------------------------

def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision(engine: Engine) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise BadInput(_("cannot open database {url}: {error}").format(url=safe_url(engine), error=str(exc.orig).strip()))


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to the newest schema; returns (before, after) revisions."""
    from alembic import command

    before = current_revision(engine)
    command.upgrade(alembic_config(engine), "head")
    return before, head_revision(engine)


_REVISION_RE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*['\"]?(\w+)", re.M)


@lru_cache(maxsize=1)
def _head_from_files() -> str | None:
    """The head revision read from the migration files' `revision` / `down_revision` lines
    (None unless exactly one head): what Alembic would say, without importing Alembic, which
    costs every command more than half a second (bench/bench_funnel.py)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(m.groups() for m in _REVISION_RE.finditer(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    """The revision in `alembic_version` (None: no schema yet), read with plain SQL."""
    try:
        if not inspect(engine).has_table("alembic_version"):
            return None
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError as exc:
        raise BadInput(_("cannot open database {url}: {error}").format(url=safe_url(engine), error=str(exc.orig).strip()))


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is not at the newest schema."""
    current = _stored_revision(engine)
    if current is None:
        raise NotInitialised(_("database {url} is not initialised: run `yoolla init --admin LOGIN`").format(url=safe_url(engine)))
    if current != (_head_from_files() or head_revision(engine)):
        raise NotInitialised(_("database {url} has an older schema: run `yoolla db upgrade`").format(url=safe_url(engine)))


def safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()
