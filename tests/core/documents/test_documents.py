"""Documents (issue 27): each kind rendered from a deal, opened with python-docx and read back;
the amount in Russian words; the stage gate a document opens; numbering in a year."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document as Docx
from sqlalchemy import select

from yoolla_tui.core import documents
from yoolla_tui.core.calls import deals
from yoolla_tui.core.documents import render
from yoolla_tui.core.documents.words import amount_in_words, rubles
from yoolla_tui.core.funnel import stages
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import BadInput, Conflict, GateNotMet
from yoolla_tui.core.kernel.models import AuditRecord, Deal, Document, Stage

from tests.core.documents_world import documents_world
from tests.core.world import at


def text_of(path: str | Path) -> str:
    """Every paragraph and table cell of a .docx, one per line."""
    doc = Docx(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.mark.parametrize("cents, words", [
    (15000_00, "Пятнадцать тысяч рублей 00 копеек"),
    (1_00, "Один рубль 00 копеек"),
    (2_01, "Два рубля 01 копейка"),
    (21001_22, "Двадцать одна тысяча один рубль 22 копейки"),
    (11_11, "Одиннадцать рублей 11 копеек"),
    (1234567_05, "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 05 копеек"),
])
def test_amount_in_words(cents, words):
    assert amount_in_words(cents) == words


def test_rubles_are_shown_with_spaces_and_a_comma():
    assert rubles(1500050) == "15\u00a0000,50"


@pytest.mark.parametrize("kind, heading", [("proposal", "Коммерческое предложение № 1 от 24 ноября 2026 г."),
                                            ("invoice", "Счёт на оплату № 1 от 24 ноября 2026 г."),
                                            ("contract", "Договор № 1"),
                                            ("spec", "Спецификация № 1 от 24 ноября 2026 г.")])
def test_every_kind_names_client_lines_total_and_words(session, admin, kind, heading):
    w = documents_world(session)
    with clock.frozen(at("2026-11-24 10:00")):
        deals.invoice(session=session, actor=w.anna, deal_id=w.deal["C1"], amount="15000")
        made = documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind=kind)
    text = text_of(made["path"])
    assert heading in text
    assert "ООО Вектор & Co" in text and "Иванов Пётр" in text
    assert "Участие в семинаре (W48)" in text
    assert "15\u00a0000,00" in text
    assert "Пятнадцать тысяч рублей 00 копеек" in text
    assert "{{" not in text and "{%" not in text
    if kind in ("invoice", "contract"):
        assert "7701234567" in text and "40702810900000012345" in text and "044525225" in text
        assert "В том числе НДС (20%): 2\u00a0500,00 руб." in text
    assert made["number"] == 1 and made["year"] == 2026 and made["kind"] == kind
    row = session.scalars(select(Document)).one()
    assert (row.deal_id, row.kind, row.path, row.made_by_id) == (w.deal["C1"], kind, made["path"], w.anna.id)
    assert Path(made["path"]).parent.parent.name == "yoolla-documents" or "documents" in made["path"]


def test_without_vat_the_invoice_says_so(session, admin):
    w = documents_world(session)
    from yoolla_tui.core.documents import company

    company.set_company(session=session, actor=w.irina, vat="none")
    made = documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="invoice", amount="999.99")
    text = text_of(made["path"])
    assert "Без налога (НДС)" in text and "Девятьсот девяносто девять рублей 99 копеек" in text


def test_invoices_are_numbered_per_year_without_gaps(session, admin):
    w = documents_world(session)
    with clock.frozen(at("2026-12-30 10:00")):
        first = documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="invoice", amount="100")
        second = documents.make_document(session=session, actor=w.boris, deal_id=w.deal["C2"], kind="invoice", amount="200")
        proposal = documents.make_document(session=session, actor=w.boris, deal_id=w.deal["C2"], kind="proposal")
    with clock.frozen(at("2027-01-11 10:00")):
        january = documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="invoice")
    assert [(d["year"], d["number"]) for d in (first, second, proposal, january)] == [(2026, 1), (2026, 2), (2026, 1), (2027, 1)]
    assert Path(second["path"]).name == "invoice-2026-0002-deal%d.docx" % w.deal["C2"]


def test_a_refused_document_gives_its_number_back(engine, admin):
    from yoolla_tui.core.kernel import db

    with db.session_scope(engine) as session:
        w = documents_world(session)
    with pytest.raises(BadInput, match="has no invoice amount"):
        with db.session_scope(engine) as session:
            documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="invoice")
    with db.session_scope(engine) as session:
        made = documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="invoice", amount="10")
    assert made["number"] == 1


def test_invoice_amount_is_recorded_on_the_deal(session, admin):
    w = documents_world(session)
    deals.log_call(session=session, actor=w.anna, deal_id=w.deal["C1"], outcome="interested")
    made = documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="invoice", amount="15 000")
    deal = session.get(Deal, w.deal["C1"])
    assert (deal.invoice_cents, made["amount"]) == (1500000, "15000.00")
    assert session.get(Stage, deal.stage_id).code == "invoice_issued"


def test_missing_requisites_are_named(session, admin):
    w = documents_world(session, requisites=None)
    with pytest.raises(BadInput) as refused:
        documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="invoice", amount="100")
    assert str(refused.value) == ("the seller's requisites lack name, inn, account, bank, bik, needed on the invoice for payment: "
                                  "yoolla company set --name … --inn … --account … --bank … --bik … (an admin)")
    assert session.scalars(select(Document)).first() is None


def test_proposal_sent_needs_a_proposal_and_making_one_moves_the_deal(session, admin):
    w = documents_world(session)
    deal_id = w.deal["C1"]
    deals.log_call(session=session, actor=w.anna, deal_id=deal_id, outcome="interested")
    with pytest.raises(GateNotMet) as refused:
        deals.advance(session=session, actor=w.anna, deal_id=deal_id, to="proposal_sent")
    assert str(refused.value) == (f"deal {deal_id} cannot enter 'proposal_sent': it needs a document: commercial "
                                  f"proposal (yoolla deal document {deal_id} proposal)")
    made = documents.make_document(session=session, actor=w.anna, deal_id=deal_id, kind="proposal")
    assert made["moved_to"] == "proposal_sent"
    deal = session.get(Deal, deal_id)
    assert session.get(Stage, deal.stage_id).code == "proposal_sent"
    actions = [r.action for r in session.scalars(select(AuditRecord).where(AuditRecord.entity_id == deal_id,
                                                                           AuditRecord.entity == "deal")
                                                 .order_by(AuditRecord.id))]
    assert actions[-2:] == ["document.make", "deal.stage"]


def test_a_stage_that_needs_the_proposal_sent_waits_for_the_mail(session, admin):
    w = documents_world(session)
    stages.set_stage(session=session, actor=w.irina, code="proposal_sent", requires_document="proposal", requires_sent=True)
    deal_id = w.deal["C1"]
    deals.log_call(session=session, actor=w.anna, deal_id=deal_id, outcome="interested")
    made = documents.make_document(session=session, actor=w.anna, deal_id=deal_id, kind="proposal")
    assert made["moved_to"] is None
    assert made["not_moved"] == [f"a document sent to the client: commercial proposal (yoolla deal document {deal_id} proposal --send)"]
    with pytest.raises(GateNotMet, match="it needs a document sent to the client: commercial proposal"):
        deals.advance(session=session, actor=w.anna, deal_id=deal_id, to="proposal_sent")
    stages.set_stage(session=session, actor=w.irina, code="proposal_sent", requires_document="none")
    deals.advance(session=session, actor=w.anna, deal_id=deal_id, to="proposal_sent")


def test_send_without_email_names_the_client_and_makes_nothing(session, admin):
    w = documents_world(session)
    c2 = w.clients[1]
    with pytest.raises(Conflict) as refused:
        documents.make_document(session=session, actor=w.boris, deal_id=w.deal["C2"], kind="proposal", send=True)
    assert str(refused.value) == (f"client {c2.id} (C2) has no email; add one (yoolla client edit {c2.id} --email ADDRESS) "
                                  "or give --to ADDRESS; nothing was made or sent")
    assert session.scalars(select(Document)).first() is None


def test_a_manager_makes_documents_only_for_own_deals(session, admin):
    from yoolla_tui.core.kernel.errors import PermissionDenied

    w = documents_world(session)
    with pytest.raises(PermissionDenied):
        documents.make_document(session=session, actor=w.boris, deal_id=w.deal["C1"], kind="proposal")
    assert documents.list_documents(session=session, actor=w.boris) == []


def test_out_writes_a_copy_and_an_admin_template_wins(session, admin, tmp_path, monkeypatch):
    w = documents_world(session)
    folder = tmp_path / "docs"
    monkeypatch.setenv("YOOLLA_DOCUMENTS_DIR", str(folder))
    own = Docx()
    own.add_paragraph("Наш бланк: {{ client.name }} — {{ totals.in_words }}")
    (folder / "templates").mkdir(parents=True)
    own.save(str(folder / "templates" / "proposal.docx"))
    made = documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="proposal", amount="15000",
                                   out=tmp_path / "kp.docx")
    assert made["out"] == [str(tmp_path / "kp.docx")]
    assert "Наш бланк: ООО Вектор & Co — Пятнадцать тысяч рублей 00 копеек" in text_of(tmp_path / "kp.docx")
    assert Path(made["path"]).is_relative_to(folder)


@pytest.mark.skipif(render.pdf_converter() is None, reason="LibreOffice (soffice) is not installed: no PDF converter (apt-get install "
                           "--no-install-recommends libreoffice-writer-nogui, ~150 MB, too big for every CI run)")
def test_a_pdf_is_made_beside_the_docx_where_libreoffice_is_installed(session, admin):  # pragma: no cover
    w = documents_world(session)
    made = documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="invoice", amount="15000")
    assert made["pdf"] and Path(made["pdf"]).read_bytes().startswith(b"%PDF")
    import shutil
    import subprocess

    if shutil.which("pdftotext"):  # poppler-utils: read the PDF's text back
        text = subprocess.run(["pdftotext", made["pdf"], "-"], capture_output=True, text=True, check=True).stdout
        assert "Счёт на оплату № 1" in text and "Пятнадцать тысяч рублей 00 копеек" in text
