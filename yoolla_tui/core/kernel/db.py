"""Engines, sessions and the schema's version. Every dialect difference lives here.

- SQLite: WAL, foreign keys on, a busy timeout, and `BEGIN IMMEDIATE` so that two writers
  queue instead of failing half-way; writers take turns on a lock file first (`_enter_gate`),
  which keeps the slowest wait close to the typical one.
- PostgreSQL: `postgresql+psycopg://…`; row locks through `for_update()`, a lock timeout.
- Waiting longer than the timeout on another operator's lock becomes one `Busy` error, after a
  rollback (`session_scope`): nothing half-written, no driver message reaching a user.
- Integrity checks, backup and restore: the SQLite online backup API, or pg_dump/pg_restore.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from sqlalchemy import Select, create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

from yoolla_tui.core.kernel.errors import BadInput, Busy, DatabaseReplaced, NotInitialised, PermissionDenied
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.paths import MIGRATIONS_DIR

SQLITE_BUSY_TIMEOUT_MS = 15_000


def busy_timeout_ms() -> int:
    """How long a write waits for another operator's (YOOLLA_BUSY_TIMEOUT seconds, default 15)."""
    import os

    value = os.environ.get("YOOLLA_BUSY_TIMEOUT")
    try:
        return int(float(value) * 1000) if value else SQLITE_BUSY_TIMEOUT_MS
    except ValueError:
        raise BadInput(_("YOOLLA_BUSY_TIMEOUT takes seconds, e.g. 15, not {value!r}").format(value=value))


def normalise_url(url: str) -> str:
    """Accept a bare file path as SQLite; pick psycopg 3 for plain postgresql:// URLs."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_file(url: str):
    """The file of a SQLite URL (a Path), or None for PostgreSQL, :memory: or a URL that does not parse."""
    from pathlib import Path

    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def database_exists(url: str) -> bool:
    """False only for a SQLite file that is not there (a server database is asked when connecting)."""
    path = sqlite_file(url)
    return path is None or path.exists()


def require_exists(url: str) -> None:
    """Refuse a SQLite file that is not there, before anything creates it (an empty file, a lock
    file, a folder): only `init`, `demo` and `db restore` make a database."""
    if not database_exists(url):
        raise NotInitialised(_("no database at {path} (create one with yoolla init --admin LOGIN)").format(
            path=sqlite_file(url)))


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
            _create_shared(Path(parsed.database).expanduser())
        timeout_ms = busy_timeout_ms()
        engine = create_engine(url, connect_args={"timeout": timeout_ms / 1000})
        _setup_sqlite(engine, timeout_ms)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # A row lock held longer than the busy timeout fails (55P03, mapped to Busy), never hangs.
        return create_engine(url, pool_pre_ping=True, connect_args={"options": f"-c lock_timeout={busy_timeout_ms()}",
                                                                    "application_name": _application_name()})
    raise BadInput(_("unsupported database {url!r}: use SQLite or PostgreSQL").format(url=url))


def forget_engine(url: str) -> None:
    """Close the engine of `url` and forget every cached engine (a database file removed after a
    failed restore must not be found again through a stale engine)."""
    try:
        get_engine(url).dispose()
    finally:
        get_engine.cache_clear()


def _create_shared(path) -> None:
    """Create a new SQLite file as 0666 less the umask (SQLite itself makes it 0644 whatever the
    umask): with umask 002 in a setgid folder the whole group can write it; SQLite gives its -wal
    and -shm files the database file's mode."""
    import os

    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except (FileExistsError, OSError):
        pass  # there already, or a folder we cannot write: SQLite reports that itself


def _application_name() -> str:
    """How this process shows in pg_stat_activity (`other_sessions` leaves its own connections out)."""
    import os

    return f"yoolla-{os.getpid()}"


