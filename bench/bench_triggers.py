"""What stage triggers cost a stage move, measured (not a pass/fail test).

    .venv/bin/python bench/bench_triggers.py [--deals 60] [--db URL]

On a fresh SQLite file (or --db URL, an empty migrated database), builds --deals new deals for
one manager, then moves half of them to `agreed` with no trigger on that stage and the other half
with four triggers on (an approval process, a checkpoint, a task, a notification), each move in
its own transaction as the CLI does. Prints the median and 90th percentile per move of both
halves, and how many rows the triggered half wrote.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("YOOLLA_TZ", "Europe/Moscow")
os.environ.setdefault("YOOLLA_NOW", "2026-11-23T10:00:00+03:00")
os.environ.setdefault("YOOLLA_LANG", "en")

from sqlalchemy import func, select  # noqa: E402

from yoolla_tui.core.automation import triggers  # noqa: E402
from yoolla_tui.core.calls import campaigns, clients, deals  # noqa: E402
from yoolla_tui.core.funnel import checkpoints  # noqa: E402
from yoolla_tui.core.kernel import db, reference  # noqa: E402
from yoolla_tui.core.kernel.models import AuditRecord, Task  # noqa: E402
from yoolla_tui.core.people import users  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=60)
    parser.add_argument("--db")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench_triggers.sqlite"
    engine = db.get_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        reference.load_defaults(s)
        irina = users.bootstrap_admin(session=s, login="irina")
        users.add_user(session=s, actor=irina, login="sveta", role="supervisor")
        users.add_user(session=s, actor=irina, login="anna", supervisor="irina")
        users.add_user(session=s, actor=irina, login="egor", role="executor")
        for i in range(args.deals):
            clients.add_client(session=s, actor=irina, name=f"C{i}", phone=f"+7495100{i:04d}")
        campaigns.create(session=s, actor=irina, name="W48", week="2026-W48")
        campaigns.add_clients(session=s, actor=irina, ref="W48", manager="anna")
        checkpoints.add_type(session=s, actor=irina, name="Brief done")
        ids = [r["id"] for r in deals.list_deals(session=s, actor=irina, campaign="W48")]

    def move(deal_ids) -> list[float]:
        out = []
        for deal_id in deal_ids:
            start = time.perf_counter()
            with db.session_scope(engine) as s:
                anna = users.get_by_login(s, "anna")
                deals.advance(session=s, actor=anna, deal_id=deal_id, to="agreed")
            out.append((time.perf_counter() - start) * 1000)
        return out

    half = len(ids) // 2
    plain = move(ids[:half])
    with db.session_scope(engine) as s:
        irina = users.get_by_login(s, "irina")
        for kind, options in [("process", {"template": "approval"}), ("checkpoint", {"type": "Brief done", "days": 2}),
                              ("task", {"title": "Programme", "estimate": "15m", "role": "executor"}),
                              ("notify", {"roles": "supervisor", "manager": True})]:
            triggers.add_trigger(session=s, actor=irina, stage="agreed", kind=kind, options=options)
        rows_before = s.scalar(select(func.count(AuditRecord.id))), s.scalar(select(func.count(Task.id)))
    fired = move(ids[half:])
    with db.session_scope(engine) as s:
        rows_after = s.scalar(select(func.count(AuditRecord.id))), s.scalar(select(func.count(Task.id)))

    def q(values, p):
        return sorted(values)[min(len(values) - 1, int(len(values) * p))]

    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print(f"move to agreed, no trigger:     median {statistics.median(plain):6.1f} ms, p90 {q(plain, .9):6.1f} ms ({len(plain)} moves)")
    print(f"move to agreed, four triggers:  median {statistics.median(fired):6.1f} ms, p90 {q(fired, .9):6.1f} ms ({len(fired)} moves)")
    print(f"the triggered moves wrote {rows_after[1] - rows_before[1]} tasks and {rows_after[0] - rows_before[0]} audit records")


if __name__ == "__main__":
    main()
