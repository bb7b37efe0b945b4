"""The audit hash chain's cost: how long linking takes per committed transaction, and
how long `db check` takes to verify a trail of N records.

    python bench/bench_audit_chain.py --records 20000 [--db URL]

Prints figures; asserts only that the chain it built verifies.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from yoolla_tui.core.kernel import audit, db, reference
from yoolla_tui.core.people import identity


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--db", default=None, help="An empty database URL (default: a temporary SQLite file).")
    parser.add_argument("--no-chain", action="store_true", help="Detach the chain's listeners: the baseline.")
    args = parser.parse_args()
    if args.no_chain:
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        event.remove(Session, "before_flush", audit._collect)
        event.remove(Session, "before_commit", audit._chain)
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'chain.sqlite'}"
    engine = db.get_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as s:
        reference.load_defaults(s)
        admin = identity.first_admin(session=s, login="irina")
    singles = 500
    start = time.perf_counter()
    for i in range(singles):  # one record per transaction, as a call log commits
        with db.session_scope(engine) as s:
            audit.record(s, admin, "bench.one", "deal", i, n=i)
    per_commit = (time.perf_counter() - start) / singles * 1000
    start = time.perf_counter()
    left = args.records - singles
    while left > 0:  # the rest in batches of 1,000, as an import does
        with db.session_scope(engine) as s:
            for i in range(min(1000, left)):
                audit.record(s, admin, "bench.batch", "client", i, n=i)
        left -= 1000
    batch_rate = (args.records - singles) / (time.perf_counter() - start)
    start = time.perf_counter()
    with db.session_scope(engine) as s:
        problems = audit.verify_chain(s)
    verify = time.perf_counter() - start
    assert args.no_chain or problems == [], problems[:3]
    print(f"{db.safe_url(engine)}: one record per transaction {per_commit:.2f} ms/commit (with its link); "
          f"batches of 1000: {batch_rate:,.0f} records/s; verifying {args.records:,} records: {verify:.2f} s")


if __name__ == "__main__":
    main()