def _setup_sqlite(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction starts.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        # SQLite's lower() folds only ASCII; ILIKE compiles to lower() LIKE lower(), so Russian
        # names would not match case-insensitively without a Unicode-aware lower().
        dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)
        if db_path is not None and "identity" not in identity:
            identity["identity"] = file_identity(db_path)

    db_path = engine.url.database if engine.url.database not in (None, "", ":memory:") else None
    identity: dict = {}
    engine.dialect.yoolla_identity = identity  # check_identity reads it (option engines share the dialect)
    gate_path = f"{engine.url.database}.writers" if engine.url.database not in (None, "", ":memory:") else None

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if db_path is not None:
            _require_same_file(db_path, identity.get("identity"))
        if conn.get_execution_options().get(READ_OPTION):
            # A read: a deferred transaction sees one snapshot (WAL) and takes no write lock, so a
            # long export never makes an operator's call log wait.
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql("PRAGMA query_only=1")
            conn.connection.info["query_only"] = True
            return
        waited_out = gate_path is not None and not _enter_gate(conn.connection.info, gate_path, timeout_ms)
        if waited_out:  # the whole timeout went on the gate: one last short try, then Busy
            conn.exec_driver_sql("PRAGMA busy_timeout=200")
        # Take the write lock up front: no deadlock when a reader later wants to write.
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _leave_gate(conn.connection.info)
            raise
        finally:
            if waited_out:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={timeout_ms}")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn):
        if conn.invalidated:  # interrupted mid-statement: the pool's invalidate/close releases it
            return
        if conn.connection.info.pop("query_only", False):
            conn.exec_driver_sql("PRAGMA query_only=0")
        _leave_gate(conn.connection.info)

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_conn, record, _exc):
        _leave_gate(record.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):
        _leave_gate(record.info)  # never keep the gate past the connection's use

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_conn, record):
        _leave_gate(record.info)
        fd = record.info.pop("gate_fd", None)
        if fd is not None:
            import os

            os.close(fd)


def _enter_gate(info: dict, path: str, timeout_ms: int) -> bool:
    """Queue writers on a file lock polled every millisecond before SQLite's own lock.

    SQLite's busy handler sleeps up to 100 ms between tries, so with many writers a waiter can
    lose the race again and again (the slowest call log waited seconds). Here a waiter retries
    every millisecond; the lock dies with its process. Returns False when the busy timeout ran
    out first (the caller then gives SQLite one short last try).
    """
    import os
    import time as _time

    try:
        import fcntl
    except ImportError:  # not a POSIX system: SQLite's own busy handler alone
        return True
    fd = info.get("gate_fd")
    if fd is None:
        fd = info["gate_fd"] = _open_gate(path)
    deadline = _time.monotonic() + timeout_ms / 1000
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            info["gate_held"] = True
            return True
        except BlockingIOError:
            if _time.monotonic() >= deadline:
                return False
            _time.sleep(0.001)


def _open_gate(path: str) -> int:
    """The writers' lock file, shared by everyone who may write the database.

    Created with the umask's permissions (0666 & ~umask) and, in a setgid folder, the folder's
    group, like the database SQLite creates beside it; a user who may only read it still reads
    the database (flock works on a read-only descriptor). A lock file nobody can open at all is
    one clear error naming the file and the fix.
    """
    import os

    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        try:
            return os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise BadInput(_("cannot open the writers' lock file {file}: {error}; give the users of this database one "
                             "group and a setgid folder (see README, \"Hostile input and shared servers\")").format(
                file=path, error=exc.strerror or exc))


def file_identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the database file; None when it does not exist."""
    import os

    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _require_same_file(path: str, expected: tuple[int, int] | None) -> None:
    if expected is not None and file_identity(path) != expected:
        raise DatabaseReplaced(_("the database file {file} was deleted or replaced while Yoolla was running; nothing more "
                                 "was written to it: restart to work on the file now there").format(file=path))


def check_identity(engine: Engine) -> None:
    """DatabaseReplaced if the SQLite file under `engine` is no longer the one it opened (PostgreSQL: never)."""
    info = getattr(engine.dialect, "yoolla_identity", None)
    if info and engine.url.database:
        _require_same_file(engine.url.database, info.get("identity"))


def forget_identity(engine: Engine) -> None:
    """The SQLite file was removed on purpose (`yoolla demo` starting over): the next connection
    records the new file's identity instead of refusing it."""
    info = getattr(engine.dialect, "yoolla_identity", None)
    if info is not None:
        info.pop("identity", None)
    if is_sqlite(engine) and engine.url.database not in (None, "", ":memory:"):
        from pathlib import Path

        _create_shared(Path(engine.url.database))


