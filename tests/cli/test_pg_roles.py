"""PostgreSQL enforces the roles (issue 22): each person connects with their own login role and
password, and the database itself — not Yoolla — refuses what their role may not do.

Every test here connects as the person, with psycopg directly (what psql would do with their
password) or with `yoolla` given their own URL. The roles `yoolla user add` makes are dropped
after each test (tests/conftest.py).
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, Cli
from yoolla_tui.core.kernel import db

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite has no database roles")

TEN = "2026-11-23T10:00:00+03:00"
PASSWORDS = {"anna": "anna-secret-1", "boris": "boris-secret-1", "sveta": "sveta-secret-1",
             "egor": "egor-secret-1", "olga": "olga-secret-1"}


class Shop:
    """irina (the owner's admin), olga (admin), sveta (supervisor of anna), anna and boris
    (managers), egor (executor); AnnaC1, AnnaC2 are anna's deals, BorisC3, BorisC4 boris's; an order with a task
    for egor on anna's first deal."""

    def __init__(self, cli: Cli, engine, tmp_path) -> None:
        self.cli, self.engine = cli, engine
        for login, role, boss in (("olga", "admin", None), ("sveta", "supervisor", None), ("anna", "manager", "sveta"),
                                  ("boris", "manager", None), ("egor", "executor", None)):
            pw = tmp_path / f"{login}.pw"
            pw.write_text(PASSWORDS[login] + "\n")
            args = ["user", "add", login, "--role", role, "--password-file", str(pw)]
            cli(*args, *(["--supervisor", boss] if boss else []))
        for i, owner in enumerate(("Anna", "Anna", "Boris", "Boris"), 1):
            cli("client", "add", f"{owner}C{i}", "--phone", f"+7495100000{i}")
        cli("campaign", "create", "W48", "--week", "2026-W48")
        cli("campaign", "add", "W48", "--clients", "AnnaC", "--manager", "anna")
        cli("campaign", "add", "W48", "--clients", "BorisC", "--manager", "boris")
        with engine.connect() as conn:
            self.ids = dict(conn.execute(text('SELECT login, id FROM "user"')).all())
            self.role = dict(conn.execute(text('SELECT login, db_role FROM "user"')).all())
            deals = conn.execute(text("SELECT d.id, d.manager_id FROM deal d ORDER BY d.id")).all()
        self.deals = {login: [d for d, m in deals if m == self.ids[login]] for login in ("anna", "boris")}
        cli("order", "add", self.deals["anna"][0], "Сайт", user="anna")
        cli("task", "add", "1", "Вёрстка", "--type", "build", "--assignee", "egor", "--estimate", "2h", user="anna")

    def url(self, login: str, password: str | None = None) -> str:
        url = make_url(db.normalise_url(str(self.engine.url.render_as_string(hide_password=False))))
        return url.set(username=self.role[login], password=password or PASSWORDS[login]).render_as_string(hide_password=False)

    def connect(self, login: str, password: str | None = None) -> psycopg.Connection:
        url = make_url(self.url(login, password))
        return psycopg.connect(host=url.host, port=url.port, dbname=url.database, user=url.username,
                               password=url.password, autocommit=True)

    def as_person(self, login: str) -> Cli:
        """`yoolla` run with `login`'s own URL (their role and password)."""
        return Cli(self.url(login))

    def group(self, role: str) -> str:
        return f"{self.engine.url.database}_{role}"


@pytest.fixture
def shop(cli, engine, tmp_path) -> Shop:
    shop = Shop(cli, engine, tmp_path)
    yield shop
    for url in {shop.url(login) for login in PASSWORDS}:
        db.get_engine(url).dispose()


def refused(conn: psycopg.Connection, sql: str, params=None) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as caught:
        conn.execute(sql, params)
    return caught.value


def owner_rows(engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params).all()]


# ---- psql with a manager's password ------------------------------------------------------------

def test_a_manager_sees_only_her_deals_and_their_calls(shop):
    with shop.connect("anna") as conn:
        seen = [r[0] for r in conn.execute("SELECT id FROM deal ORDER BY id")]
        borises = conn.execute("SELECT count(*) FROM deal WHERE manager_id = %s", (shop.ids["boris"],)).fetchone()[0]
    assert seen == shop.deals["anna"]
    assert borises == 0


