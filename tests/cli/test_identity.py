"""Who is acting (issue 22): the identity comes from the OS login (SQLite) or the connection's
role (PostgreSQL); --user names someone else only as an admin's act-as, recorded as both; the
audit trail is a hash chain `db check` verifies; refusals, exports, backups and restores are on
the record; and the scopes that were too wide.

`become(engine, login)` makes this test process authenticate as `login` on either database: on
SQLite it runs the command as that person's OS login; on PostgreSQL it maps the role the tests
connect as to that person (the roles themselves are issue-22-pg's).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, text

from tests.conftest import os_login_of, running_as
from yoolla_tui.core.calls import campaigns, clients, deals
from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.kernel.errors import PermissionDenied
from yoolla_tui.core.kernel.models import AuditHead, AuditRecord, Notification, Setting, User
from yoolla_tui.core.people import users

NOW = "2026-11-23T10:00:00+03:00"
CAMPAIGN = "Seminar 2026-W48"


def become(engine, login: str) -> dict:
    """Keyword arguments for `cli(...)` that make the command run as the person `login`.
    On PostgreSQL it remaps the connecting role at once: call it right before each command."""
    if db.is_sqlite(engine):
        return {"os_login": os_login_of(str(engine.url), login)}
    with engine.begin() as conn:
        me = conn.execute(text("SELECT current_user")).scalar()
        conn.execute(text('UPDATE "user" SET db_role = login || \'.db\' WHERE db_role = :me'), {"me": me})
        conn.execute(text('UPDATE "user" SET db_role = :me WHERE login = :login'), {"me": me, "login": login})
    return {}


@pytest.fixture
def team(cli, engine) -> dict:
    """irina (admin) supervises anna and boris; sveta (supervisor) supervises vera; egor is an
    executor. Alpha is anna's deal, Beta boris's, Delta vera's; Epsilon anna's, lost."""
    with clock.frozen(datetime.fromisoformat("2026-11-23T09:00:00+03:00")), db.session_scope(engine) as s:
        irina = users.get_by_login(s, "irina")
        users.add_user(session=s, actor=irina, login="sveta", role="supervisor")
        for login, boss in (("anna", "irina"), ("boris", "irina"), ("vera", "sveta")):
            users.add_user(session=s, actor=irina, login=login, role="manager", supervisor=boss)
        users.add_user(session=s, actor=irina, login="egor", role="executor")
        for i, name in enumerate(("Alpha", "Beta", "Delta", "Epsilon"), start=1):
            clients.add_client(session=s, actor=irina, name=name, phone=f"+7495100000{i}")
        campaigns.create(session=s, actor=irina, name=CAMPAIGN, week="2026-W48")
        campaigns.add_clients(session=s, actor=irina, ref=CAMPAIGN)
        campaigns.assign(session=s, actor=irina, ref=CAMPAIGN, managers=["anna", "boris", "vera"], strategy="round-robin")
        out = {r["client"]: r["id"] for r in deals.list_deals(session=s, actor=irina)}
        anna = users.get_by_login(s, "anna")
        deals.log_call(session=s, actor=anna, deal_id=out["Epsilon"], outcome="refused", reason="too_expensive")
    return out


def _records(engine, action: str) -> list[AuditRecord]:
    with db.session_scope(engine) as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)))


def _login(engine, user_id):
    with engine.connect() as conn:
        return conn.execute(select(User.login).where(User.id == user_id)).scalar()


# ---- identity ----------------------------------------------------------------------------------

def test_a_manager_cannot_act_as_the_admin(cli, engine, team):
    """The issue's attack: a manager names the admin and adds herself an accomplice."""
    result = cli("user", "add", "mallory", "--role", "admin", user="irina", code=3, **become(engine, "anna"))
    who = "database role" if not db.is_sqlite(engine) else "OS login"
    assert result.stderr.startswith(f"Error: you are anna ({who} ")
    assert result.stderr.endswith("only an admin may act as another user (--user irina)\n")
    with db.session_scope(engine) as s:
        assert s.scalars(select(User).where(User.login == "mallory")).first() is None
    refused = _records(engine, "permission.refused")
    assert [(_login(engine, r.actor_id), r.data["command"]) for r in refused] == [("anna", "yoolla user add")]