def _leave_gate(info: dict) -> None:
    if info.pop("gate_held", False):
        import fcntl

        fcntl.flock(info["gate_fd"], fcntl.LOCK_UN)


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
    except OperationalError as exc:
        session.rollback()
        if is_busy(exc):
            raise busy_error() from None
        if "readonly database" in str(exc.orig):
            raise BadInput(_("cannot write the database {url}: this OS user may only read it; give the users of a shared "
                             "database one group and a setgid folder (see README, \"Hostile input and shared servers\")").format(
                url=safe_url(session.get_bind()))) from None
        raise
    except DBAPIError as exc:
        session.rollback()
        if is_refused(exc):
            raise refused_error(exc) from None
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_refused(exc: BaseException) -> bool:
    """PostgreSQL refused the connection's role (SQLSTATE 42501, insufficient_privilege): a grant,
    a row-level security policy or the audit trail's trigger."""
    return getattr(getattr(exc, "orig", exc), "sqlstate", None) == "42501"


def refused_error(exc: BaseException) -> PermissionDenied:
    orig = getattr(exc, "orig", exc)
    detail = (str(orig).strip().splitlines() or [""])[0]
    return PermissionDenied(_("the database refused this for your role: {error}").format(error=detail))


READ_OPTION = "yoolla_read"


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A session for reading only: one consistent snapshot, never the write lock.

    SQLite: a deferred `BEGIN` with `query_only` (WAL lets writers commit meanwhile; a write
    attempted here fails instead of queueing others). PostgreSQL: a READ ONLY transaction.
    Rolled back at the end: there is nothing to keep.
    """
    options = {READ_OPTION: True}
    if not is_sqlite(engine):
        options["postgresql_readonly"] = True
    session = Session(engine.execution_options(**options), expire_on_commit=False)
    try:
        yield session
    except OperationalError as exc:
        if is_busy(exc):
            raise busy_error() from None
        raise
    except DBAPIError as exc:
        if is_refused(exc):
            raise refused_error(exc) from None
        raise
    finally:
        session.rollback()
        session.close()


@contextmanager
def scratch_copy(engine: Engine) -> Iterator[Session]:
    """SQLite: a session on a private in-memory copy of the database, copied from one read
    snapshot by SQLite's backup API (a reader: it never takes the write lock, so operators keep
    logging calls meanwhile). What a dry run writes there never reaches the file and never makes a
    writer wait. It costs memory and a moment in proportion to the database's size."""
    import sqlite3

    from sqlalchemy.pool import StaticPool

    target = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    source = engine.raw_connection()
    try:
        source.driver_connection.backup(target)
    finally:
        source.close()
    target.execute("PRAGMA foreign_keys=ON")
    target.create_function("lower", 1, _unicode_lower, deterministic=True)
    scratch = create_engine("sqlite://", creator=lambda: target, poolclass=StaticPool)

    @event.listens_for(scratch, "begin")
    def _begin(conn):  # the driver's own transaction handling would break SAVEPOINT
        conn.exec_driver_sql("BEGIN")

    session = Session(scratch, expire_on_commit=False)
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        scratch.dispose()
        target.close()


# SQLite: locked/busy; PostgreSQL: deadlock, serialization failure, lock timeout.
_BUSY_SQLSTATES = {"40P01", "40001", "55P03"}


def is_busy(exc: BaseException) -> bool:
    """Whether a driver error means "another transaction held the lock too long"."""
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    return ("database is locked" in text or "database is busy" in text
            or getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES)


def busy_error() -> Busy:
    return Busy(_("the database is busy (another operator is writing); nothing was saved, try again"))


def for_update(stmt: Select) -> Select:
    """Lock the selected rows until commit (PostgreSQL); SQLite already holds the write lock."""
    return stmt.with_for_update()


def insert_missing(session: Session, table, values: dict) -> None:
    """Insert a row unless one with the same key exists (INSERT … ON CONFLICT DO NOTHING); two
    transactions doing this at once never fail: the second waits for the first, then does nothing."""
    if is_sqlite(session.get_bind()):
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    session.execute(dialect_insert(table).values(**values).on_conflict_do_nothing())


def files_dir(engine: Engine, name: str):
    """A folder for files the database keeps (`name`, e.g. documents): beside a SQLite file
    (`week.sqlite` -> `week-documents/`), in the user's data directory for PostgreSQL
    (`documents/<database>/`) and an in-memory SQLite (`documents/memory/`)."""
    from pathlib import Path

    from yoolla_tui.core.kernel.paths import user_data_dir

    database = engine.url.database
    if is_sqlite(engine) and database and database != ":memory:":
        path = Path(database).expanduser().resolve()
        return path.parent / f"{path.stem}-{name}"
    return user_data_dir() / name / (database if not is_sqlite(engine) and database else "memory")


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


