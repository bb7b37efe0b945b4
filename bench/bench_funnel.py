"""The funnel's figures (deal list by light, health), measured on this machine (not a pass/fail test).

    .venv/bin/python bench/bench_funnel.py [--deals 100000] [--repeat 5] [--db sqlite:///path] [--workdir DIR]

Builds (unless --db names an existing one) a SQLite database of --deals deals with SQLAlchemy
Core bulk inserts: 50 managers, one of them (`m00`) with 2,000 open deals, the rest shared out;
a third of the deals with checkpoints (some done, some late), stage deadlines spread so every
light occurs, some payments and close dates. Then times, each as a whole `yoolla` process (the
median of --repeat runs):

- `yoolla --user m00 deal list --light red --format json` (one manager's red deals);
- `yoolla --user m00 health --format json` (a manager with 2,000 open deals).

Target: under 0.5 s each. Also prints `yoolla --version` as the floor a process costs.
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
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from yoolla_tui.core.kernel import db, reference
from yoolla_tui.core.calls.importing.bulk import insert_rows
from yoolla_tui.core.kernel.models import Campaign, Checkpoint, CheckpointType, Client, Deal, Payment, Stage, User

YOOLLA = [sys.executable, "-c", "from yoolla_tui.cli import app; app()"]
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
MANAGERS = 50
HOT = 2000  # open deals of m00


def build(url: str, n_deals: int) -> None:
    engine = db.get_engine(url)
    db.upgrade(engine)
    rng = random.Random(13)
    with db.session_scope(engine) as session:
        reference.load_defaults(session)
    with engine.begin() as conn:
        insert_rows(conn, User.__table__, [{"login": "admin", "full_name": "", "role": "admin", "supervisor_id": None}],
                    same={"active": True, "created_at": NOW})
        admin_id = conn.scalar(select(User.id).where(User.login == "admin"))
        insert_rows(conn, User.__table__, [{"login": f"m{i:02d}", "full_name": "", "role": "manager", "supervisor_id": admin_id}
                                           for i in range(MANAGERS)], same={"active": True, "created_at": NOW})
        managers = list(conn.scalars(select(User.id).where(User.role == "manager").order_by(User.login)))
        stages = {s.code: s for s in conn.execute(select(Stage.id, Stage.code, Stage.kind, Stage.pipeline_id)).all()}
        pipeline_id = stages["to_call"].pipeline_id
        insert_rows(conn, Campaign.__table__, [{"name": "Bench 2026-W48", "week": "2026-W48", "week_start": date(2026, 11, 23),
                                                "owner_id": admin_id, "pipeline_id": pipeline_id, "rolled_from_id": None,
                                                "status": "open", "closed_at": None}], same={"created_at": NOW})
        campaign_id = conn.scalar(select(Campaign.id))
        insert_rows(conn, Client.__table__, [{"name": f"Client {i:06d}", "phone": f"+7495{i:07d}"} for i in range(n_deals)],
                    same={"contact_person": "", "phone_ext": "", "phone_raw": "", "email": "", "city": "", "note": "",
                          "extra": {}, "do_not_call": False, "dnc_reason": "", "dnc_at": None, "dnc_by_id": None,
                          "import_batch_id": None, "created_at": NOW, "updated_at": NOW})
        client_ids = list(conn.scalars(select(Client.id).order_by(Client.id)))
        open_codes = ["to_call", "agreed", "proposal_sent", "invoice_issued", "paid"]
        rows = []
        for index, client_id in enumerate(client_ids):
            manager = managers[0] if index < HOT else managers[1 + index % (MANAGERS - 1)]
            closed = index >= HOT and rng.random() < 0.3
            code = rng.choice(["attended", "refused"]) if closed else rng.choice(open_codes)
            rows.append({"client_id": client_id, "manager_id": manager, "stage_id": stages[code].id,
                         "next_call_at": None if closed or rng.random() < 0.3 else NOW + timedelta(hours=rng.randint(-72, 72)),
                         "stage_due_at": None if closed else NOW + timedelta(hours=rng.randint(-96, 120)),
                         "closed_at": NOW if closed else None,
                         "invoice_cents": 1_500_000 if code in ("invoice_issued", "paid", "attended") else None,
                         "close_by": date(2026, 11, 20) + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.5 else None})
        insert_rows(conn, Deal.__table__, rows,
                    same={"campaign_id": campaign_id, "status": "new", "callback_user_id": None, "attempts_week": 0,
                          "attempts_total": 0, "carried_over": False, "invoiced_at": None, "quality": None,
                          "lost_reason_id": None, "lost_note": "", "lost_at_stage_id": None, "stage_entered_at": NOW,
                          "rolled_from_deal_id": None, "import_batch_id": None, "created_at": NOW, "updated_at": NOW,
                          "version": 1})
        types = ["Design", "Prototype", "Testing", "Work complete"]
        insert_rows(conn, CheckpointType.__table__, [{"name": t, "stage_id": None} for t in types],
                    same={"roles": [], "user_ids": [], "created_at": NOW})
        type_ids = list(conn.scalars(select(CheckpointType.id).order_by(CheckpointType.id)))
        deal_ids = list(conn.scalars(select(Deal.id).order_by(Deal.id)))
        checkpoints, payments = [], []
        for index, deal_id in enumerate(deal_ids):
            if index % 3 == 0:
                for step, type_id in enumerate(type_ids):
                    due = NOW + timedelta(days=step * 2 - 3)
                    done = due + timedelta(hours=rng.randint(-24, 48)) if rng.random() < 0.5 else None
                    checkpoints.append({"deal_id": deal_id, "type_id": type_id, "due_at": due,
                                        "done_at": done if done and done < NOW else None,
                                        "done_by_id": managers[0] if done and done < NOW else None})
            if index % 4 == 0:
                payments.append({"deal_id": deal_id, "amount_cents": 500_000, "paid_at": NOW - timedelta(days=1)})
        insert_rows(conn, Checkpoint.__table__, checkpoints, same={"created_by_id": admin_id, "created_at": NOW})
        insert_rows(conn, Payment.__table__, payments, same={"user_id": admin_id, "created_at": NOW})
    engine.dispose()


def timed(args: list[str], env: dict, repeat: int) -> tuple[float, float, int]:
    """Median wall seconds and median CPU seconds (user + system: what the process itself costs,
    whatever else loads the machine) of `repeat` runs of one yoolla process, and its output lines."""
    walls, cpus, lines = [], [], 0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run([*YOOLLA, *args], env=env, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if out.returncode != 0:
            raise SystemExit(f"yoolla {' '.join(args)} failed: {out.stderr}")
        lines = out.stdout.count("\n")
    return statistics.median(walls), statistics.median(cpus), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", help="An existing database (built by this script) instead of a new one.")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if args.db:
        url = args.db
    else:
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_funnel_"))
        path = workdir / f"funnel_{args.deals}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        start = time.perf_counter()
        build(url, args.deals)
        print(f"built {args.deals} deals in {time.perf_counter() - start:.1f} s: {url}")
    env = {**os.environ, "YOOLLA_DB": url, "YOOLLA_USER": "m00", "YOOLLA_NOW": NOW.isoformat(), "YOOLLA_TZ": "Europe/Moscow"}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians of {args.repeat} runs; target < 0.5 s")
    floor = None
    for label, cmd in (("yoolla --version (the process floor)", ["--version"]),
                       ("yoolla --user m00 deal list --light red", ["deal", "list", "--light", "red", "--format", "json"]),
                       ("yoolla --user m00 health (2,000 open deals)", ["health", "--format", "json"])):
        wall, cpu, lines = timed(cmd, env, args.repeat)
        extra = "" if floor is None else f"   over the floor: wall {wall - floor[0]:+.3f} s, cpu {cpu - floor[1]:+.3f} s"
        floor = floor or (wall, cpu)
        print(f"{label:<46} wall {wall:.3f} s   cpu {cpu:.3f} s   ({lines} lines){extra}")
    _in_process(url)


def _in_process(url: str) -> None:
    """The core calls alone, warm, in this process (what the dashboard pays)."""
    os.environ.update(YOOLLA_NOW=NOW.isoformat(), YOOLLA_TZ="Europe/Moscow")
    from yoolla_tui.core.calls import deals
    from yoolla_tui.core.funnel import health
    from yoolla_tui.core.people import users

    engine = db.get_engine(url)
    with db.session_scope(engine) as session:
        m00 = users.get_by_login(session, "m00")
        for label, call in (("core deals.list_deals(light_='red')", lambda: deals.list_deals(session=session, actor=m00, light_="red")),
                            ("core health.list_health()", lambda: health.list_health(session=session, actor=m00))):
            call()
            times = []
            for _ in range(5):
                start = time.perf_counter()
                rows = call()
                times.append(time.perf_counter() - start)
            print(f"{label:<46} {statistics.median(times):.3f} s  ({len(rows)} rows)")


if __name__ == "__main__":
    main()
