"""The reports' figures (report daily, report weekly, campaign export), measured in one run on a database made by bench/make_db.py.

    python bench/make_db.py --db /tmp/big.sqlite                                   # 50 managers, 100k deals, 1M calls
    python bench/make_db.py --db /tmp/one.sqlite --weeks 1 --deals 100000 --calls 200000   # one 100k-deal campaign
    python bench/bench_reports.py --db /tmp/big.sqlite --export-db /tmp/one.sqlite

Prints, for `report daily` and `report weekly`: the whole process (`yoolla report … --format json`,
target < 1 s), the core functions in-process, and a hand-written SQL floor computing the same
numbers (target: core within 10x of it); for `campaign export` of the export database's
campaign: the whole process and in-process, against openpyxl write-only mode writing the same
rows alone (target within 1.5x). --now must be the generator's --now.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, text  # noqa: E402

from yoolla_tui.core.kernel import clock, db
from yoolla_tui.core.reports import summary as reports, workbook
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.types import UTCDateTime

from make_db import DEFAULT_NOW  # noqa: E402

YOOLLA = [sys.executable, "-c", "from yoolla_tui.cli import app; app()"]


# The machine may be shared: CPU seconds (user + system) are printed beside wall seconds.
CPU: dict[str, float] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process(args: list[str], env: dict) -> float:
    """Wall seconds of one `yoolla …` process; its CPU seconds go to CPU["process"]."""
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run([*YOOLLA, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    CPU["process"] = _children_cpu() - cpu
    return time.perf_counter() - started


def best(fn, repeat: int = 3) -> float:
    """The best wall time of `repeat` runs (the CPU time of that run goes to CPU["best"])."""
    times = []
    for _ in range(repeat):
        cpu = time.process_time()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started, time.process_time() - cpu))
    wall, CPU["best"] = min(times)
    return wall


def _t(sql: str, *names: str):
    return text(sql).bindparams(*(bindparam(n, type_=UTCDateTime()) for n in names))


FIGURES = """
SELECT c.user_id, c.outcome, COUNT(*) FROM call c JOIN deal d ON d.id = c.deal_id
 WHERE c.at >= :s AND c.at < :e AND d.campaign_id IN ({acts}) GROUP BY c.user_id, c.outcome;
SELECT c.user_id, COUNT(DISTINCT c.deal_id) FROM call c JOIN deal d ON d.id = c.deal_id
 WHERE c.at >= :s AND c.at < :e AND d.campaign_id IN ({acts}) AND c.outcome NOT IN ('no_answer', 'wrong_number')
 GROUP BY c.user_id;
SELECT manager_id, SUM(CASE WHEN campaign_id IN ({camps}) THEN 1 ELSE 0 END),
 SUM(CASE WHEN status = 'new' AND closed_at IS NULL AND next_call_at IS NOT NULL THEN 1 ELSE 0 END),
 SUM(CASE WHEN carried_over AND status IN ('new', 'call_back') AND closed_at IS NULL AND next_call_at IS NOT NULL THEN 1 ELSE 0 END),
 SUM(CASE WHEN status = 'call_back' AND closed_at IS NULL AND next_call_at < :asof THEN 1 ELSE 0 END),
 SUM(CASE WHEN closed_at >= :s AND closed_at < :e AND lost_reason_id IS NULL THEN 1 ELSE 0 END),
 SUM(CASE WHEN closed_at >= :s AND closed_at < :e AND lost_reason_id IS NOT NULL THEN 1 ELSE 0 END),
 SUM(CASE WHEN invoiced_at >= :s AND invoiced_at < :e THEN 1 ELSE 0 END),
 SUM(CASE WHEN invoiced_at >= :s AND invoiced_at < :e THEN invoice_cents ELSE 0 END)
 FROM deal WHERE campaign_id IN ({acts}) GROUP BY manager_id;
SELECT d.manager_id, COUNT(*), SUM(p.amount_cents) FROM payment p JOIN deal d ON d.id = p.deal_id
 WHERE p.paid_at >= :s AND p.paid_at < :e AND d.campaign_id IN ({acts}) GROUP BY d.manager_id
"""

FUNNEL = """
SELECT d.manager_id, CASE WHEN s.kind = 'lost' THEN COALESCE(b.position, 1) ELSE s.position END AS reach, COUNT(*)
 FROM deal d JOIN stage s ON s.id = d.stage_id LEFT JOIN stage b ON b.id = d.lost_at_stage_id
 WHERE d.campaign_id IN ({camps}) GROUP BY d.manager_id, reach
