"""The task forecast's figures (core and `task queue`), measured in one run on this machine (not a pass/fail test).

    .venv/bin/python bench/bench_forecast.py [--executors 50] [--tasks 200] [--repeat 5] [--db URL]

Builds a database (a temporary SQLite file unless --db) with E executors × T queued tasks, one
order per 10 tasks, every third task waiting on a task of another executor (chains cross
queues), then prints:
- the forecast in core (`forecast.compute`, every queue walked through the schedules, reasons
  recorded): median of --repeat runs (target < 0.5 s);
- `yoolla task queue --of exec00` as a whole process (interpreter start, imports, forecast,
  render): median wall time (target < 1 s).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from yoolla_tui.core.calls import campaigns, clients
from yoolla_tui.core.kernel import clock, db, reference
from yoolla_tui.core.work import forecast
from yoolla_tui.core.people import identity, users
from yoolla_tui.core.calls.importing.bulk import insert_rows
from yoolla_tui.core.kernel.models import Order, Task, TaskDependency

NOW = "2026-11-02T09:00:00+03:00"
os.environ.setdefault("YOOLLA_TZ", "Europe/Moscow")


def build(url: str, executors: int, per_executor: int, seed: int = 15) -> None:
    engine = db.get_engine(url)
    db.upgrade(engine)
    rng = random.Random(seed)
    now = datetime.fromisoformat(NOW)
    with clock.frozen(now), db.session_scope(engine) as s:
        reference.load_defaults(s)
        admin = identity.first_admin(session=s, login="irina")
        users.add_user(session=s, actor=admin, login="anna", role="manager")
        people = [users.add_user(session=s, actor=admin, login=f"exec{i:02d}", role="executor") for i in range(executors)]
        clients.add_client(session=s, actor=admin, name="Bench client", phone="+74951234567")
        campaigns.create(session=s, actor=admin, name="Bench", week="2026-W45")
        campaigns.add_clients(session=s, actor=admin, ref="Bench", manager="anna")
        s.flush()
        total = executors * per_executor
        order_rows = [{"id": i + 1, "deal_id": 1, "title": f"Order {i + 1}", "priority": rng.randint(0, 3), "quantity": 1,
                       "status": "open", "template": None} for i in range(total // 10)]
        conn = s.connection()
        insert_rows(conn, Order.__table__, order_rows, same={"created_by_id": admin.id, "created_at": now, "updated_at": now})
        task_rows, deps = [], []
        for n in range(total):
            task_rows.append({"id": n + 1, "order_id": n // 10 + 1, "title": f"Task {n + 1}", "type": rng.choice(["design", "build", "print"]),
                              "subtype": "", "assignee_id": people[n % executors].id, "priority": rng.randint(0, 5),
                              "estimate_minutes": rng.choice([30, 60, 90, 120, 240, 480]),
                              "due_at": now + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.3 else None,
                              "created_at": now - timedelta(minutes=total - n)})
            if n % 3 == 2 and n > executors:
                # Wait on an earlier task of another executor: chains cross queues, never loop.
                blocker = n - rng.randint(1, executors - 1)
                deps.append({"task_id": n + 1, "blocker_id": blocker + 1})
        insert_rows(conn, Task.__table__, task_rows, same={"status": "todo", "created_by_id": admin.id, "updated_at": now, "done_at": None})
        insert_rows(conn, TaskDependency.__table__, deps)
        if engine.dialect.name == "postgresql":
            from sqlalchemy import text

            for table in ("order", "task"):
                quoted = f'"{table}"'
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{quoted}', 'id'), (SELECT max(id) FROM {quoted}))"))
    print(f"built: {executors} executors × {per_executor} tasks = {total} open tasks, {len(deps)} cross-executor dependencies")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--executors", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default=None, help="An EMPTY database URL (default: a temporary SQLite file).")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="yoolla-bench-forecast-")
    url = args.db or f"sqlite:///{Path(workdir) / 'forecast.sqlite'}"
    build(url, args.executors, args.tasks)
    engine = db.get_engine(url)
    times, cpu = [], []
    with clock.frozen(datetime.fromisoformat(NOW)):
        for _ in range(args.repeat):
            with db.session_scope(engine) as s:
                started, started_cpu = time.perf_counter(), time.process_time()
                fc = forecast.compute(s)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
    placed = sum(1 for item in fc.items.values() if item.finish is not None)
    last = max(item.finish for item in fc.items.values() if item.finish is not None)
    print(f"forecast in core: {statistics.median(times):.3f} s wall, {statistics.median(cpu):.3f} s CPU, median of "
          f"{args.repeat} ({placed}/{len(fc.items)} tasks placed, last finish {clock.iso(last)}; target < 0.5 s)")
    env = dict(os.environ, YOOLLA_DB=url, YOOLLA_USER="irina", YOOLLA_NOW=NOW, YOOLLA_TZ="Europe/Moscow")
    yoolla = str(Path(sys.executable).parent / "yoolla")
    # `user list` is the fixed cost every command pays (interpreter, imports, schema check).
    for label, cmd in (("`yoolla task queue --of exec00`", [yoolla, "task", "queue", "--of", "exec00"]),
                       ("`yoolla user list` (any command's fixed cost)", [yoolla, "user", "list"])):
        walls, cpus = [], []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
            walls.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        print(f"{label} as a process: {statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s CPU, "
              f"median of {args.repeat} (target for the queue < 1 s)")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

if __name__ == "__main__":
    main()
