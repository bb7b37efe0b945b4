"""How long an operator's call log waits while a big list is imported (figures, not pass/fail).

    .venv/bin/python bench/bench_import_lock.py [--rows 100000] [--base 0] [--every 0.2]
                                                [--pg postgresql+psycopg://yoolla:yoolla@127.0.0.1:5433/yoolla_lock]

A fresh database (SQLite, and PostgreSQL with --pg or YOOLLA_BENCH_PG) with one manager and her
deals, optionally `--base` clients already in it; then `yoolla import` of a ROWS-row CSV
(bench/make_list.py's list) runs as its own process while this one logs the manager's
no_answer call every EVERY seconds, one transaction per call, as the dashboard does. Printed: the
import's wall time, how many calls went in meanwhile, the median and longest call log, and
errors a user would have seen. On SQLite the longest call log is about how long the import held
the write lock.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from tests import loadgen  # noqa: E402
from yoolla_tui.core.calls import deals  # noqa: E402
from yoolla_tui.core.calls.importing import samples  # noqa: E402
from yoolla_tui.core.kernel import db, reference  # noqa: E402
from yoolla_tui.core.kernel.errors import YoollaError  # noqa: E402
from yoolla_tui.core.kernel.models import Client  # noqa: E402
from yoolla_tui.core.people import identity, users  # noqa: E402


def prepared(url: str, base: int, workdir: Path) -> None:
    engine = db.get_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        reference.load_defaults(s)
        identity.first_admin(session=s, login="irina")
    loadgen.build(url, operators=1, contacts=20, pool=False)
    if base:
        path = samples.write_csv(workdir / "base.csv", base, seed=99, encoding="utf-8", delimiter=";")
        _import(url, path)


def _import(url: str, path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    yoolla = Path(sys.executable).with_name("yoolla")  # the installed command, as an administrator runs it
    done = subprocess.run([str(yoolla), "--db", url, "import", str(path), "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "YOOLLA_LANG": "en"})
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return time.perf_counter() - start, done.stdout


def run(kind: str, url: str, rows: int, base: int, every: float, workdir: Path) -> None:
    prepared(url, base, workdir)
    engine = db.get_engine(url)
    with db.session_scope(engine) as s:
        mine = [d["id"] for d in deals.list_deals(session=s, actor=users.get_by_login(s, "op1"))]
        before = s.scalar(select(func.count(Client.id)))
    path = samples.write_csv(workdir / f"list-{rows}.csv", rows, seed=1)
    latencies: list[float] = []
    errors: list[str] = []
    stop = threading.Event()

    def probe() -> None:
        i = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                with db.session_scope(engine) as s:
                    deals.log_call(session=s, actor=users.get_by_login(s, "op1"), deal_id=mine[i % len(mine)],
                                   outcome="no_answer")
            except YoollaError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - t0)
            i += 1
            stop.wait(every)

    thread = threading.Thread(target=probe)
    thread.start()
    try:
        wall, _out = _import(url, path)
    finally:
        stop.set()
        thread.join()
    with db.session_scope(engine) as s:
        after = s.scalar(select(func.count(Client.id)))
    ordered = sorted(latencies)
    print(f"{kind:10} import of {rows:,} rows into a base of {before:,} clients: {wall:.2f} s wall, {after - before:,} "
          f"inserted; meanwhile {len(latencies)} call logs, median {1000 * ordered[len(ordered) // 2]:.0f} ms, "
          f"longest {1000 * ordered[-1]:.0f} ms, user errors {len(errors)}{': ' + errors[0] if errors else ''}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the imported list (100,000)")
    parser.add_argument("--base", type=int, default=0, help="clients already in the base (0)")
    parser.add_argument("--every", type=float, default=0.2, help="seconds between two call logs (0.2)")
    parser.add_argument("--pg", default=os.environ.get("YOOLLA_BENCH_PG"), help="a PostgreSQL URL (the role needs CREATEDB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        run("sqlite", f"sqlite:///{workdir / 'lock.sqlite'}", args.rows, args.base, args.every, workdir)
        if args.pg:
            from sqlalchemy.engine import make_url

            url = loadgen.pg_database(args.pg, f"{make_url(db.normalise_url(args.pg)).database}_lock")
            run("postgresql", url, args.rows, args.base, args.every, workdir)
            db.get_engine(url).dispose()
            loadgen.pg_database(args.pg, make_url(url).database, drop=True)


if __name__ == "__main__":
    main()
