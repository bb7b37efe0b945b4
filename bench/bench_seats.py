"""Many seats at once (concurrent call logging, the shared pool, a backup meanwhile), measured in one run on this machine (not a pass/fail test).

    .venv/bin/python bench/bench_seats.py [--processes 8] [--calls 500] [--contacts 1000]
                                          [--pg postgresql+psycopg://yoolla:yoolla@127.0.0.1:5433/yoolla_seats]

For one SQLite file and (with --pg, or YOOLLA_BENCH_PG) a PostgreSQL database created next to the
one named (the role needs CREATEDB):
- N processes each logging M no_answer calls on their own deals, one transaction per call:
  calls per second over the whole run, p50/p99 latency of one call log, errors seen by a user;
  checks exactly N*M calls and audit records, and M calls per operator in the daily report;
- N processes pulling a shared pool of K contacts (`next` then a logged call) until it is empty:
  contacts per second, p99 latency of one `next`, and whether every contact went out exactly once;
- a backup taken during the pull, restored and checked with `db check`.
The workers are tests/loadgen.py, the same the acceptance tests use.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("YOOLLA_TZ", "Europe/Moscow")

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests import loadgen  # noqa: E402
from yoolla_tui.core.kernel import clock, db, reference
from yoolla_tui.core.maintenance import backup as maintenance
from yoolla_tui.core.reports import summary as reports
from yoolla_tui.core.people import identity, users
from yoolla_tui.core.kernel.models import AuditRecord, Call


def fresh(kind: str, name: str, pg: str | None, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / (name + '.sqlite')}"
    return loadgen.pg_database(pg, f"{make_url(db.normalise_url(pg)).database}_{name}")


def prepared(url: str) -> None:
    engine = db.get_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        reference.load_defaults(s)
        identity.first_admin(session=s, login="irina")


def span(results: list[dict]) -> float:
    """From the first worker's start to the last one's end (process start-up left out)."""
    return max(r["ended"] for r in results) - min(r["began"] for r in results)


def bench_log(kind, pg, workdir, processes, calls) -> None:
    url = fresh(kind, "bench_log", pg, workdir)
    prepared(url)
    logins = loadgen.build(url, operators=processes, contacts=processes * 20, pool=False)
    db.get_engine(url).dispose()
    results = loadgen.run("log", url, logins, calls=calls, timeout=3600)
    wall = span(results)
    lat = [x for r in results for x in r["latencies"]]
    errors = sum(len(r["errors"]) for r in results)
    with db.session_scope(db.get_engine(url)) as s:
        n_calls = s.scalar(select(func.count(Call.id)))
        n_audit = s.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.action == "call.log"))
        with clock.frozen(datetime.fromisoformat(loadgen.NOW)):
            daily = reports.daily(session=s, actor=users.get_by_login(s, "irina"))
        per_operator = sorted({r["calls"] for r in daily if not r.get("total")})
    print(f"{kind:10} log   {processes} x {calls} calls: {n_calls} recorded (audit {n_audit}), "
          f"{n_calls / wall:7.1f} calls/s ({wall:.1f} s), one call log p50 {1000 * loadgen.percentile(lat, 50):6.1f} ms, "
          f"p99 {1000 * loadgen.percentile(lat, 99):7.1f} ms, max {1000 * max(lat):7.1f} ms, user errors {errors}, "
          f"daily report calls per operator {per_operator}",
          flush=True)


def bench_pull(kind, pg, workdir, processes, contacts) -> None:
    url = fresh(kind, "bench_pull", pg, workdir)
    prepared(url)
    logins = loadgen.build(url, operators=processes, contacts=contacts, pool=True)
    engine = db.get_engine(url)
    engine.dispose()
    delay = 1.5 + 0.1 * processes
    procs = loadgen.start("pull", url, logins, delay=delay)
    time.sleep(delay + 1.0)
    backup = workdir / f"during_{kind}.backup"
    tb = time.perf_counter()
    maintenance.backup(engine, str(backup), force=True)
    backup_s = time.perf_counter() - tb
    during = all(p.poll() is None for p in procs)
    results = loadgen.collect(procs, timeout=3600)
    wall = span(results)
    handed = [d for r in results for d in r["deals"]]
    lat = [x for r in results for x in r["latencies"]]
    errors = sum(len(r["errors"]) for r in results)
    target = fresh(kind, "bench_restored", pg, workdir)
    maintenance.restore(db.get_engine(target), str(backup), force=True)
    failed = [c["check"] for c in maintenance.check(db.get_engine(target)) if not c["ok"]]
    print(f"{kind:10} pull  {processes} processes, {contacts}-contact pool: {len(handed)} handed out, "
          f"{len(set(handed))} distinct ({'each exactly once' if len(handed) == len(set(handed)) == contacts else 'WRONG'}), "
          f"{len(handed) / wall:6.1f} contacts/s ({wall:.1f} s), next p99 {1000 * loadgen.percentile(lat, 99):7.1f} ms, user errors {errors}; "
          f"backup {'during the load' if during else 'after the load ended'} in {backup_s:.2f} s, "
          f"restored: db check {'passes' if not failed else 'FAILS ' + ','.join(failed)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--pg", default=os.environ.get("YOOLLA_BENCH_PG"))
    parser.add_argument("--only", choices=["log", "pull"])
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ["sqlite"] + (["postgresql"] if args.pg else []):
            if args.only in (None, "log"):
                bench_log(kind, args.pg, Path(tmp), args.processes, args.calls)
            if args.only in (None, "pull"):
                bench_pull(kind, args.pg, Path(tmp), args.processes, args.contacts)


if __name__ == "__main__":
    main()
