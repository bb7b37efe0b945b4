"""Concurrent operators: writes queue instead of failing, and nothing is overwritten silently."""

import threading

import pytest
from sqlalchemy import func, select

from yoolla_tui.core.calls import campaigns, clients, deals
from yoolla_tui.core.kernel import db
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import StaleEdit
from yoolla_tui.core.kernel.models import AuditRecord, Call


@pytest.fixture
def two_managers(engine, admin):
    with db.session_scope(engine) as s:
        for login in ("anna", "boris"):
            users.add_user(session=s, actor=admin, login=login)
        for i in range(40):
            clients.add_client(session=s, actor=admin, name=f"Client {i:02d}", phone=f"+7495{1000000 + i}")
        campaigns.create(session=s, actor=admin, name="W48", week="2026-W48")
        campaigns.add_clients(session=s, actor=admin, ref="W48")
        campaigns.assign(session=s, actor=admin, ref="W48", managers=["anna", "boris"], strategy="round-robin")
    return engine


def test_two_operators_logging_at_once_both_succeed(two_managers):
    engine = two_managers
    errors: list[BaseException] = []

    def work(login: str) -> None:
        try:
            with db.session_scope(engine) as s:
                actor = users.get_by_login(s, login)
                mine = [d["id"] for d in deals.list_deals(session=s, actor=actor)]
            for deal_id in mine:
                with db.session_scope(engine) as s:
                    actor = users.get_by_login(s, login)
                    deals.log_call(session=s, actor=actor, deal_id=deal_id, outcome="no_answer")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(login,)) for login in ("anna", "boris")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count(Call.id))) == 40
        assert s.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.action == "call.log")) == 40


def test_an_edit_against_an_older_version_is_refused(two_managers):
    engine = two_managers
    with db.session_scope(engine) as s:
        anna = users.get_by_login(s, "anna")
        seen = deals.list_deals(session=s, actor=anna)[0]
    # Someone else logs a call on the deal after anna opened it...
    with db.session_scope(engine) as s:
        deals.log_call(session=s, actor=users.get_by_login(s, "irina"), deal_id=seen["id"], outcome="no_answer")
    # ...so anna's edit, made against the version she saw, is refused and changes nothing.
    with pytest.raises(StaleEdit, match="was changed by someone else"):
        with db.session_scope(engine) as s:
            deals.log_call(session=s, actor=users.get_by_login(s, "anna"), deal_id=seen["id"], outcome="interested",
                           expected_version=seen["version"])
    with db.session_scope(engine) as s:
        assert [c.outcome for c in s.scalars(select(Call).where(Call.deal_id == seen["id"]))] == ["no_answer"]
