"""`yoolla next` on a big shared pool: the pool query's time, one operator alone and 50 at once.

    python bench/bench_next.py --db /work/bench-db/big.sqlite
    python bench/bench_next.py --db postgresql+psycopg://yoolla:yoolla@127.0.0.1:5433/yoolla_bench

Works on a scratch copy of a bench/make_db.py database (a file copy; PostgreSQL: CREATE DATABASE
… TEMPLATE, so nobody else may be connected to it) in which every open deal is put in the pool
(no manager, no call-back owner) and due. Prints the pool SELECT's own time (cursor execute to
fetch, the query `next` runs to take a contact) alone (median of --rounds, each rolled back), then
with --operators threads, each on its own connection, taking --pulls contacts each at once
(committed): median and p99 of the query time and of a whole `next`, and whether any contact went
out twice. Target: under 50 ms of query time at 50 operators.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("YOOLLA_TZ", "Europe/Moscow")
os.environ.setdefault("YOOLLA_NOW", "2026-11-26T15:00:00+03:00")

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from ab import load  # noqa: E402
from yoolla_tui.core.calls import pool  # noqa: E402
from yoolla_tui.core.kernel import clock, db  # noqa: E402
from yoolla_tui.core.people import users  # noqa: E402

def scratch(url: str, folder: str) -> str:
    if "://" not in url or url.startswith("sqlite"):
        source = url.split("///", 1)[-1]
        target = Path(folder) / "next.sqlite"
        shutil.copy(source, target)
        return f"sqlite:///{target}"
    parsed = make_url(url)
    name = f"{parsed.database}_next"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"')
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    if url.startswith("postgresql"):
        parsed = make_url(url)
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}"')
        admin.dispose()


def make_pool(engine) -> int:
    now = clock.now()
    with engine.begin() as conn:
        rows = conn.execute(text("UPDATE deal SET manager_id = NULL, callback_user_id = NULL, reserved_by_id = NULL, "
                                 "reserved_until = NULL, status = CASE WHEN status = 'call_back' THEN 'new' ELSE status END "
                                 "WHERE closed_at IS NULL")).rowcount
        # every open deal due by now, spread over the last 10 days
        if engine.dialect.name == "postgresql":
            conn.execute(text("UPDATE deal SET next_call_at = :now - (id % 14400) * interval '1 minute' WHERE closed_at IS NULL"),
                         {"now": now})
        else:
            conn.execute(text("UPDATE deal SET next_call_at = strftime('%Y-%m-%d %H:%M:%f000', :now, '-' || (id % 14400) || ' minutes') "
                              "WHERE closed_at IS NULL"), {"now": now.astimezone(clock.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--pulls", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = scratch(args.db, folder)
        try:
            run(url, args)
        finally:
            db.get_engine.cache_clear()
            drop(url)


def run(url: str, args) -> None:
    engine = db.get_engine(url)
    if engine.dialect.name == "postgresql":
        engine = create_engine(engine.url, pool_size=args.operators + 2, max_overflow=0,
                               connect_args={"options": f"-c lock_timeout={db.busy_timeout_ms()}"})
    else:
        engine.pool._pool.maxsize = args.operators + 2  # noqa: SLF001 - one connection per operator
    pooled = make_pool(engine)
    query_times: list[float] = []
    lock = threading.Lock()
    local = threading.local()

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, params, context, executemany):
        local.start = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().startswith("SELECT") and "FROM deal" in statement and "callback_user_id IS NULL" in statement:
            with lock:
                query_times.append(time.perf_counter() - local.start)

    with Session(engine) as s:
        managers = [row[0] for row in s.execute(text("SELECT login FROM \"user\" WHERE role = 'manager' ORDER BY login"))]
    print(f"database: {db.safe_url(engine)} (scratch copy); pool: {pooled} open deals, all due; "
          f"{len(managers)} managers  [{load()}]")
    # alone: one operator, rolled back each time
    alone, whole = [], []
    for _ in range(args.rounds):
        query_times.clear()
        with Session(engine) as s:
            actor = users.get_by_login(s, managers[0])
            started = time.perf_counter()
            deal = pool.next_contact(session=s, actor=actor)
            whole.append(time.perf_counter() - started)
            assert deal is not None and deal.manager_id is None
            s.rollback()
        alone.append(sum(query_times))
    print(f"  one operator:  pool query {statistics.median(alone) * 1000:6.1f} ms, whole next "
          f"{statistics.median(whole) * 1000:6.1f} ms (median of {args.rounds})")
    # at once: every operator on its own thread and connection
    query_times.clear()
    taken: list[int] = []
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(min(args.operators, len(managers)))

    def operator(login: str) -> None:
        barrier.wait()
        for _ in range(args.pulls):
            started = time.perf_counter()
            try:
                with db.session_scope(engine) as s:
                    deal = pool.next_contact(session=s, actor=users.get_by_login(s, login))
                    deal_id = deal.id if deal else None
                    if deal is not None:  # the call is made at once: due again tomorrow, the reservation over
                        deal.reserved_by_id, deal.reserved_until = None, None
                        deal.next_call_at = clock.now() + timedelta(days=1)
            except Exception as error:  # noqa: BLE001 - a bench reports what users would see
                with lock:
                    errors.append(type(error).__name__)
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
                if deal_id is not None:
                    taken.append(deal_id)

    cpu = time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=operator, args=(login,)) for login in managers[:args.operators]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    qs = sorted(query_times)
    ls = sorted(latencies)
    p99 = lambda xs: xs[min(len(xs) - 1, int(len(xs) * 0.99))] if xs else float("nan")  # noqa: E731
    print(f"  {len(threads)} operators at once, {args.pulls} pulls each: pool query median {statistics.median(qs) * 1000:6.1f} ms, "
          f"p99 {p99(qs) * 1000:6.1f} ms; whole next median {statistics.median(ls) * 1000:6.1f} ms, p99 {p99(ls) * 1000:6.1f} ms; "
          f"{len(taken)} contacts in {wall:.1f} s ({time.process_time() - cpu:.1f} s CPU), "
          f"{len(taken) - len(set(taken))} handed out twice, errors: {errors or 'none'}  [{load()}]")
    engine.dispose()


if __name__ == "__main__":
    main()