def test_a_manager_acts_as_herself_by_default_and_by_name(cli, engine, team):
    as_anna = become(engine, "anna")
    rows = cli.json("deal", "list", user=None, **as_anna)
    assert {r["client"] for r in rows} == {"Alpha"}  # Epsilon is closed
    assert cli.json("deal", "list", user="anna", **as_anna) == rows


def test_an_admins_act_as_is_recorded_as_both(cli, engine, team):
    cli("call", "log", team["Alpha"], "--outcome", "no_answer", user="anna", now=NOW, **become(engine, "irina"))
    record = _records(engine, "call.log")[-1]
    assert (_login(engine, record.actor_id), _login(engine, record.real_actor_id)) == ("anna", "irina")
    rows = cli.json("audit", "--action", "call.log", "--deal", team["Alpha"], user="irina", **become(engine, "irina"))
    assert [r["user"] for r in rows] == ["irina as anna"]


def test_an_os_login_nobody_has_is_refused(cli, engine, team):
    if not db.is_sqlite(engine):
        pytest.skip("the OS login is SQLite's identity; PostgreSQL's is the role (test below)")
    result = cli("deal", "list", user=None, os_login="mallory", code=3)
    assert result.stderr == ("Error: OS login 'mallory' is not a Yoolla user: an admin maps it with "
                             "`yoolla user add LOGIN --os-login mallory`\n")
    result = cli("deal", "list", user="irina", os_login="mallory", code=3)
    assert "OS login 'mallory' is not a Yoolla user" in result.stderr


def test_a_database_role_nobody_has_is_refused(cli, engine, team):
    if db.is_sqlite(engine):
        pytest.skip("PostgreSQL only")
    with engine.begin() as conn:
        conn.execute(text('UPDATE "user" SET db_role = login'))
        me = conn.execute(text("SELECT current_user")).scalar()
    result = cli("deal", "list", user="irina", code=3)
    assert result.stderr.startswith(f"Error: database role '{me}' is not a Yoolla user")


def test_a_deactivated_user_is_refused(cli, engine, team):
    with engine.begin() as conn:
        conn.execute(text("UPDATE \"user\" SET active = :no WHERE login = 'anna'"), {"no": False})
    result = cli("deal", "list", user="anna", code=3, **become(engine, "anna"))
    assert result.stderr == "Error: user 'anna' is deactivated\n"


@pytest.mark.parametrize("args", [["user", "list"], ["stage", "list"], ["template", "list"], ["db", "check"],
                                  ["db", "status"]])
def test_every_command_needs_a_known_identity(cli, engine, team, args):
    if db.is_sqlite(engine):
        result = cli(*args, user=None, os_login="mallory", code=3)
    else:
        with engine.begin() as conn:
            conn.execute(text('UPDATE "user" SET db_role = login'))
        result = cli(*args, user=None, code=3)
    assert "is not a Yoolla user" in result.stderr
    cli(*args, user="anna", code=None, **become(engine, "anna"))  # a known person may (db check may find problems)


@pytest.mark.parametrize("args", [["db", "backup", "{tmp}/b.bak"], ["db", "restore", "{tmp}/b.bak", "--force"],
                                  ["db", "upgrade"], ["user", "add", "zoe"], ["user", "map", "anna", "--os-login", "x"]])
def test_admin_commands_refuse_a_manager(cli, engine, team, tmp_path, args):
    cli("db", "backup", str(tmp_path / "b.bak"), **become(engine, "irina"))
    result = cli(*[a.format(tmp=tmp_path) for a in args], user="anna", code=3, **become(engine, "anna"))
    assert result.stderr.startswith("Error: anna (manager) may not ")
    assert [_login(engine, r.actor_id) for r in _records(engine, "permission.refused")] == ["anna"]


def test_the_demo_lets_user_pick_anyone_and_a_real_database_never(cli, engine, team):
    as_anna = become(engine, "anna")
    cli("user", "list", user="irina", code=3, **as_anna)
    with db.session_scope(engine) as s:
        s.add(Setting(key="demo", value=True))
    cli("user", "list", user="irina", **as_anna)