def test_a_manager_cannot_move_or_delete_another_managers_deal(shop):
    target = shop.deals["boris"][0]
    before = owner_rows(shop.engine, "SELECT * FROM deal WHERE id = :id", id=target)
    with shop.connect("anna") as conn:
        assert conn.execute("UPDATE deal SET status = 'refused', manager_id = %s WHERE id = %s",
                            (shop.ids["anna"], target)).rowcount == 0
        assert conn.execute("DELETE FROM deal WHERE id = %s", (target,)).rowcount == 0
        # Her own deal may not be handed to boris either (WITH CHECK).
        error = refused(conn, "UPDATE deal SET manager_id = %s WHERE id = %s", (shop.ids["boris"], shop.deals["anna"][0]))
    assert error.sqlstate == "42501"
    assert "row-level security" in str(error)
    assert owner_rows(shop.engine, "SELECT * FROM deal WHERE id = :id", id=target) == before


def test_a_manager_cannot_insert_a_deal_for_someone_else(shop):
    with shop.connect("anna") as conn:
        error = refused(conn, "INSERT INTO deal (campaign_id, client_id, manager_id, stage_id, status, attempts_week,"
                              " attempts_total, carried_over, lost_note, stage_entered_at, created_at, updated_at, version)"
                              " SELECT campaign_id, client_id, %s, stage_id, 'new', 0, 0, false, '', now(), now(), now(), 1"
                              " FROM deal WHERE id = %s", (shop.ids["boris"], shop.deals["anna"][0]))
    assert error.sqlstate == "42501"


def test_a_manager_cannot_log_a_call_on_another_managers_deal(shop):
    with shop.connect("anna") as conn:
        error = refused(conn, "INSERT INTO call (deal_id, client_id, user_id, at, outcome, note)"
                              " VALUES (%s, 1, %s, now(), 'refused', '')", (shop.deals["boris"][0], shop.ids["anna"]))
    assert error.sqlstate == "42501"


def test_nobody_may_become_an_admin_with_set_role(shop):
    for login in ("anna", "sveta", "egor"):
        with shop.connect(login) as conn:
            error = refused(conn, f'SET ROLE "{shop.group("admin")}"')
        assert error.sqlstate == "42501", login
    with shop.connect("anna") as conn:
        assert refused(conn, 'SET ROLE "yoolla"').sqlstate == "42501"


def test_a_supervisor_sees_her_team_and_the_pool_but_not_other_teams(shop):
    with shop.connect("sveta") as conn:
        seen = [r[0] for r in conn.execute("SELECT id FROM deal ORDER BY id")]
        assert conn.execute("UPDATE deal SET status = 'refused' WHERE id = %s", (shop.deals["boris"][0],)).rowcount == 0
    assert seen == shop.deals["anna"]


def test_an_executor_sees_only_the_deal_of_her_task_and_cannot_change_users(shop):
    with shop.connect("egor") as conn:
        seen = [r[0] for r in conn.execute("SELECT id FROM deal ORDER BY id")]
        clients = [r[0] for r in conn.execute("SELECT name FROM client ORDER BY name")]
        error = refused(conn, "UPDATE \"user\" SET role = 'admin' WHERE login = 'egor'")
    assert seen == [shop.deals["anna"][0]]
    assert clients == ["AnnaC1"]
    assert error.sqlstate == "42501"


def test_a_deactivated_users_role_cannot_log_in_and_sees_nothing_in_an_open_connection(shop):
    conn = shop.connect("anna")
    try:
        shop.cli("user", "deactivate", "anna")
        assert conn.execute("SELECT count(*) FROM deal").fetchone()[0] == 0
    finally:
        conn.close()
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        shop.connect("anna")


# ---- the audit trail: INSERT only, for every role ----------------------------------------------

@pytest.mark.parametrize("login", ["anna", "sveta", "egor", "olga"])
def test_no_role_can_edit_delete_or_truncate_the_audit_trail(shop, login):
    before = owner_rows(shop.engine, "SELECT id, seq, hash, action, data::text FROM audit_record ORDER BY id")
    with shop.connect(login) as conn:
        for sql in ("UPDATE audit_record SET action = 'nothing'", "UPDATE audit_record SET data = '{}'",
                    "DELETE FROM audit_record", "TRUNCATE audit_record", "DELETE FROM audit_head",
                    "TRUNCATE audit_head"):
            assert refused(conn, sql).sqlstate == "42501", (login, sql)
        # seq and hash are set once, by the chain, on a record not yet linked: never again.
        changed = conn.execute("UPDATE audit_record SET hash = repeat('0', 64) WHERE seq IS NOT NULL")
        assert changed.rowcount == 0
    assert owner_rows(shop.engine, "SELECT id, seq, hash, action, data::text FROM audit_record ORDER BY id") == before
    assert all(r["ok"] for r in shop.cli.json("db", "check"))


