"""`yoolla user add|deactivate|activate|role|password` (issue 22): admins only, audited, at once.
On SQLite they change the Yoolla user; on PostgreSQL the person's login role changes with it."""

from __future__ import annotations

import base64
import hashlib
import hmac

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from yoolla_tui.core.kernel import pg_security

pg_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite has no database roles or passwords")


@pytest.fixture
def team(cli, tmp_path):
    pw = tmp_path / "anna.pw"
    pw.write_text("anna-secret-1\n")
    cli("user", "add", "anna", "--role", "manager", "--password-file", str(pw))
    cli("user", "add", "boris", "--role", "manager")
    return cli


def audit_actions(engine, login: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text('SELECT a.action FROM audit_record a JOIN "user" u ON u.id = a.entity_id '
                                      "WHERE a.entity = 'user' AND u.login = :l ORDER BY a.id"), {"l": login}).scalars())


def connect(engine, role: str, password: str) -> psycopg.Connection:
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    return psycopg.connect(host=url.host, port=url.port, dbname=url.database, user=role, password=password, autocommit=True)


def db_role_of(engine, login: str) -> str:
    with engine.connect() as conn:
        return conn.execute(text('SELECT db_role FROM "user" WHERE login = :l'), {"l": login}).scalar()


def test_scram_verifier_is_what_rfc_5802_computes():
    salt = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
    salted = hashlib.pbkdf2_hmac("sha256", b"pencil", salt, 4096)
    stored = hashlib.sha256(hmac.new(salted, b"Client Key", hashlib.sha256).digest()).digest()
    server = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    assert pg_security.scram_verifier("pencil", salt=salt) == (
        f"SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==${base64.b64encode(stored).decode()}:{base64.b64encode(server).decode()}")
    # RFC 7677's exchange for this password and salt ends with this server signature:
    auth = (b"n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
    assert base64.b64encode(hmac.new(server, auth, hashlib.sha256).digest()) == b"6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="


def test_deactivate_stops_a_user_at_once_and_activate_lets_them_back(team, engine):
    assert team("user", "deactivate", "anna").stdout == "User anna deactivated.\n"
    assert team("deal", "list", user="anna", code=3).stderr == "Error: user 'anna' is deactivated\n"
    assert team("user", "activate", "anna").stdout == "User anna activated.\n"
    team("deal", "list", user="anna")
    assert audit_actions(engine, "anna")[-2:] == ["user.deactivate", "user.activate"]


def test_role_changes_what_a_user_may_do(team, engine):
    assert team("user", "role", "boris", "supervisor").stdout == "User boris is now supervisor.\n"
    rows = {r["login"]: r["role"] for r in team.json("user", "list")}
    assert rows["boris"] == "supervisor"
    assert audit_actions(engine, "boris")[-1] == "user.role"
    assert team("user", "role", "boris", "king", code=2).stderr.startswith("Error: unknown role 'king'")


@pytest.mark.parametrize("args", [["user", "deactivate", "boris"], ["user", "activate", "boris"],
                                  ["user", "role", "boris", "admin"], ["user", "password", "boris"],
                                  ["user", "add", "mallory", "--role", "admin"]])
def test_only_an_admin_manages_users(team, engine, args):
    from tests.cli.test_identity import become

    result = team(*args, user="anna", code=3, **become(engine, "anna"))
    assert result.stderr.startswith("Error: anna (manager) may not ")
    assert result.stderr.count("\n") == 1


def test_an_admin_may_not_deactivate_or_demote_herself(team):
    assert team("user", "deactivate", "irina", code=5).stderr.startswith("Error: you may not deactivate yourself")
    assert team("user", "role", "irina", "manager", code=5).stderr.startswith("Error: you may not change the role of yourself")


def test_sqlite_has_no_passwords(team, engine):
    if PG_URL:
        pytest.skip("SQLite only")
    result = team("user", "password", "anna", code=2)
    assert result.stderr == "Error: a SQLite database has no passwords: who runs yoolla is their OS login\n"


# ---- PostgreSQL: the login role follows the Yoolla user ------------------------------------------

@pg_only
def test_user_add_makes_a_prefixed_login_role_with_the_password_given(team, engine):
    role = db_role_of(engine, "anna")
    assert role == f"{engine.url.database}.anna"  # the test database's db_role_prefix
    with connect(engine, role, "anna-secret-1") as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == role
        groups = [r[0] for r in conn.execute("SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                                             "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = current_user")]
    assert groups == [f"{engine.url.database}_manager"]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(engine, role, "wrong-password")


@pg_only
def test_user_add_without_a_password_file_shows_a_generated_one_once(cli, engine):
    out = cli("user", "add", "vera", "--role", "executor").stdout.splitlines()
    role = f"{engine.url.database}.vera"
    assert out[:2] == ["User vera (executor) added.", f"Database role {role} created."]
    assert out[2].startswith(f"Password for {role} (shown once, pass it on privately): ")
    with connect(engine, role, out[2].rsplit(" ", 1)[1]) as conn:
        assert conn.execute("SELECT yoolla_current_role()").fetchone()[0] == "executor"


@pg_only
def test_deactivate_takes_login_away_and_activate_gives_it_back(team, engine):
    role = db_role_of(engine, "anna")
    team("user", "deactivate", "anna")
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        connect(engine, role, "anna-secret-1")
    team("user", "activate", "anna")
    connect(engine, role, "anna-secret-1").close()


@pg_only
def test_role_swaps_the_group_at_once(team, engine):
    role = db_role_of(engine, "boris")
    team("user", "role", "boris", "executor")
    with engine.connect() as conn:
        groups = list(conn.execute(text("SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                                        "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :r"), {"r": role}).scalars())
    assert groups == [f"{engine.url.database}_executor"]


@pg_only
def test_password_changes_the_roles_password(team, engine, tmp_path):
    role = db_role_of(engine, "anna")
    new = tmp_path / "new.pw"
    new.write_text("anna-secret-2\n")
    assert team("user", "password", "anna", "--password-file", str(new)).stdout == "Password of anna changed.\n"
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(engine, role, "anna-secret-1")
    connect(engine, role, "anna-secret-2").close()
    assert audit_actions(engine, "anna")[-1] == "user.password"
    out = team("user", "password", "anna").stdout.splitlines()
    assert out[1].startswith("New password (shown once, pass it on privately): ")
    connect(engine, role, out[1].rsplit(" ", 1)[1]).close()