def open_error(engine: Engine, exc: OperationalError) -> BadInput:
    """Why a database could not be opened, in one line. On SQLite "readonly database" means this OS
    user cannot write the database's folder: SQLite needs to (its -shm file) even to read a WAL
    database, so the line says how a shared database is set up."""
    error = str(exc.orig).strip()
    if is_sqlite(engine) and "readonly database" in error:
        return BadInput(_("cannot open the database {url}: this OS user may not write its folder, which SQLite needs even "
                          "to read it; give the users of a shared database one group and a setgid folder (see README, "
                          "\"Hostile input and shared servers\")").format(url=safe_url(engine)))
    return BadInput(_("cannot open database {url}: {error}").format(url=safe_url(engine), error=error))


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        if is_busy(exc):
            raise busy_error() from None
        raise open_error(engine, exc) from None


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
        # A read snapshot (READ_OPTION): on SQLite it takes no write lock, so every command's
        # schema check answers while another operator's long write is in progress.
        with engine.execution_options(**{READ_OPTION: True}).connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError as exc:
        if is_busy(exc):
            raise busy_error() from None
        raise open_error(engine, exc) from None


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


# ---- integrity, backup, restore (issue 17): the dialect-specific halves ------------------------

def integrity_problems(engine: Engine) -> list[str]:
    """SQLite's PRAGMA integrity_check (empty when "ok"). PostgreSQL checks its pages itself: []."""
    if not is_sqlite(engine):
        return []
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
    return [] if rows == ["ok"] else rows


def foreign_key_problems(engine: Engine) -> list[str]:
    """SQLite's PRAGMA foreign_key_check as lines; PostgreSQL enforces keys on every write: []."""
    if not is_sqlite(engine):
        return []
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    return [f"{table} row {rowid} → {parent}" for table, rowid, parent, _fk in rows]


def pg_tool(name: str) -> str | None:
    """pg_dump / pg_restore: on PATH, or where Debian's packages put them (newest version)."""
    import glob
    import shutil

    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.split("/")[4].split(".")])
    return candidates[-1] if candidates else None


def _require_pg_tool(name: str) -> str:
    exe = pg_tool(name)
    if exe is None:
        raise BadInput(_("{tool} is not installed: install the PostgreSQL client (apt-get install postgresql-client) "
                         "or put {tool} on PATH").format(tool=name))
    return exe


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The database as a libpq URL without its password, and the environment carrying it."""
    import os

    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run_tool(args: list[str], env: dict[str, str]) -> None:
    import subprocess

    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["exit code " + str(done.returncode)])[-1]
        raise BadInput(_("{tool} failed: {error}").format(tool=args[0].rsplit("/", 1)[-1], error=last))


def backup_to(engine: Engine, target: str) -> None:
    """Write a consistent copy of the database to `target` while others keep working.

    SQLite: the online backup API in one step (a read snapshot; WAL lets writers go on), into a
    temporary file renamed at the end, so a crash never leaves half a backup under the name.
    PostgreSQL: pg_dump's custom format (one snapshot).
    """
    import os
    import sqlite3

    part = target + ".part"
    _fresh_part(part)
    try:
        if is_sqlite(engine):
            raw = engine.raw_connection()
            try:
                dest = sqlite3.connect(part)
                try:
                    raw.driver_connection.backup(dest)
                finally:
                    dest.close()
            finally:
                raw.close()
        else:
            url, env = _libpq(engine)
            _run_tool([_require_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", part, "--dbname", url], env)
        os.replace(part, target)
    except BaseException:  # pg_dump refused, the disk filled, Ctrl-C: no half backup, no empty .part
        if os.path.lexists(part) and not os.path.isdir(part):
            os.unlink(part)
        raise


def _fresh_part(part: str) -> None:
    """Create the temporary `.part` file ourselves, new and private: a symlink or file already
    there (planted, or left by a crash) is removed first, never written through."""
    import os

    if os.path.lexists(part):
        if os.path.isdir(part) and not os.path.islink(part):
            raise BadInput(_("{file} is a folder; remove it or choose another backup name").format(file=part))
        os.unlink(part)  # a symlink goes, not what it points to
    try:
        os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
    except OSError as exc:
        raise BadInput(_("cannot create {file}: {error}").format(file=part, error=exc.strerror or exc))


# Tables every Yoolla database has since its first schema: a backup without them is something else.
CORE_TABLES = ("alembic_version", "user", "client", "campaign", "deal", "call", "audit_record")


def known_revisions() -> set[str]:
    """Every schema revision this release's migrations know."""
    found = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION_RE.findall(path.read_text(encoding="utf-8")):
            if name == "revision":
                found.add(value)
    return found


