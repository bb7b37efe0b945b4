"""Invoice numbers under concurrency (issue 27): several processes issuing invoices at once on
one database never get the same number, and the numbers of the year have no gaps."""

from __future__ import annotations

import multiprocessing
import time

import pytest
from sqlalchemy import select

from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.models import Document

from tests.core.documents_world import documents_world

PROCESSES = 4
EACH = 5


def _issue(url: str, deal_id: int, start_at: float, results) -> None:
    """One issuer: wait for the common start, then make EACH invoices, one transaction each."""
    from yoolla_tui.core import documents
    from yoolla_tui.core.people import users

    engine = db.get_engine(url)
    time.sleep(max(0.0, start_at - time.time()))
    numbers = []
    try:
        for i in range(EACH):
            with db.session_scope(engine) as session:
                actor = users.get_by_login(session, "irina")
                made = documents.make_document(session=session, actor=actor, deal_id=deal_id, kind="invoice",
                                               amount=str(1000 + i))
                numbers.append(made["number"])
        results.put(("ok", deal_id, numbers))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        results.put(("error", deal_id, repr(exc)))


@pytest.mark.slow
def test_concurrent_issuers_never_share_a_number_and_leave_no_gap(engine, db_url, admin):
    with db.session_scope(engine) as session:
        w = documents_world(session)
    deal_ids = [w.deal[f"C{i}"] for i in range(1, PROCESSES + 1)]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 3  # every process imported and waiting before the first invoice
    workers = [context.Process(target=_issue, args=(db_url, deal_id, start_at, results)) for deal_id in deal_ids]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert [o for o in outcomes if o[0] != "ok"] == []
    issued = sorted(n for _status, _deal, numbers in outcomes for n in numbers)
    assert issued == list(range(1, PROCESSES * EACH + 1))
    with db.session_scope(engine) as session:
        rows = session.scalars(select(Document).order_by(Document.number)).all()
    assert [r.number for r in rows] == issued
    assert len({r.path for r in rows}) == PROCESSES * EACH
    # Each issuer's own invoices came in rising order (a number is taken inside its transaction).
    for _status, _deal, numbers in outcomes:
        assert numbers == sorted(numbers)