def test_init_maps_the_first_admin_to_whoever_runs_it(tmp_path):
    from tests.conftest import Cli

    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    cli = Cli(url)
    with running_as("ivanova"):
        out = cli("init", "--admin", "irina", user=None, os_login="ivanova").stdout
    assert "Admin irina created for OS login ivanova" in out
    cli("user", "add", "anna", user="irina", os_login="ivanova")
    assert cli.json("user", "list", user=None, os_login="ivanova")[1]["os_login"] == "anna"
    cli("user", "add", "boris", user="irina", os_login="anna", code=3)
    db.get_engine(url).dispose()


def test_an_open_dashboard_sees_a_deactivation_on_its_next_action(db_url, engine, team):
    from yoolla_tui.app import make_app

    with running_as(os_login_of(db_url, "anna")):
        if not db.is_sqlite(engine):
            become(engine, "anna")
        app = make_app(db_url=db_url, user="anna")
    assert app.core(deals.list_deals)  # works while anna is active
    with engine.begin() as conn:
        conn.execute(text("UPDATE \"user\" SET active = :no WHERE login = 'anna'"), {"no": False})
    with pytest.raises(PermissionDenied, match="user 'anna' is deactivated"):
        app.core(deals.log_call, deal_id=team["Alpha"], outcome="no_answer")


def test_an_admins_act_as_ends_when_they_stop_being_admin(db_url, engine, team):
    from yoolla_tui.app import make_app

    with running_as(os_login_of(db_url, "irina")):
        app = make_app(db_url=db_url, user="anna")
    assert app.acting.act_as
    with engine.begin() as conn:
        conn.execute(text("UPDATE \"user\" SET role = 'manager' WHERE login = 'irina'"))
    with pytest.raises(PermissionDenied, match="irina is no longer an admin and may not act as anna"):
        app.core(deals.list_deals)


# ---- the audit trail ---------------------------------------------------------------------------

def _check(cli, engine, code=0):
    result = cli("db", "check", "--format", "json", code=code, **become(engine, "irina"))
    import json

    return {r["check"]: r for r in json.loads(result.stdout)}


def test_the_chain_is_whole_after_ordinary_work(cli, engine, team):
    cli("call", "log", team["Alpha"], "--outcome", "no_answer", user="anna", now=NOW, **become(engine, "anna"))
    checks = _check(cli, engine)
    assert checks["audit_chain"]["ok"] and all(c["ok"] for c in checks.values())
    with engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM audit_record ORDER BY seq"))]
        head = conn.execute(text("SELECT seq FROM audit_head")).scalar()
    assert seqs == list(range(1, len(seqs) + 1)) and head == len(seqs) > 10


def _some_record(engine, action="call.log"):
    with engine.connect() as conn:
        return conn.execute(text("SELECT id, seq FROM audit_record WHERE action = :a ORDER BY id"), {"a": action}).first()


def test_editing_an_audit_row_is_named(cli, engine, team):
    rid, seq = _some_record(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_record SET actor_id = (SELECT id FROM \"user\" WHERE login = 'boris') WHERE id = :id"),
                     {"id": rid})
    checks = _check(cli, engine, code=1)
    assert not checks["audit_chain"]["ok"]
    assert checks["audit_chain"]["detail"].startswith(f"record {rid} (seq {seq}): content or link changed")


def test_deleting_an_audit_row_is_named(cli, engine, team):
    rid, seq = _some_record(engine, "campaign.create")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_record WHERE id = :id"), {"id": rid})
    detail = _check(cli, engine, code=1)["audit_chain"]["detail"]
    assert detail.startswith(f"record seq {seq}: missing")


def test_deleting_the_newest_audit_rows_is_named(cli, engine, team):
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit_record")).scalar()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_record WHERE seq >= :s"), {"s": last - 1})
    detail = _check(cli, engine, code=1)["audit_chain"]["detail"]
    assert detail == f"records seq {last - 1}–{last}: missing (deleted from the end)"


