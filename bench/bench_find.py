"""`g` (find anyone) and `client list --search` figures: the one search rule in core,
timed on a database of --deals clients and deals (not a pass/fail test; target < 100 ms).

    .venv/bin/python bench/bench_find.py [--deals 100000] [--calls 0] [--runs 20] [--db PATH]

Builds the database with bench/bench_dashboard.py's quick builder (one campaign, Core bulk
inserts; --db PATH reuses an earlier one), then prints the median and worst of --runs for a
manager's `g` by phone in four forms, by a part of a name, by a deal id, and the admin's
`client list --search` by phone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_dashboard import build  # noqa: E402  (sets YOOLLA_NOW / YOOLLA_TZ for the run)

from yoolla_tui.core.calls import clients, find  # noqa: E402
from yoolla_tui.core.kernel import db  # noqa: E402
from yoolla_tui.core.people import users  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float, int]:
    times, found = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        found = len(fn())
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=0)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db")
    args = parser.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench_find.sqlite"
    url = f"sqlite:///{path}"
    if not path.exists():
        start = time.perf_counter()
        build(url, args.deals, args.calls, 50)
        print(f"built {args.deals:,} clients and deals, {args.calls:,} calls in {time.perf_counter() - start:.1f} s: {path}")
    engine = db.get_engine(url)
    n = args.deals // 2 + 7  # a client in the middle; phones are +7495 and the number, 7 digits
    phone = f"{n:07d}"
    cases = [
        ("g  8 495 …  (trunk prefix, spaces and dashes)", "m07", f"8 495 {phone[:3]}-{phone[3:5]}-{phone[5:]}"),
        ("g  8495…    (11 digits, as typed)", "m07", f"8495{phone}"),
        ("g  +7 495 … (international)", "m07", f"+7 495 {phone[:3]} {phone[3:5]} {phone[5:]}"),
        ("g  last 4 digits", "m07", phone[-4:]),
        ("g  part of a name, any case", "m07", "клиент 5000"),
        ("g  deal id #1234", "admin", "#1234"),
    ]
    with db.session_scope(engine) as session:
        for label, login, text in cases:
            actor = users.resolve_actor(session, login)
            median, worst, found = timed(lambda: find.find(session=session, actor=actor, text=text), args.runs)
            print(f"{label:<48} {median:7.1f} ms median  {worst:7.1f} ms worst  ({found} rows)")
        admin = users.resolve_actor(session, "admin")
        median, worst, found = timed(lambda: clients.list_clients(session=session, actor=admin, search=f"8495{phone}"),
                                     args.runs)
        print(f"{'client list --search 8495… (admin)':<48} {median:7.1f} ms median  {worst:7.1f} ms worst  ({found} rows)")


if __name__ == "__main__":
    main()
