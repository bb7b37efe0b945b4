"""A seller with requisites and a client with a contact and an email, for the document tests."""

from __future__ import annotations

from yoolla_tui.core.calls import clients
from yoolla_tui.core.documents import company
from yoolla_tui.core.kernel import clock

from tests.core.world import at, build, deal_ids

REQUISITES = dict(name="ООО «Юлла Семинары»", inn="7701234567", kpp="770101001", account="40702810900000012345",
                  bank="ПАО Сбербанк, г. Москва", bik="044525225", corr_account="30101810400000000225",
                  address="г. Москва, ул. Тверская, д. 1", city="Москва", phone="+7 495 100-00-00",
                  director="Орлова И. В.", vat="20")


def documents_world(session, *, requisites: dict | None = REQUISITES):
    """build() plus the company's requisites and C1 (anna's) as «ООО Вектор & Co» with an email."""
    w = build(session)
    w.deal = deal_ids(session, w.irina, "W48")
    with clock.frozen(at("2026-11-23 08:00")):
        if requisites:
            company.set_company(session=session, actor=w.irina, **requisites)
        clients.edit_client(session=session, actor=w.irina, ref=str(w.clients[0].id), name="ООО Вектор & Co",
                            contact_person="Иванов Пётр", email="petr@vector.example", city="Москва")
    session.flush()
    return w