def test_rewriting_a_row_and_recomputing_its_own_hash_still_breaks_the_next_link(cli, engine, team):
    """Someone who recomputes one record's hash must recompute every later one and the head too."""
    from yoolla_tui.core.kernel import audit

    rid, seq = _some_record(engine, "campaign.create")
    with db.session_scope(engine) as s:
        rec = s.get(AuditRecord, rid)
        prev = s.scalars(select(AuditRecord.hash).where(AuditRecord.seq == seq - 1)).first()
        rec.data = {**rec.data, "note": "forged"}
        rec.hash = audit.hash_of(rec, prev)
    detail = _check(cli, engine, code=1)["audit_chain"]["detail"]
    assert detail.startswith("record ") and f"(seq {seq + 1}): content or link changed" in detail


def test_backup_restore_and_exports_are_on_the_record(cli, engine, team, tmp_path):
    as_irina = become(engine, "irina")
    cli("client", "list", "--format", "csv", **as_irina)
    with db.session_scope(engine) as s:
        head = s.get(AuditHead, 1)
        before = (head.seq, head.hash)  # the backup's head: its own record comes after it
    cli("db", "backup", str(tmp_path / "b.bak"), **as_irina)
    assert [r.data["file"] for r in _records(engine, "db.backup")] == [str(tmp_path / "b.bak")]
    cli("call", "log", team["Alpha"], "--outcome", "no_answer", user="anna", now=NOW, **as_irina)
    cli("db", "restore", str(tmp_path / "b.bak"), "--force", **as_irina)
    restored = _records(engine, "db.restore")
    assert len(restored) == 1
    assert restored[0].data["file"] == str(tmp_path / "b.bak") and restored[0].data["by"] == "irina"
    assert (restored[0].data["restored_head_seq"], restored[0].data["restored_head_hash"]) == before
    assert _login(engine, restored[0].actor_id) == "irina"
    assert [r.data["format"] for r in _records(engine, "client.export")] == ["csv"]
    assert _check(cli, engine)["audit_chain"]["ok"]


def test_a_supervisors_audit_shows_their_team_only(cli, engine, team):
    cli("call", "log", team["Alpha"], "--outcome", "no_answer", user="anna", now=NOW, **become(engine, "anna"))
    cli("call", "log", team["Delta"], "--outcome", "no_answer", user="vera", now=NOW, **become(engine, "vera"))
    sveta = {r["user"] for r in cli.json("audit", user="sveta", **become(engine, "sveta"))}
    assert sveta == {"vera"}
    everyone = {r["user"] for r in cli.json("audit", user="irina", **become(engine, "irina"))}
    assert {"anna", "vera", "irina"} <= everyone


# ---- scopes ------------------------------------------------------------------------------------

def test_a_lost_deal_gives_no_right_to_edit_the_client(cli, engine, team):
    as_anna = become(engine, "anna")
    result = cli("client", "edit", "+74951000004", "--name", "Renamed", user="anna", code=3, **as_anna)
    assert "anna (manager) may not change client" in result.stderr and "no open deal of theirs" in result.stderr
    cli("client", "edit", "+74951000001", "--name", "Alpha Ltd", user="anna", **as_anna)  # her open deal
    cli("client", "edit", "+74951000004", "--name", "Renamed", user="irina", **become(engine, "irina"))


def test_do_not_call_stays_open_to_whoever_spoke_and_tells_the_other_managers(cli, engine, team):
    """anna's Epsilon deal is lost; the client is also on boris's open deal (next week's list)."""
    with db.session_scope(engine) as s:
        irina = users.get_by_login(s, "irina")
        campaigns.create(session=s, actor=irina, name="W49", week="2026-W49")
        epsilon = clients.resolve(s, "+74951000004")
        campaigns.add_clients(session=s, actor=irina, ref="W49", client_ids=[epsilon.id], manager="boris")
    cli("client", "dnc", "+74951000004", "--reason", "asked not to call", user="anna", now=NOW, **become(engine, "anna"))
    with db.session_scope(engine) as s:
        boris = users.get_by_login(s, "boris")
        notes = list(s.scalars(select(Notification).where(Notification.user_id == boris.id)))
        assert [n.kind for n in notes] == ["client_dnc"]
    inbox = cli.json("inbox", user="boris", **become(engine, "boris"))
    assert "do-not-call (asked not to call), marked by anna" in inbox[0]["text"]


