"""Find anyone: the dashboard's `g` (and its palette) for an inbound call. One box takes a deal
id (`274`, `#274`) or the client search rule (`clients.search_clause`: name, contact, e-mail,
city, the phone in any form); a found client with no open deal gets one in one step."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.calls import campaigns, clients
from yoolla_tui.core.kernel import audit, clock, reference
from yoolla_tui.core.kernel.errors import Conflict, NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Campaign, CampaignStatus, Client, Deal, Role, Stage, User
from yoolla_tui.core.kernel.permissions import deal_scope, require_client_reader, require_role
from yoolla_tui.core.people.calendar import WorkCalendar

_DEAL_ID = re.compile(r"^#?\s*(\d{1,9})$")


def find(*, session: Session, actor: User, text: str, limit: int = 30) -> list[dict]:
    """Who `text` names, best first: the deal with that id (when it is one the actor may see),
    then each matching client by name with the deals on it the actor may see, open ones first.
    A client with none open has one row with `deal_id` None (open one with `open_deal`).

    Row: client_id, client, phone, phone_ext, contact_person, deal_id, campaign, stage_name,
    manager, closed, do_not_call; a row without a deal has `held_by`: the manager of an open deal
    on the client the actor may not see (None when there is none)."""
    require_client_reader(actor, action=_("search clients"))
    text = (text or "").strip()
    if not text:
        return []
    scope = deal_scope(session, actor)
    rows: list[dict] = []
    as_id = _DEAL_ID.match(text)
    if as_id:
        stmt = _deals().where(Deal.id == int(as_id.group(1)))
        if scope is not None:
            stmt = stmt.where(scope)
        rows += [_row(*r) for r in session.execute(stmt)]
        if text.startswith("#"):
            return rows
    found = list(session.scalars(select(Client).where(clients.search_clause(text))
                                 .order_by(Client.name, Client.id).limit(limit)))
    found.sort(key=lambda c: (clients.fold(c.name), c.id))
    if not found:
        return rows
    stmt = _deals().where(Deal.client_id.in_([c.id for c in found]))
    if scope is not None:
        stmt = stmt.where(scope)
    by_client: dict[int, list[dict]] = {}
    for r in session.execute(stmt.order_by(Deal.closed_at.is_not(None), Campaign.week_start.desc(), Deal.id)):
        by_client.setdefault(r[1].id, []).append(_row(*r))
    # Open deals the actor may not see: the row says whose they are instead of offering a new one.
    held = {client_id: (deal_id, login) for deal_id, client_id, login in session.execute(
        select(Deal.id, Deal.client_id, User.login).outerjoin(User, User.id == Deal.manager_id)
        .where(Deal.client_id.in_([c.id for c in found]), Deal.closed_at.is_(None)))}
    seen = {r["deal_id"] for r in rows}
    for client in found:
        mine = [r for r in by_client.get(client.id, []) if r["deal_id"] not in seen]
        open_ = [r for r in mine if not r["closed"]]
        rows += open_
        if not open_:
            other = held.get(client.id)
            rows.append({**_client_part(client), "deal_id": None, "campaign": None, "stage_name": None,
                         "manager": None, "closed": None, "held_by": (other[1] or "—") if other else None})
    return rows


def _deals():
    return (select(Deal, Client, Campaign.name, Stage.name, User.login)
            .join(Client, Client.id == Deal.client_id).join(Campaign, Campaign.id == Deal.campaign_id)
            .join(Stage, Stage.id == Deal.stage_id).outerjoin(User, User.id == Deal.manager_id))


def _client_part(client: Client) -> dict:
    return {"client_id": client.id, "client": client.name, "phone": client.phone, "phone_ext": client.phone_ext or None,
            "contact_person": client.contact_person or None, "do_not_call": client.do_not_call}


def _row(deal: Deal, client: Client, campaign: str, stage: str, manager: str | None) -> dict:
    return {**_client_part(client), "deal_id": deal.id, "campaign": campaign, "stage_name": _(stage),
            "manager": manager, "closed": deal.closed_at is not None, "held_by": None}


def open_campaigns(*, session: Session, actor: User, client_id: int) -> list[dict]:
    """The open campaigns `client_id` could get a deal on (it is on none of them yet), newest
    first: [{id, name, week}]."""
    require_client_reader(actor)
    present = select(Deal.campaign_id).where(Deal.client_id == client_id)
    return [{"id": c.id, "name": c.name, "week": c.week} for c in session.scalars(
        select(Campaign).where(Campaign.status == CampaignStatus.open, Campaign.id.not_in(present))
        .order_by(Campaign.week_start.desc(), Campaign.id))]


def open_deal(*, session: Session, actor: User, client_id: int, campaign: str) -> Deal:
    """Put client `client_id` on `campaign` as a deal of the actor's, due now: the inbound call
    the operator is on. Refuses do-not-call clients, closed campaigns, and a client already on
    the campaign (naming its deal)."""
    require_role(actor, Role.admin, Role.supervisor, Role.manager, action=_("open deals"))
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(_("no client with id {id}").format(id=client_id))
    if client.do_not_call:
        raise Conflict(_("{name} is on the do-not-call list: no deal can be opened").format(name=client.name))
    target = campaigns.resolve(session, campaign)
    if target.status != CampaignStatus.open:
        raise Conflict(_("campaign {name!r} is closed; roll it over or create a new one").format(name=target.name))
    existing = session.scalars(select(Deal).where(Deal.campaign_id == target.id, Deal.client_id == client.id)).first()
    if existing is not None:
        raise Conflict(_("{name} is already on {campaign}: deal {id}").format(
            name=client.name, campaign=target.name, id=existing.id))
    now = clock.now()
    stage = reference.first_stage(session, target.pipeline_id)
    calendar = WorkCalendar(session)
    deal = Deal(campaign_id=target.id, client_id=client.id, manager_id=actor.id, stage_id=stage.id, status="new",
                next_call_at=now, stage_entered_at=now, stage_due_at=calendar.stage_deadline(now, stage.time_budget_days),
                created_at=now, updated_at=now, version=1)
    session.add(deal)
    session.flush()
    audit.record(session, actor, "deal.open", "deal", deal.id, client=client.id, campaign=target.name,
                 manager=actor.login)
    return deal
