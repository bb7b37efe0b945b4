"""How long making a document (proposal, invoice, contract, spec) takes, measured on this machine (not a pass/fail test).

    .venv/bin/python bench/bench_documents.py [--repeat 40] [--kind invoice] [--db sqlite:///path]

Builds (unless --db names an existing database with the demo's seller) a fresh SQLite database
with an admin, the seller's requisites and --repeat deals, then makes one document of --kind per
deal through core (`documents.make_document`, each in its own transaction, as the CLI and the
dashboard do: numbering, filling the .docx template, keeping the file, the audit record) and
prints the median and the slowest, in ms. The first document (imports, template parsing warm-up)
is reported on its own. No PDF: LibreOffice is not asked for when `soffice` is absent; with it
installed the PDF conversion (seconds) is outside the target and reported separately.

Target: under 300 ms per document in core.
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

from yoolla_tui.core import documents  # noqa: E402
from yoolla_tui.core.calls import campaigns, clients  # noqa: E402
from yoolla_tui.core.documents import company, render  # noqa: E402
from yoolla_tui.core.kernel import db, reference  # noqa: E402
from yoolla_tui.core.people import users  # noqa: E402

REQUISITES = dict(name="ООО «Юлла Семинары»", inn="7701234567", kpp="770101001", account="40702810900000012345",
                  bank="ПАО Сбербанк", bik="044525225", corr_account="30101810400000000225",
                  address="г. Москва, ул. Тверская, д. 1", director="Орлова И. В.", vat="20", price="15000")


def build(url: str, deals: int) -> list[int]:
    engine = db.get_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        reference.load_defaults(session)
        admin = users.bootstrap_admin(session=session, login="irina", full_name="Ирина Орлова")
        company.set_company(session=session, actor=admin, **REQUISITES)
        for i in range(deals):
            clients.add_client(session=session, actor=admin, name=f"ООО Клиент {i:03d}", phone=f"+7495{2000000 + i}",
                               contact_person="Иванов Пётр", email=f"c{i}@client.example")
        campaigns.create(session=session, actor=admin, name="W48", week="2026-W48")
        campaigns.add_clients(session=session, actor=admin, ref="W48")
    from yoolla_tui.core.calls import deals as deals_core

    with db.session_scope(engine) as session:
        admin = users.get_by_login(session, "irina")
        return [d["id"] for d in deals_core.list_deals(session=session, actor=admin)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--kind", default="invoice", choices=reference.DOCUMENT_KINDS)
    parser.add_argument("--db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        deal_ids = build(url, args.repeat) if not args.db else None
        engine = db.get_engine(url)
        timings = []
        for deal_id in deal_ids or range(1, args.repeat + 1):
            start = time.perf_counter()
            with db.session_scope(engine) as session:
                documents.make_document(session=session, actor=users.get_by_login(session, "irina"), deal_id=deal_id,
                                        kind=args.kind)
            timings.append((time.perf_counter() - start) * 1000)
    first, rest = timings[0], timings[1:]
    print(f"documents: {args.kind}, {len(timings)} made in core on {engine.dialect.name}"
          f" (PDF converter: {render.pdf_converter() or 'none'})")
    print(f"first (cold): {first:.0f} ms")
    print(f"median: {statistics.median(rest):.1f} ms   slowest: {max(rest):.1f} ms   target: < 300 ms")


if __name__ == "__main__":
    main()