def _check_backup(source: str, tables: set[str], revision: str | None) -> None:
    missing = [t for t in CORE_TABLES if t not in tables]
    if missing:
        raise BadInput(_("{file} is not a Yoolla backup: it has no {tables} table(s)").format(
            file=source, tables=", ".join(missing)))
    if revision is None:
        raise BadInput(_("{file} is not a Yoolla backup: its schema version is empty").format(file=source))
    if revision not in known_revisions():
        raise BadInput(_("{file} has schema {revision}, newer than this release of Yoolla knows (head {head}): restore it "
                         "with the Yoolla version that made it").format(file=source, revision=revision,
                                                                        head=_head_from_files() or "?"))


def backup_revision(engine: Engine, source: str) -> str | None:
    """The schema revision inside a backup file; BadInput if it is not a Yoolla backup of this
    dialect, lacks Yoolla's tables, or has a schema newer than this release."""
    import sqlite3

    if is_sqlite(engine):
        try:
            conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables else None
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            raise BadInput(_("{file} is not a Yoolla SQLite backup").format(file=source))
        _check_backup(source, tables, row[0] if row else None)
        return row[0]
    listing = _tool_output([_require_pg_tool("pg_restore"), "--list", source])
    if listing is None or "TABLE public alembic_version" not in listing:
        raise BadInput(_("{file} is not a Yoolla pg_dump backup (pg_restore cannot list an alembic_version table)").format(file=source))
    tables = set(re.findall(r"\bTABLE public (\S+) ", listing))
    data = _tool_output([_require_pg_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", source]) or ""
    copied = re.search(r"^COPY public\.alembic_version .*?;\n(\w+)\n", data, re.M)
    _check_backup(source, {t.strip('"') for t in tables}, copied.group(1) if copied else None)
    return copied.group(1)


def _tool_output(args: list[str]) -> str | None:
    import subprocess

    done = subprocess.run(args, capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def other_sessions(engine: Engine) -> int:
    """How many other connections are open on this database right now.

    PostgreSQL: pg_stat_activity. SQLite: processes (on this machine, through /proc) holding the
    file open; where /proc is missing the answer is 0.
    """
    import os
    from pathlib import Path

    if not is_sqlite(engine):
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND application_name <> %(me)s", {"me": _application_name()}).scalar()
    path = Path(engine.url.database or "").resolve()
    names = {str(path), str(path) + "-wal"}
    me = str(os.getpid())
    holders = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        if fd_dir.parent.name == me:
            continue
        try:
            for fd in fd_dir.iterdir():
                if os.readlink(fd) in names:
                    holders.add(fd_dir.parent.name)
                    break
        except OSError:
            continue
    return len(holders)


def restore_from(engine: Engine, source: str) -> None:
    """Replace the database's contents with a backup made by `backup_to`.

    SQLite: the backup API copies the file into the live database under its write lock, so an
    operator's write in flight finishes first and nobody reads half a restore.
    PostgreSQL: pg_restore --clean in one transaction.
    """
    import sqlite3

    if is_sqlite(engine):
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            raw = engine.raw_connection()
            try:
                src.backup(raw.driver_connection)
            finally:
                raw.close()
        finally:
            src.close()
        engine.dispose()
        return
    url, env = _libpq(engine)
    engine.dispose()
    # Grants name the group roles of the database the dump came from (kernel/pg_security.py):
    # not copied; this database's own are made again below.
    _run_tool([_require_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
               "--single-transaction", "--dbname", url, source], env)
    from yoolla_tui.core.kernel import pg_security

    with engine.begin() as conn:
        if conn.exec_driver_sql("SELECT to_regproc('yoolla_audit_guard')").scalar():
            pg_security.apply(conn)


# Every session keeps the reports' aggregates in step with the rows they count (kernel/tally.py).
from yoolla_tui.core.kernel import tally as _tally  # noqa: E402,F401
