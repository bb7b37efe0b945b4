"""Mailing documents (issue 27) through a real SMTP server the test starts on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from yoolla_tui.core import documents
from yoolla_tui.core.calls import deals
from yoolla_tui.core.documents import mail
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.kernel.errors import BadInput, NotDelivered
from yoolla_tui.core.kernel.models import AuditRecord, Deal, Document, Stage

from tests.core.documents_world import documents_world
from tests.core.world import at
from tests.smtp_server import free_port, smtp_server


def test_proposal_reaches_the_client_with_its_attachment(session, admin):
    w = documents_world(session)
    deal_id = w.deal["C1"]
    with smtp_server() as (port, inbox):
        mail.set_mail(session=session, actor=w.irina, host="127.0.0.1", port=port, sender="sales@yoolla.example",
                      security="none")
        with clock.frozen(at("2026-11-23 10:00")):
            deals.log_call(session=session, actor=w.anna, deal_id=deal_id, outcome="interested")
            made = documents.make_document(session=session, actor=w.anna, deal_id=deal_id, kind="proposal", send=True)
    assert len(inbox.received) == 1
    sender, recipients, message = inbox.received[0]
    assert (sender, recipients) == ("sales@yoolla.example", ["petr@vector.example"])
    assert message["To"] == "petr@vector.example" and message["From"] == "sales@yoolla.example"
    assert message["Subject"] == "Коммерческое предложение № 1 от 23.11.2026 — ООО «Юлла Семинары»"
    assert message["Message-ID"] and message["Date"]
    assert "Здравствуйте, Иванов Пётр!" in message.get_body(("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == Path(made["path"]).name
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert attachment.get_content() == Path(made["path"]).read_bytes()
    row = session.scalars(select(Document)).one()
    assert (row.sent_to, row.sent_at) == ("petr@vector.example", at("2026-11-23 10:00"))
    sent = session.scalars(select(AuditRecord).where(AuditRecord.action == "document.send")).one()
    assert (sent.actor_id, sent.entity_id, sent.data["to"], sent.data["kind"]) == (w.anna.id, deal_id, "petr@vector.example", "proposal")
    assert session.get(Stage, session.get(Deal, deal_id).stage_id).code == "proposal_sent"


def test_send_later_and_to_another_address(session, admin):
    w = documents_world(session)
    made = documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="invoice", amount="15000")
    with smtp_server() as (port, inbox):
        mail.set_mail(session=session, actor=w.irina, host="127.0.0.1", port=port, sender="sales@yoolla.example")
        sent = documents.send_document(session=session, actor=w.anna, document_id=made["id"], to="buh@vector.example")
    assert sent["sent_to"] == "buh@vector.example"
    assert inbox.received[0][1] == ["buh@vector.example"]
    assert inbox.received[0][2]["Subject"].startswith("Счёт на оплату № 1 от ")


def test_a_refused_connection_records_nothing(engine, admin):
    from yoolla_tui.core.kernel import db

    with db.session_scope(engine) as session:
        w = documents_world(session)
        port = free_port()  # nobody listens there
        mail.set_mail(session=session, actor=w.irina, host="127.0.0.1", port=port, sender="sales@yoolla.example")
    with pytest.raises(NotDelivered) as refused:
        with db.session_scope(engine) as session:
            documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="proposal", send=True)
    assert str(refused.value).startswith(f"mail to petr@vector.example not sent: SMTP server 127.0.0.1:{port}: ")
    with db.session_scope(engine) as session:
        assert session.scalars(select(Document)).first() is None
        assert session.scalars(select(AuditRecord).where(AuditRecord.action.startswith("document."))).first() is None


def test_a_login_needs_a_password_and_the_password_file_is_read(session, admin, tmp_path, monkeypatch):
    w = documents_world(session)
    mail.set_mail(session=session, actor=w.irina, host="127.0.0.1", port=2525, user="sales", sender="sales@yoolla.example")
    with pytest.raises(BadInput, match="the SMTP user sales needs a password: set YOOLLA_SMTP_PASSWORD"):
        documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="proposal", send=True)
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret-pass\n")
    shown = mail.set_mail(session=session, actor=w.irina, password_file=str(secret))
    assert shown["password"] == f"file {secret}"
    assert "s3cret-pass" not in repr(mail.get(session))
    assert mail._password(mail.get(session)) == "s3cret-pass"
    monkeypatch.setenv("YOOLLA_SMTP_PASSWORD", "from-env")
    assert mail._password(mail.get(session)) == "from-env"
    assert mail.show(session=session, actor=w.irina)["password"] == "environment variable YOOLLA_SMTP_PASSWORD"


def test_the_password_logs_in_and_a_wrong_one_is_refused(session, admin, monkeypatch):
    w = documents_world(session)
    with smtp_server(login=("sales", "right")) as (port, inbox):
        mail.set_mail(session=session, actor=w.irina, host="127.0.0.1", port=port, user="sales",
                      sender="sales@yoolla.example")
        monkeypatch.setenv("YOOLLA_SMTP_PASSWORD", "wrong")
        with pytest.raises(NotDelivered, match=r"SMTP server 127.0.0.1:\d+: 535 "):
            documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="proposal", send=True)
        monkeypatch.setenv("YOOLLA_SMTP_PASSWORD", "right")
        documents.make_document(session=session, actor=w.anna, deal_id=w.deal["C1"], kind="proposal", send=True)
    assert [r[1] for r in inbox.received] == [["petr@vector.example"]]
