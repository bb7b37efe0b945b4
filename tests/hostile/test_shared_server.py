"""One server, several OS users on one SQLite database; the database file replaced under a
running process."""

from __future__ import annotations

import grp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import PG_URL
from tests.core import world
from yoolla_tui.core.calls import deals
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.errors import DatabaseReplaced
from yoolla_tui.core.kernel.models import Call
from yoolla_tui.core.people import users

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="the file-level behaviour of SQLite")


# The other OS user may not reach this venv's interpreter (pyenv under /root): a system Python
# of the same version with this venv's packages runs the same code.
_LAUNCH = ("import site, sys; site.addsitedir({sp!r}); sys.argv[0] = 'yoolla'; "
           "from yoolla_tui.cli import app; app()")


def _python() -> list[str]:
    import sysconfig

    exe = shutil.which(f"python{sys.version_info.major}.{sys.version_info.minor}", path="/usr/bin:/usr/local/bin")
    return [exe or sys.executable, "-c", _LAUNCH.format(sp=sysconfig.get_paths()["purelib"])]


def _yoolla(*args, env, as_user=None):
    cmd = [*_python(), *args]
    if as_user:
        # runuser keeps the environment given here; umask 002 as a shared server's profile sets it.
        cmd = ["runuser", "-u", as_user, "--", "sh", "-c", 'umask 002; exec "$@"', "sh", *cmd]
    else:
        cmd = ["sh", "-c", 'umask 002; exec "$@"', "sh", *cmd]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


@sqlite_only
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"), reason="needs root to create a throwaway OS user")
def test_two_os_users_share_one_database_in_a_setgid_folder():
    """irina (root here) sets the database up in a setgid folder of group `callcentre`; a second OS
    user of that group reads and writes it: no PermissionError on the writers' lock file."""
    suffix = str(os.getpid())
    group, other, outsider = f"y24g{suffix}", f"y24u{suffix}", f"y24o{suffix}"
    subprocess.run(["groupadd", group], check=True)
    try:
        subprocess.run(["useradd", "-M", "-N", "-g", group, "-s", "/bin/sh", other], check=True)
        folder = Path(tempfile.mkdtemp(prefix="yoolla-shared-"))
        try:
            os.chmod(folder.parent, os.stat(folder.parent).st_mode)  # /tmp: world-traversable already
            gid = grp.getgrnam(group).gr_gid
            os.chown(folder, 0, gid)
            os.chmod(folder, 0o2770)
            url = f"sqlite:///{folder}/yoolla.sqlite"
            env = {**os.environ, "YOOLLA_DB": url, "YOOLLA_LANG": "en", "YOOLLA_NOW": "2026-11-23T08:00:00+03:00",
                   "HOME": str(folder)}
            probe = _yoolla("--version", env=env, as_user=other)
            if probe.returncode != 0:
                pytest.skip(f"the second OS user cannot run Python here: {probe.stderr.strip()[-200:]}")
            first = _yoolla("init", "--admin", "irina", env=env)
            assert first.returncode == 0, first.stderr
            # init made the OS login running it (root here) the admin irina; the second OS login is boris.
            mapped = _yoolla("user", "add", "boris", "--role", "supervisor", "--os-login", other, env=env)
            assert mapped.returncode == 0, mapped.stderr
            assert _yoolla("client", "add", "Alpha", "--phone", "+74951000001", env=env).returncode == 0
            lock = folder / "yoolla.sqlite.writers"
            assert lock.stat().st_gid == gid and lock.stat().st_mode & 0o060 == 0o060
            listed = _yoolla("client", "list", env=env, as_user=other)
            assert listed.returncode == 0, listed.stderr
            assert "Alpha" in listed.stdout
            added = _yoolla("client", "add", "Beta", "--phone", "+74951000002", env=env, as_user=other)
            assert added.returncode == 0, added.stderr
            again = _yoolla("client", "list", "--format", "csv", env=env)
            assert "Beta" in again.stdout and "Alpha" in again.stdout
            # A user outside the group who may read but not write the folder: SQLite cannot even read
            # a WAL database then (its -shm file); one line says how to set the folder up.
            subprocess.run(["useradd", "-M", "-N", "-s", "/bin/sh", outsider], check=True)
            os.chmod(folder, 0o2775)
            refused = _yoolla("client", "list", env=env, as_user=outsider)
            assert refused.returncode == 2, refused.stderr
            assert refused.stderr.count("\n") == 1 and "may not write its folder" in refused.stderr, refused.stderr
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            subprocess.run(["userdel", other], check=False)
            subprocess.run(["userdel", outsider], check=False)
    finally:
        subprocess.run(["groupdel", group], check=False)


@sqlite_only
def test_database_file_replaced_under_a_running_process_stops_before_the_next_write(engine, admin, db_url):
    """The file is moved away and a copy put in its place (as a restore by hand would): the next
    call log is refused with one message, and neither file gets the call."""
    with db.session_scope(engine) as session:
        built = world.build(session, n_clients=2)
        deal_id = world.deal_ids(session, built.irina, "W48")["C1"]
    path = Path(engine.url.database)
    engine.dispose()
    os.replace(path, path.with_suffix(".old"))
    shutil.copy(path.with_suffix(".old"), path)
    with pytest.raises(DatabaseReplaced, match="deleted or replaced"):
        with db.session_scope(engine) as session:
            anna = users.get_by_login(session, "anna")
            deals.log_call(session=session, actor=anna, deal_id=deal_id, outcome="no_answer")
    with pytest.raises(DatabaseReplaced):
        db.check_identity(engine)
    for file in (path, path.with_suffix(".old")):
        fresh = db.get_engine.__wrapped__(f"sqlite:///{file}")
        with db.session_scope(fresh) as session:
            assert session.scalar(select(func.count(Call.id))) == 0
        fresh.dispose()


@sqlite_only
def test_dashboard_stops_with_one_line_when_its_database_is_replaced(engine, admin, db_url):
    from yoolla_tui.app import make_app

    app = make_app(db_url=db_url, user="irina")
    path = Path(engine.url.database)
    os.unlink(path)
    with pytest.raises(DatabaseReplaced):
        app.check_database()
    assert app.return_code == DatabaseReplaced.exit_code


@sqlite_only
def test_demo_starting_over_is_not_taken_for_a_replaced_file(tmp_path):
    """`yoolla demo` deletes its own file on purpose; the same process then works on the new one."""
    from tests.conftest import Cli

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    demo = Cli(url)
    demo("--db", url, "demo", "--clients", "10", "--no-dashboard", user=None)
    again = demo("--db", url, "demo", "--clients", "10", "--no-dashboard", user=None)
    assert "deleted or replaced" not in again.stderr


@sqlite_only
def test_demo_leaves_the_exported_database_alone(cli, engine, tmp_path):
    """README: `yoolla demo` never touches your database, even with YOOLLA_DB exported in the shell
    (the walk-through exports it): it builds demo.sqlite in the user data directory."""
    before = Path(engine.url.database).read_bytes()
    out = cli("demo", "--clients", "10", "--no-dashboard", user=None, env={"XDG_DATA_HOME": str(tmp_path)})
    assert f"export YOOLLA_DB=sqlite:///{tmp_path}/yoolla/demo.sqlite" in out.stdout
    assert (tmp_path / "yoolla" / "demo.sqlite").exists()
    assert Path(engine.url.database).read_bytes() == before
