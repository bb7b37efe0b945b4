"""Many operators at once, as real processes (issue 17): the acceptance tests and
bench/bench_seats.py share this.

- `build(url, operators=8, contacts=…, pool=…)`: managers op1…opN, `contacts` clients on
  campaign "Pool" (left unassigned: the shared pool) or "Shared" (assigned round-robin).
- `run(kind, url, logins, …)`: one `python -m tests.loadgen KIND …` process per login, started
  together (each waits for the same wall-clock instant after its imports), and their results.
  `log`: the operator logs N no_answer calls over their own deals, one transaction per call.
  `pull`: the operator asks for the next contact and logs a call on it until nothing is due.
Each worker prints one JSON line: the deal ids it got or called, latencies (s), the message
and type of every error that would have reached a user, and when it began and ended (epoch s).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

NOW = "2026-11-23T10:00:00+03:00"  # Monday 10:00 Moscow: the campaign's contacts are due
ROOT = Path(__file__).resolve().parent.parent


def pg_database(base_url: str, name: str, *, drop: bool = False) -> str:
    """(Re)create the empty PostgreSQL database `name` on `base_url`'s server (or only drop it);
    returns its URL. The role needs CREATEDB."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from yoolla_tui.core.kernel import db

    from sqlalchemy.exc import DBAPIError

    base = make_url(db.normalise_url(base_url))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for attempt in range(20):
            try:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                break
            except DBAPIError:
                # PostgreSQL 15 lets a role that is not superuser FORCE out only its own sessions: an
                # autovacuum worker analysing a freshly restored database refuses it for a moment.
                if attempt == 19:
                    raise
                time.sleep(0.5)
        if not drop:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def build(url: str, *, operators: int = 8, contacts: int = 1000, pool: bool = True) -> list[str]:
    """The world for a run; returns the operators' logins. Needs the admin `irina`."""
    from yoolla_tui.core.calls import campaigns, clients
    from yoolla_tui.core.kernel import clock, db
    from yoolla_tui.core.people import users

    logins = [f"op{i}" for i in range(1, operators + 1)]
    with clock.frozen(datetime.fromisoformat("2026-11-23T08:00:00+03:00")), db.session_scope(db.get_engine(url)) as s:
        irina = users.get_by_login(s, "irina")
        for login in logins:
            users.add_user(session=s, actor=irina, login=login)
        for i in range(contacts):
            clients.add_client(session=s, actor=irina, name=f"Client {i:05d}", phone=f"+7495{2000000 + i}")
        name = "Pool" if pool else "Shared"
        campaigns.create(session=s, actor=irina, name=name, week="2026-W48")
        campaigns.add_clients(session=s, actor=irina, ref=name)
        if not pool:
            campaigns.assign(session=s, actor=irina, ref=name, managers=logins, strategy="round-robin")
    return logins


def start(kind: str, url: str, logins: list[str], *, calls: int = 0, env: dict | None = None,
          delay: float | None = None) -> list[subprocess.Popen]:
    """Start one worker process per login; they begin together after `delay` seconds."""
    start_at = time.time() + (1.5 + 0.1 * len(logins) if delay is None else delay)  # after every process has imported
    full_env = {**os.environ, "YOOLLA_NOW": NOW, "YOOLLA_TZ": "Europe/Moscow", "YOOLLA_LANG": "en", **(env or {})}
    return [subprocess.Popen([sys.executable, "-m", "tests.loadgen", kind, url, login, str(calls), str(start_at)],
                             cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for login in logins]


def collect(procs: list[subprocess.Popen], timeout: float = 300) -> list[dict]:
    """Wait for every worker; their JSON results (a worker that failed fails the caller)."""
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, f"worker exited {proc.returncode}: {err[-2000:]}"
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def run(kind: str, url: str, logins: list[str], *, calls: int = 0, timeout: float = 300, env: dict | None = None) -> list[dict]:
    """Start one worker process per login at once; wait for all; return their JSON results."""
    return collect(start(kind, url, logins, calls=calls, env=env), timeout)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)] if ordered else 0.0


def _log(url: str, login: str, calls: int) -> dict:
    from yoolla_tui.core.kernel import db
    from yoolla_tui.core.calls import deals
    from yoolla_tui.core.people import users
    from yoolla_tui.core.kernel.errors import YoollaError

    engine = db.get_engine(url)
    with db.session_scope(engine) as s:
        me = users.get_by_login(s, login)
        mine = [d["id"] for d in deals.list_deals(session=s, actor=me)]
    latencies, errors, logged = [], [], []
    began = _wait()
    for i in range(calls):
        deal_id = mine[i % len(mine)]
        t0 = time.perf_counter()
        try:
            with db.session_scope(engine) as s:
                deals.log_call(session=s, actor=users.get_by_login(s, login), deal_id=deal_id, outcome="no_answer")
            logged.append(deal_id)
        except YoollaError as exc:  # what a user would see
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append(time.perf_counter() - t0)
    return {"login": login, "deals": logged, "latencies": latencies, "errors": errors, "began": began, "ended": time.time()}


def _pull(url: str, login: str, _calls: int) -> dict:
    from yoolla_tui.core.kernel import db
    from yoolla_tui.core.calls import deals, pool
    from yoolla_tui.core.people import users
    from yoolla_tui.core.kernel.errors import YoollaError

    engine = db.get_engine(url)
    latencies, errors, got = [], [], []
    began = _wait()
    while True:
        t0 = time.perf_counter()
        try:
            with db.session_scope(engine) as s:
                deal = pool.next_contact(session=s, actor=users.get_by_login(s, login))
                deal_id = deal.id if deal else None
            latencies.append(time.perf_counter() - t0)
            if deal_id is None:
                break
            got.append(deal_id)
            with db.session_scope(engine) as s:
                deals.log_call(session=s, actor=users.get_by_login(s, login), deal_id=deal_id, outcome="no_answer")
        except YoollaError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            if len(errors) > 20:
                break
    return {"login": login, "deals": got, "latencies": latencies, "errors": errors, "began": began, "ended": time.time()}


def _wait() -> float:
    """Sleep until the common start instant; returns when this worker really began (epoch s)."""
    start_at = float(sys.argv[5])
    time.sleep(max(0.0, start_at - time.time()))
    return time.time()


if __name__ == "__main__":
    kind, url, login, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    result = {"log": _log, "pull": _pull}[kind](url, login, calls)
    sys.stdout.write(json.dumps(result) + "\n")