def test_a_supervisor_imports_only_their_own_teams_sheets(cli, engine, team, tmp_path):
    from tests.fixtures import sheets

    header = ["Организация", "Телефон", "Статус", "Текущее значение", "Качество", "Сумма"]
    path = sheets.xlsx(tmp_path / "week.xlsx", sheets={
        "vera": [header, ["ООО Своё", "8 495 300-00-01", "", "", "", ""]],
        "boris": [header, ["ООО Чужое", "8 495 300-00-02", "Счет оплачен", "", "", "999999"]]})
    with db.session_scope(engine) as s:
        campaigns.create(session=s, actor=users.get_by_login(s, "irina"), name="W49", week="2026-W49")
    from tests.conftest import dump

    as_sveta = become(engine, "sveta")
    before = dump(engine)
    result = cli("import", path, "--sheets-as-managers", "--campaign", "W49", user="sveta", code=3, **as_sveta)
    assert result.stderr == "Error: sveta (supervisor) may not import sheet 'boris': boris is outside their team\n"
    assert dump(engine) == before


def test_a_managers_look_at_an_executors_queue_hides_other_managers_titles(cli, engine, team):
    cli("order", "add", team["Alpha"], "Alpha site", user="anna", **become(engine, "anna"))
    cli("order", "add", team["Beta"], "Beta secret plan", user="boris", **become(engine, "boris"))
    orders = {o["title"]: o["id"] for o in cli.json("order", "list", "--all", user="irina", **become(engine, "irina"))}
    cli("task", "add", orders["Alpha site"], "Design", "--assignee", "egor", "--type", "design", "--estimate", "2h", user="irina", **become(engine, "irina"))
    cli("task", "add", orders["Beta secret plan"], "Draft", "--assignee", "egor", "--type", "design", "--estimate", "2h", user="irina", **become(engine, "irina"))
    shown = cli.json("task", "queue", "--of", "egor", user="anna", **become(engine, "anna"))
    assert [(r["order"], r["title"]) for r in shown] == [("Alpha site", "Design"),
                                                         (None, "(a task on another manager's deal)")]
    admin_view = cli.json("task", "queue", "--of", "egor", user="irina", **become(engine, "irina"))
    assert [(r["order"], r["title"]) for r in admin_view] == [("Alpha site", "Design"), ("Beta secret plan", "Draft")]


def test_a_dry_run_import_and_a_refusal_leave_the_chain_whole(cli, engine, team, tmp_path):
    """Records undone by a rolled-back savepoint (--dry-run) never take a link; nor does the
    refused transaction, whose refusal is chained in a transaction of its own."""
    from tests.fixtures import sheets

    path = sheets.xlsx(tmp_path / "list.xlsx", [["Организация", "Телефон"], ["ООО Проба", "8 495 300-00-09"]])
    cli("import", path, "--dry-run", **become(engine, "irina"))
    cli("import", path, **become(engine, "irina"))
    cli("call", "log", team["Beta"], "--outcome", "no_answer", user="anna", now=NOW, code=3, **become(engine, "anna"))
    assert _check(cli, engine)["audit_chain"]["ok"]
    assert len(_records(engine, "permission.refused")) == 1


def test_a_stale_edit_is_on_the_record(cli, engine, team):
    from yoolla_tui.core.kernel.lookup import get_deal

    with db.session_scope(engine) as s:
        version = get_deal(s, team["Alpha"]).version
    cli("call", "log", team["Alpha"], "--outcome", "no_answer", "--expect-version", version - 1, user="anna", now=NOW,
        code=5, **become(engine, "anna"))
    stale = _records(engine, "stale.refused")
    assert [(_login(engine, r.actor_id), r.data["command"]) for r in stale] == [("anna", "yoolla call log")]
