"""`yoolla audit --format json` streams: its peak memory stays flat from 100k to 1M records.

    python bench/bench_audit.py [--records 100000 1000000] [--db postgresql+psycopg://…/yoolla_audit]

Makes a scratch database per size (a SQLite file, or with --db an empty PostgreSQL database that
is emptied and filled) with that many `deal.advance`-like audit records (each with a manager and
a stage change), then runs `yoolla audit --format json > /dev/null` once per size as its own
process and prints wall, CPU and peak RSS (by /usr/bin/time); beside it, on SQLite,
`sqlite-utils rows … --nl` streaming the same table (the peer).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402

from ab import load  # noqa: E402
from yoolla_tui.core.calls.importing.bulk import insert_rows  # noqa: E402
from yoolla_tui.core.kernel import db, reference  # noqa: E402
from yoolla_tui.core.kernel.models import AuditRecord  # noqa: E402
from yoolla_tui.core.people import identity  # noqa: E402

PY = sys.executable
YOOLLA = shutil.which("yoolla", path=str(Path(PY).parent)) or "yoolla"
SQLITE_UTILS = shutil.which("sqlite-utils", path=str(Path(PY).parent)) or "sqlite-utils"


def fill(url: str, records: int) -> None:
    engine = db.get_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        if engine.dialect.name == "postgresql":
            session.execute(text("TRUNCATE audit_record"))
        reference.load_defaults(session)
        from sqlalchemy import select

        from yoolla_tui.core.kernel.models import User

        admin_id = session.scalar(select(User.id).where(User.login == "irina"))
        if admin_id is None:
            # mapped to whoever runs the bench (OS login / database role), as `yoolla init` does
            admin_id = identity.first_admin(session=session, login="irina", full_name="Irina").id
    start = datetime(2026, 1, 5, 6, tzinfo=timezone.utc)
    with engine.begin() as conn:
        for first in range(0, records, 100_000):
            rows = [{"at": start + timedelta(seconds=30 * i), "entity_id": i % 100_000 + 1,
                     "data": {"stage_before": 1, "stage_after": 2, "manager_before": admin_id, "manager_after": admin_id,
                              "note": "перезвонить после обеда"}}
                    for i in range(first, min(records, first + 100_000))]
            insert_rows(conn, AuditRecord.__table__, rows,
                        same={"actor_id": admin_id, "action": "deal.advance", "entity": "deal"})
    engine.dispose()
    db.get_engine.cache_clear()


def measure(argv: list[str], env: dict) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one process, its output thrown away. Peak RSS comes from
    /usr/bin/time: a child forked from this (large) process would inherit its high-water mark."""
    with tempfile.NamedTemporaryFile("r") as out:
        started = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", out.name, *argv], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        user, system, kib = out.read().split()[-3:]
    return wall, float(user) + float(system), int(kib) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--db", help="an empty PostgreSQL database to fill (default: SQLite files in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for records in args.records:
            url = args.db or f"sqlite:///{Path(folder) / f'audit{records}.sqlite'}"
            fill(url, records)
            env = {**os.environ, "YOOLLA_DB": url, "YOOLLA_USER": "irina", "YOOLLA_TZ": "Europe/Moscow"}
            figures = {"yoolla audit --format json": [YOOLLA, "audit", "--format", "json"]}
            if not args.db:
                figures["sqlite-utils rows audit_record --nl (peer)"] = [SQLITE_UTILS, "rows", url.split("///", 1)[1],
                                                                         "audit_record", "--nl"]
            print(f"{records:,} audit records on {url.split('@')[-1].split('///')[-1]}  [{load()}]")
            for label, argv in figures.items():
                wall, cpu, rss = measure(argv, env)
                print(f"  {label:<45} {wall:7.1f} s wall {cpu:6.1f} s CPU  peak RSS {rss:6.0f} MiB")


if __name__ == "__main__":
    main()
