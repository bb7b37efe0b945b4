"""Fixtures shared by every test.

A fresh, migrated database per test: on SQLite a copy of a template migrated once per session;
on PostgreSQL (when YOOLLA_TEST_DB=postgresql+psycopg://… is set, as .ci/run does) a database per
xdist worker, migrated once, with every table emptied between tests.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from yoolla_tui.core.kernel import db, reference
from yoolla_tui.core.people import identity, users

PG_URL = os.environ.get("YOOLLA_TEST_DB", "")


def pytest_report_header(config):
    return f"yoolla test database: {make_url(PG_URL).render_as_string(hide_password=True) if PG_URL else 'SQLite (per-test file)'}"


def pytest_sessionfinish(session, exitstatus):
    # "No tests ran" must never pass as success (CI would land an empty run).
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _environment(monkeypatch, tmp_path):
    """Tests never depend on today, the machine's zone, language or the user's database."""
    for var in ("YOOLLA_DB", "YOOLLA_USER", "YOOLLA_NOW", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("YOOLLA_TZ", "Europe/Moscow")
    monkeypatch.setenv("YOOLLA_LANG", "en")
    monkeypatch.setenv("YOOLLA_NOW", "2026-11-23T08:00:00+03:00")
    monkeypatch.delenv("YOOLLA_SMTP_PASSWORD", raising=False)
    if PG_URL:  # documents of a PostgreSQL database go to the user's data dir; not a test's
        monkeypatch.setenv("YOOLLA_DOCUMENTS_DIR", str(tmp_path / "documents"))


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def _template(tmp_path_factory) -> str:
    """SQLite: path of a migrated template file. PostgreSQL: URL of this worker's migrated database."""
    if PG_URL:
        from tests.loadgen import pg_database

        url = pg_database(PG_URL, f"{make_url(db.normalise_url(PG_URL)).database}_{_worker()}")
        db.upgrade(db.get_engine(url))
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = db.get_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    db.get_engine.cache_clear()
    return str(path)


@pytest.fixture
def db_url(_template, tmp_path) -> str:
    """A fresh, migrated, empty database (reference data loaded) for this test."""
    if PG_URL:
        engine = db.get_engine(_template)
        tables = [t for t in db.table_names(engine) if t != "alembic_version"]
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        url = _template
    else:
        path = tmp_path / "yoolla.sqlite"
        shutil.copy(_template, path)
        url = f"sqlite:///{path}"
    with db.session_scope(db.get_engine(url)) as session:
        reference.load_defaults(session)
        if PG_URL:  # login roles are the server's: this database's carry its name (dropped below)
            from yoolla_tui.core.kernel.models import Setting

            session.add(Setting(key="db_role_prefix", value=login_role_prefix(url)))
    yield url
    if PG_URL:
        drop_login_roles(url)
    else:
        db.get_engine(url).dispose()


def login_role_prefix(url: str) -> str:
    """The prefix of the login roles `yoolla user add` makes in the test database `url`."""
    return f"{make_url(url).database}."


def drop_login_roles(url: str) -> None:
    """Drop the login roles a test made on the shared PostgreSQL server (roles outlive databases)."""
    engine = db.get_engine(url)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p)"),
                             {"p": login_role_prefix(url)}).scalars().all()
    if not names:
        return
    engine.dispose()  # the test's own connections as those roles are gone; ours only remain
    with engine.begin() as conn:
        for name in names:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))


@pytest.fixture
def engine(db_url):
    return db.get_engine(db_url)


@pytest.fixture
def admin(engine):
    """The first admin, `irina`, made as `yoolla init --admin irina` makes her: mapped to whoever
    runs the tests (their OS login on SQLite; on PostgreSQL the role the tests connect as)."""
    with db.session_scope(engine) as session:
        return identity.first_admin(session=session, login="irina", full_name="Ирина Орлова")


def os_login_of(url: str, login: str | None) -> str:
    """The OS login mapped to the Yoolla user `login` (the login itself if none is)."""
    from sqlalchemy import select

    from yoolla_tui.core.kernel.models import User

    if not login:
        return identity.os_login()
    try:
        with db.get_engine(url).connect() as conn:
            found = conn.execute(select(User.os_login).where(User.login == login.strip().lower())).scalar()
    except Exception:  # noqa: BLE001 — no schema yet: nobody is mapped
        found = None
    return found or identity.os_login()  # an unknown login: the person running the tests claims it


@contextmanager
def running_as(os_login: str):
    """Run the code inside as the OS user `os_login` (replaces identity.os_login: tests only)."""
    from unittest import mock

    with mock.patch.object(identity, "os_login", lambda: os_login):
        yield


@pytest.fixture
def session(engine):
    """A session for direct service calls; the test commits what it wants kept."""
    with db.session_scope(engine) as s:
        yield s


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table, for asserting that a refused action changed nothing.

    A refusal leaves only its own audit record (`….refused`, issue 22) and the chain's head
    moving past it; those are left out here and asserted by the tests of refusals."""
    out = {}
    with engine.connect() as conn:
        for table in sorted(db.table_names(engine)):
            if table == "audit_head":
                continue
            where = " WHERE action NOT LIKE '%.refused'" if table == "audit_record" else ""
            out[table] = sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{table}"{where}')).all()), key=repr)
    return out


class Cli:
    """Runs `yoolla` in-process against the test database, as a user at a given moment."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, user: str | None = "irina", now: str | None = None, code: int | None = 0, env=None,
                 os_login: str | None = None):
        """`user` is who runs the command: by default the OS user mapped to that Yoolla user runs
        it with --user naming themself (so permissions are `user`'s own). `os_login` runs it as
        another OS user instead (an act-as, or a refused claim)."""
        from yoolla_tui.cli import app

        full_env = {"YOOLLA_DB": self.url}
        if user:
            full_env["YOOLLA_USER"] = user
        if now:
            full_env["YOOLLA_NOW"] = now
        full_env.update(env or {})
        with running_as(os_login or os_login_of(self.url, user)):
            result = self.runner.invoke(app, [str(a) for a in args], env=full_env, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (
                f"yoolla {' '.join(map(str, args))} exited {result.exit_code}, expected {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    def json(self, *args: str, **kwargs):
        import json

        return json.loads(self(*args, "--format", "json", **kwargs).stdout)


@pytest.fixture
def cli(db_url, admin) -> Cli:
    """The CLI on a fresh database that has the admin `irina`."""
    return Cli(db_url)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