"""


def floor_daily(session, camps: str, start, end, asof, acts: str | None = None) -> None:
    for sql in FIGURES.format(camps=camps, acts=acts or camps).split(";"):
        names = [n for n in ("s", "e", "asof") if f":{n}" in sql]
        session.execute(_t(sql, *names), {k: v for k, v in {"s": start, "e": end, "asof": asof}.items() if k in names}).all()


def floor_weekly(session, camps: str, prev: str, week, previous, now, plan_days, acts: str, prev_acts: str) -> None:
    floor_daily(session, camps, *week, min(week[1], now), acts)  # acts: the week's and earlier campaigns
    floor_daily(session, prev, *previous, min(previous[1], now), prev_acts)
    session.execute(text(FUNNEL.format(camps=camps))).all()
    cases = ", ".join(f"SUM(CASE WHEN next_call_at >= :b{i} AND next_call_at < :b{i + 1} THEN 1 ELSE 0 END)"
                      for i in range(len(plan_days) - 1))
    names = [f"b{i}" for i in range(len(plan_days))]
    session.execute(_t(f"SELECT {cases} FROM deal WHERE campaign_id IN ({camps}) AND closed_at IS NULL "
                       f"AND next_call_at IS NOT NULL", *names), dict(zip(names, plan_days))).all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a database made by make_db.py")
    parser.add_argument("--export-db", help="a database with one 100k-deal campaign (make_db.py --weeks 1)")
    parser.add_argument("--now", default=DEFAULT_NOW)
    parser.add_argument("--user", default="irina")
    args = parser.parse_args()
    env = {**os.environ, "YOOLLA_DB": args.db, "YOOLLA_USER": args.user, "YOOLLA_NOW": args.now,
           "YOOLLA_TZ": os.environ.get("YOOLLA_TZ", "Europe/Moscow")}
    os.environ.update({k: env[k] for k in ("YOOLLA_NOW", "YOOLLA_TZ")})
    engine = db.get_engine(args.db)
    print(f"database: {db.safe_url(engine)}; now = {args.now}")
    for name in ("daily", "weekly"):
        process(["report", name, "--format", "json"], env)  # warm the file cache
        wall = process(["report", name, "--format", "json"], env)
        print(f"report {name}, whole process (--format json): {wall:.2f} s wall, {CPU['process']:.2f} s CPU")
    now = clock.now()
    today = clock.today()
    with db.session_scope(engine) as session:
        actor = users.get_by_login(session, args.user)
        core_daily = best(lambda: reports.daily(session=session, actor=actor))
        cpu_daily = CPU["best"]
        core_weekly = best(lambda: reports.weekly(session=session, actor=actor))
        cpu_weekly = CPU["best"]
        open_ids = ",".join(str(i) for i in session.scalars(text("SELECT id FROM campaign WHERE status = 'open'")))
        start, end = clock.local_day_bounds(today)
        f_daily = best(lambda: floor_daily(session, open_ids, start, end, min(end, now)))
        monday, _sunday = clock.parse_week(clock.week_of(today))
        week_ids = ",".join(str(i) for i in session.execute(text("SELECT id FROM campaign WHERE week_start = :m"), {"m": monday}).scalars())
        prev_ids = ",".join(str(i) for i in session.execute(text("SELECT id FROM campaign WHERE week_start = :m"), {"m": monday - timedelta(days=7)}).scalars()) or "0"
        wk = (clock.local_day_bounds(monday)[0], clock.local_day_bounds(monday + timedelta(days=7))[0])
        pw = (clock.local_day_bounds(monday - timedelta(days=7))[0], wk[0])
        plan = [clock.local_day_bounds(today + timedelta(days=i))[0] for i in range(reports.PLAN_DAYS + 1)]
        older = "SELECT id FROM campaign WHERE week_start <= :m"
        acts = ",".join(str(i) for i in session.execute(text(older), {"m": monday}).scalars()) or "0"
        prev_acts = ",".join(str(i) for i in session.execute(text(older), {"m": monday - timedelta(days=7)}).scalars()) or "0"
        f_weekly = best(lambda: floor_weekly(session, week_ids, prev_ids, wk, pw, now, plan, acts, prev_acts))
    print(f"report daily, core queries: {core_daily * 1000:.0f} ms (client CPU {cpu_daily * 1000:.0f} ms); "
          f"hand-written SQL floor: {f_daily * 1000:.0f} ms ({core_daily / f_daily:.1f}x)")
    print(f"report weekly, core queries: {core_weekly * 1000:.0f} ms (client CPU {cpu_weekly * 1000:.0f} ms); "
          f"hand-written SQL floor: {f_weekly * 1000:.0f} ms ({core_weekly / f_weekly:.1f}x)")
    if args.export_db:
        export(args, env)


def export(args, env) -> None:
    engine = db.get_engine(args.export_db)
    env = {**env, "YOOLLA_DB": args.export_db}
    with db.session_scope(engine) as session:
        actor = users.get_by_login(session, args.user)
        name, deals = session.execute(text("SELECT c.name, COUNT(d.id) FROM campaign c JOIN deal d ON d.campaign_id = c.id "
                                           "GROUP BY c.name ORDER BY COUNT(d.id) DESC")).first()
        cid = session.execute(text("SELECT id FROM campaign WHERE name = :n"), {"n": name}).scalar()
        rows = list(workbook.campaign_rows(session, actor, cid))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "export.xlsx"
        whole = process(["campaign", "export", name, "--out", str(out)], env)
        whole_cpu = CPU["process"]
        with db.session_scope(engine) as session:
            actor = users.get_by_login(session, args.user)
            cpu, started = time.process_time(), time.perf_counter()
            workbook.export_campaign(session=session, actor=actor, ref=name, path=out)
            core, core_cpu = time.perf_counter() - started, time.process_time() - cpu

        from openpyxl import Workbook

        cpu, started = time.process_time(), time.perf_counter()
        book = Workbook(write_only=True)
        current, ws = None, None
        for login, cells in rows:
            if login != current:
                current, ws = login, book.create_sheet(login)
                ws.append(workbook.HEADER)
            ws.append(cells)
        book.save(Path(folder) / "floor.xlsx")
        floor, floor_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"campaign export of {name!r} ({deals} deals): whole process {whole:.2f} s wall / {whole_cpu:.2f} s CPU, "
          f"in-process {core:.2f} s / {core_cpu:.2f} s CPU; openpyxl write-only writing the same rows alone "
          f"{floor:.2f} s / {floor_cpu:.2f} s CPU (CPU: process {whole_cpu / floor_cpu:.2f}x, "
          f"in-process {core_cpu / floor_cpu:.2f}x)")


if __name__ == "__main__":
    main()