def test_the_chain_links_a_record_once_and_the_trigger_stands_behind_the_policy(shop):
    with shop.connect("olga") as conn:  # an admin role: it sees every record
        conn.execute("INSERT INTO audit_record (at, actor_id, action, entity, data) VALUES (now(), %s, 'x.y', 'x', '{}')",
                     (shop.ids["olga"],))
        row = conn.execute("SELECT id FROM audit_record WHERE seq IS NULL").fetchone()[0]
        assert conn.execute("UPDATE audit_record SET seq = 999999, hash = repeat('a', 64) WHERE id = %s", (row,)).rowcount == 1
        assert conn.execute("UPDATE audit_record SET seq = 999998 WHERE id = %s", (row,)).rowcount == 0  # the policy
        # Without row-level security (an owner's slip) the trigger still refuses, and db check names the slip.
        with shop.engine.begin() as owner:
            owner.execute(text("ALTER TABLE audit_record DISABLE ROW LEVEL SECURITY"))
        try:
            error = refused(conn, "UPDATE audit_record SET seq = 999998 WHERE id = %s", (row,))
            assert error.sqlstate == "42501"
            assert "the audit trail is append-only: UPDATE refused" in str(error)
            checks = {r["check"]: r for r in shop.cli.json("db", "check", code=1)}
            assert checks["database_roles"]["detail"] == "row-level security off on audit_record"
        finally:
            with shop.engine.begin() as owner:
                owner.execute(text("ALTER TABLE audit_record ENABLE ROW LEVEL SECURITY"))
    assert owner_rows(shop.engine, "SELECT seq FROM audit_record WHERE id = :id", id=row) == [(999999,)]


# ---- Yoolla with anna's own credentials ----------------------------------------------------------

def test_anna_works_her_day_through_yoolla_with_her_own_role(shop):
    anna = shop.as_person("anna")
    listed = anna.json("deal", "list", user="anna")
    assert sorted(d["id"] for d in listed) == shop.deals["anna"]
    deal = shop.deals["anna"][1]
    anna("call", "log", deal, "--outcome", "no_answer", user="anna", now=TEN)
    anna("call", "log", deal, "--outcome", "interested", "--note", "КП", user="anna", now=TEN)
    anna("order", "add", deal, "Баннер", user="anna")
    anna("task", "add", "2", "Печать", "--type", "print", "--assignee", "egor", "--estimate", "1h", user="anna")
    assert "Печать" in anna("task", "queue", "--of", "egor", user="anna").stdout
    report = anna.json("report", "daily", user="anna", now=TEN)
    assert report  # her report reads
    calls = owner_rows(shop.engine, "SELECT user_id, outcome FROM call WHERE deal_id = :d ORDER BY id", d=deal)
    assert calls == [(shop.ids["anna"], "no_answer"), (shop.ids["anna"], "interested")]
    assert all(r["ok"] for r in shop.cli.json("db", "check"))  # the chain took her records


def test_egor_works_his_task_and_sveta_reads_her_team_through_yoolla(shop):
    egor = shop.as_person("egor")
    egor("task", "start", "1", user="egor", now=TEN)
    egor("task", "status", "1", "done", user="egor", now=TEN)
    assert owner_rows(shop.engine, "SELECT status FROM task WHERE id = 1") == [("done",)]
    sveta = shop.as_person("sveta")
    assert sorted(d["id"] for d in sveta.json("deal", "list", user="sveta")) == shop.deals["anna"]
    assert sveta("report", "managers", user="sveta", now=TEN).exit_code == 0
    assert sveta("audit", user="sveta").exit_code == 0
    assert all(r["ok"] for r in shop.cli.json("db", "check"))


def test_annas_credentials_cannot_act_as_irina_or_see_boriss_deals_through_yoolla(shop):
    anna = shop.as_person("anna")
    result = anna("user", "add", "mallory", "--role", "admin", user="irina", code=3)
    assert "only an admin may act as another user" in result.stderr
    result = anna("deal", "show", shop.deals["boris"][0], user="anna", code=None)
    assert result.exit_code in (3, 4) and "BorisC3" not in result.stdout
    assert anna("audit", user="anna", code=3).stderr.startswith("Error: anna (manager) may not read the audit trail")
    assert owner_rows(shop.engine, "SELECT count(*) FROM \"user\" WHERE login = 'mallory'") == [(0,)]


def test_a_refusal_by_the_database_is_one_line_and_exit_3(shop):
    """Yoolla's own checks come first; where only the database refuses, the person sees a
    permission error, not a traceback (olga is an admin, but not the owner: no CREATEROLE)."""
    olga = shop.as_person("olga")
    result = olga("user", "add", "mallory", "--role", "manager", user="olga", code=3)
    assert result.stderr.startswith("Error: the database refused this for your role: permission denied to create role")
    assert result.stderr.count("\n") == 1
