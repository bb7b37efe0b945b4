"""A small campaign world for core service tests, built through the services themselves.

irina (admin) supervises anna and boris; sveta (supervisor) supervises vera; egor is an executor.
Clients C1..Cn (phones +74951000001…), campaign "W48" (2026-W48) with all of them, assigned
round-robin over anna, boris, vera: C1 anna, C2 boris, C3 vera, C4 anna, …
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlmodel import Session

from yoolla_tui.core.calls import campaigns, clients, deals
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.people import users


def at(text: str) -> datetime:
    """A Moscow wall-clock time, e.g. at("2026-11-23 10:00")."""
    return datetime.fromisoformat(text.replace(" ", "T") + "+03:00")


def build(session: Session, n_clients: int = 6, assign: bool = True) -> SimpleNamespace:
    w = SimpleNamespace(session=session)
    with clock.frozen(at("2026-11-23 08:00")):
        w.irina = users.get_by_login(session, "irina")
        w.sveta = users.add_user(session=session, actor=w.irina, login="sveta", role="supervisor")
        w.anna = users.add_user(session=session, actor=w.irina, login="anna", supervisor="irina")
        w.boris = users.add_user(session=session, actor=w.irina, login="boris", supervisor="irina")
        w.vera = users.add_user(session=session, actor=w.irina, login="vera", supervisor="sveta")
        w.egor = users.add_user(session=session, actor=w.irina, login="egor", role="executor")
        w.clients = [clients.add_client(session=session, actor=w.irina, name=f"C{i}", phone=f"+749510000{i:02d}")
                     for i in range(1, n_clients + 1)]
        campaigns.create(session=session, actor=w.irina, name="W48", week="2026-W48")
        campaigns.add_clients(session=session, actor=w.irina, ref="W48")
        if assign:
            campaigns.assign(session=session, actor=w.irina, ref="W48", managers=["anna", "boris", "vera"],
                             strategy="round-robin")
    return w


def deal_ids(session: Session, actor, campaign: str) -> dict[str, int]:
    """Client name -> deal id on `campaign` (closed deals included)."""
    return {r["client"]: r["id"] for r in deals.list_deals(session=session, actor=actor, campaign=campaign,
                                                           include_closed=True)}


def rows(session: Session, actor, **filters) -> dict[str, dict]:
    return {r["client"]: r for r in deals.list_deals(session=session, actor=actor, **filters)}
