"""Weekly campaigns: create, fill with clients, assign to managers, move, close, roll over."""

from __future__ import annotations

import itertools
from collections import Counter

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, reference, tally
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import BadInput, Conflict, NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Campaign, CampaignStatus, Client, Deal, LostReason, Stage, User
from yoolla_tui.core.kernel.permissions import require_campaign_admin, require_deal_access
from yoolla_tui.core.people.calendar import WorkCalendar
from yoolla_tui.core.kernel.models import Pipeline
from yoolla_tui.core.calls.clients import search_clause
from yoolla_tui.core.calls.importing.bulk import insert_rows
from yoolla_tui.core.kernel.text import checked as checked_text

STRATEGIES = ("balanced", "round-robin", "keep")


def public(session: Session, campaign: Campaign) -> dict:
    return _public_many(session, [campaign])[0]


def _public_many(session: Session, rows: list[Campaign]) -> list[dict]:
    """Campaign shapes for a listing: a fixed number of queries however many campaigns."""
    ids = [c.id for c in rows]
    login = dict(session.execute(select(User.id, User.login)).all())
    pipeline = dict(session.execute(select(Pipeline.id, Pipeline.code)).all())
    names = dict(session.execute(select(Campaign.id, Campaign.name)).all())
    counts = {cid: (total, open_) for cid, total, open_ in session.execute(
        select(Deal.campaign_id, func.count(Deal.id), func.count(Deal.id).filter(Deal.closed_at.is_(None)))
        .where(Deal.campaign_id.in_(ids)).group_by(Deal.campaign_id))} if ids else {}
    return [{"id": c.id, "name": c.name, "week": c.week, "status": c.status, "owner": login.get(c.owner_id),
             "pipeline": pipeline.get(c.pipeline_id), "rolled_from": names.get(c.rolled_from_id),
             "deals": counts.get(c.id, (0, 0))[0], "open_deals": counts.get(c.id, (0, 0))[1]} for c in rows]


def reference_code(session: Session, pipeline_id: int) -> str:
    return session.get(Pipeline, pipeline_id).code


def resolve(session: Session, ref: str) -> Campaign:
    """A campaign by id or by exact name."""
    text = (ref or "").strip()
    campaign = None
    if text.isdigit():
        campaign = session.get(Campaign, int(text))
    if campaign is None:
        campaign = session.scalars(select(Campaign).where(Campaign.name == text)).first()
    if campaign is None:
        raise NotFound(_("no campaign {ref!r} (see `yoolla campaign list`)").format(ref=ref))
    return campaign


def create(*, session: Session, actor: User, name: str, week: str, pipeline: str = reference.DEFAULT_PIPELINE,
           rolled_from: Campaign | None = None) -> Campaign:
    """Create an empty campaign for an ISO week (`2026-W48`)."""
    require_campaign_admin(actor, action=_("create campaigns"))
    monday, _sunday = clock.parse_week(week)
    name = checked_text(name, field=_("the campaign name"), limit=200)
    if not name:
        raise BadInput(_("a campaign needs a name"))
    if session.scalars(select(Campaign.id).where(Campaign.name == name)).first() is not None:
        raise Conflict(_("a campaign named {name!r} already exists").format(name=name))
    pipe = reference.get_pipeline(session, pipeline)
    campaign = Campaign(name=name, week=clock.week_of(monday), week_start=monday, owner_id=actor.id,
                        pipeline_id=pipe.id, rolled_from_id=rolled_from.id if rolled_from else None,
                        created_at=clock.now())
    session.add(campaign)
    session.flush()
    audit.record(session, actor, "campaign.create", "campaign", campaign.id, name=name, week=campaign.week,
                 pipeline=pipeline, rolled_from=rolled_from.id if rolled_from else None)
    return campaign


def list_campaigns(*, session: Session, actor: User, status: str | None = None) -> list[dict]:
    stmt = select(Campaign).order_by(Campaign.week_start.desc(), Campaign.id.desc())
    if status:
        stmt = stmt.where(Campaign.status == status)
    return _public_many(session, list(session.scalars(stmt)))


def summary(*, session: Session, actor: User, ref: str) -> dict:
    """The campaign card: totals, the funnel by stage, and per manager deals / called / not yet called."""
    campaign = resolve(session, ref)
    out = public(session, campaign)
    stage_rows = session.execute(
        select(Stage.code, Stage.name, func.count(Deal.id)).join(Deal, (Deal.stage_id == Stage.id) & (Deal.campaign_id == campaign.id), isouter=True)
        .where(Stage.pipeline_id == campaign.pipeline_id).group_by(Stage.id, Stage.code, Stage.name, Stage.position)
        .order_by(Stage.position)).all()
    out["funnel"] = [{"stage": code, "name": _(name), "deals": n} for code, name, n in stage_rows]
    login = dict(session.execute(select(User.id, User.login)).all())
    per_manager = session.execute(
        select(Deal.manager_id, func.count(Deal.id), func.count(Deal.id).filter(Deal.status == "new"),
               func.count(Deal.id).filter(Deal.closed_at.is_(None)))
        .where(Deal.campaign_id == campaign.id).group_by(Deal.manager_id)).all()
    out["managers"] = sorted(
        ({"manager": login.get(mid), "deals": n, "not_called": new, "open": open_} for mid, n, new, open_ in per_manager),
        key=lambda row: (row["manager"] is None, row["manager"] or ""))
    return out


def close(*, session: Session, actor: User, ref: str) -> Campaign:
    """Close a campaign: nothing more is added to it. Its open deals stay open and callable."""
    require_campaign_admin(actor, action=_("close campaigns"))
    campaign = resolve(session, ref)
    if campaign.status == CampaignStatus.closed:
        raise Conflict(_("campaign {name!r} is already closed").format(name=campaign.name))
    campaign.status = CampaignStatus.closed
    campaign.closed_at = clock.now()
    audit.record(session, actor, "campaign.close", "campaign", campaign.id)
    return campaign


def _require_open(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.open:
        raise Conflict(_("campaign {name!r} is closed; roll it over or create a new one").format(name=campaign.name))


def first_call_at(session: Session, campaign: Campaign, calendar: WorkCalendar):
    """When a newly added contact becomes due: the campaign's Monday morning, or now if later."""
    start = clock.at_local(campaign.week_start, calendar.start)
    return calendar.into_working_hours(max(start, clock.now()))


def add_clients(*, session: Session, actor: User, ref: str, clients: str = "all", manager: str | None = None,
                client_ids: list[int] | None = None, batch_id: int | None = None) -> dict:
    """Put clients on the campaign's list at the first stage (bulk insert).

    `clients` is `all` or a search; `client_ids` an explicit list (imports). Do-not-call clients
    and clients already on the campaign are skipped and counted. `manager` assigns them at once.
    """
    require_campaign_admin(actor, action=_("add clients to campaigns"))
    campaign = resolve(session, ref)
    _require_open(campaign)
    owner = users.managers_by_logins(session, [manager])[0] if manager else None
    stmt = select(Client.id, Client.do_not_call)
    if client_ids is not None:
        stmt = stmt.where(Client.id.in_(client_ids)) if len(client_ids) < 30000 else stmt
    elif clients and clients != "all":
        stmt = stmt.where(search_clause(clients))
    wanted = session.execute(stmt).all()
    if client_ids is not None and len(client_ids) >= 30000:
        ids = set(client_ids)
        wanted = [row for row in wanted if row[0] in ids]
    present = set(session.scalars(select(Deal.client_id).where(Deal.campaign_id == campaign.id)))
    calendar = WorkCalendar(session)
    now = clock.now()
    due = first_call_at(session, campaign, calendar)
    stage = reference.first_stage(session, campaign.pipeline_id)
    rows, dnc, already = [], 0, 0
    for client_id, do_not_call in wanted:
        if do_not_call:
            dnc += 1
        elif client_id in present:
            already += 1
        else:
            rows.append({"client_id": client_id})

    # Every new deal shares all but its client: the shared values are converted once (imports add 100k).
    insert_rows(session.connection(), Deal.__table__, rows, same={
        "campaign_id": campaign.id, "manager_id": owner.id if owner else None, "stage_id": stage.id, "status": "new",
        "next_call_at": due, "stage_entered_at": now, "stage_due_at": calendar.stage_deadline(due, stage.time_budget_days),
        "created_at": now, "updated_at": now, "version": 1,
        "attempts_week": 0, "attempts_total": 0, "carried_over": False, "lost_note": "", "import_batch_id": batch_id})
    result = {"campaign": campaign.name, "added": len(rows), "skipped_do_not_call": dnc, "already_on_campaign": already,
              "manager": owner.login if owner else None}
    audit.record(session, actor, "campaign.add", "campaign", campaign.id, **result)
    return result


def _chunks(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def assign(*, session: Session, actor: User, ref: str, managers: list[str], strategy: str = "balanced") -> dict:
    """Give the campaign's unassigned open deals to `managers`.

    balanced: each deal to whoever has fewest open deals on this campaign now;
    round-robin: in the order given; keep: the owner of the same client in the campaign this one
    was rolled from (if among `managers`), the rest balanced.
    """
    require_campaign_admin(actor, action=_("assign deals"))
    if strategy not in STRATEGIES:
        raise BadInput(_("unknown strategy {strategy!r}: expected {known}").format(strategy=strategy, known=", ".join(STRATEGIES)))
    campaign = resolve(session, ref)
    team = users.managers_by_logins(session, managers)
    team_ids = [user.id for user in team]
    pending = session.execute(
        select(Deal.id, Deal.client_id).join(Client, Client.id == Deal.client_id)
        .where(Deal.campaign_id == campaign.id, Deal.manager_id.is_(None), Deal.closed_at.is_(None))
        .order_by(Client.name, Deal.id)).all()
    load = Counter({uid: 0 for uid in team_ids})
    load.update(dict(session.execute(
        select(Deal.manager_id, func.count(Deal.id))
        .where(Deal.campaign_id == campaign.id, Deal.manager_id.in_(team_ids), Deal.closed_at.is_(None))
        .group_by(Deal.manager_id)).all()))
    previous: dict[int, int] = {}
    if strategy == "keep":
        if campaign.rolled_from_id is None:
            raise BadInput(_("campaign {name!r} was not rolled over from another: `keep` has no previous owners; use balanced").format(name=campaign.name))
        previous = dict(session.execute(select(Deal.client_id, Deal.manager_id)
                                        .where(Deal.campaign_id == campaign.rolled_from_id, Deal.manager_id.is_not(None))).all())
    cycle = itertools.cycle(team_ids)
    plan: dict[int, list[int]] = {uid: [] for uid in team_ids}
    for deal_id, client_id in pending:
        if strategy == "round-robin":
            uid = next(cycle)
        elif strategy == "keep" and previous.get(client_id) in load:
            uid = previous[client_id]
        else:
            uid = min(team_ids, key=lambda u: (load[u], team_ids.index(u)))
        plan[uid].append(deal_id)
        load[uid] += 1
    now = clock.now()
    with tally.recounting(session, [deal_id for deal_id, _client in pending]):  # a manager's invoices and payments
        for uid, deal_ids in plan.items():
            for chunk in _chunks(deal_ids, 5000):
                session.execute(update(Deal).where(Deal.id.in_(chunk))
                                .values(manager_id=uid, updated_at=now, version=Deal.version + 1))
    by_login = {user.login: len(plan[user.id]) for user in team}
    audit.record(session, actor, "campaign.assign", "campaign", campaign.id, strategy=strategy, assigned=by_login)
    return {"campaign": campaign.name, "strategy": strategy, "assigned": by_login, "total": len(pending)}


def move(*, session: Session, actor: User, deal_ids: list[int], to: str) -> list[int]:
    """Give deals to another manager. A pending call-back moves with the deal to its new owner."""
    require_campaign_admin(actor, action=_("move deals between managers"))
    target = users.managers_by_logins(session, [to])[0]
    moved = []
    now = clock.now()
    for deal_id in deal_ids:
        deal = session.get(Deal, deal_id)
        if deal is None:
            raise NotFound(_("no deal {id}").format(id=deal_id))
        require_deal_access(session, actor, deal, action=_("move"))
        if deal.closed_at is not None:
            raise Conflict(_("deal {id} is closed; only open deals move").format(id=deal_id))
        before = deal.manager_id
        deal.manager_id = target.id
        if deal.callback_user_id is not None:
            deal.callback_user_id = target.id
        deal.updated_at = now
        deal.version += 1
        audit.record(session, actor, "deal.move", "deal", deal.id, manager_before=before, manager_after=target.id)
        moved.append(deal_id)
    return moved


def default_rollover_name(name: str, old_week: str, new_week: str) -> str:
    if old_week in name:
        return name.replace(old_week, new_week)
    return f"{name.rstrip()} {new_week}"


def rollover(*, session: Session, actor: User, ref: str, week: str, name: str | None = None) -> dict:
    """Next week's campaign from this one: same clients and owners, counters reset.

    Skips do-not-call clients and deals lost for a final reason. Contacts still owed a call
    (never reached, or a call-back pending) are marked carried over; a pending call-back moves to
    the new deal (it survives rollover).
    Old deals that progressed in the funnel stay open where they are; old deals still at the
    first stage leave the queue (the new deal replaces them), so nobody is called twice.
    """
    require_campaign_admin(actor, action=_("roll campaigns over"))
    old = resolve(session, ref)
    monday, _sunday = clock.parse_week(week)
    if monday <= old.week_start:
        raise BadInput(_("rollover goes forward: {week} is not after {old}").format(week=week, old=old.week))
    new_name = (name or default_rollover_name(old.name, old.week, clock.week_of(monday))).strip()
    new = create(session=session, actor=actor, name=new_name, week=week, pipeline=reference_code(session, old.pipeline_id),
                 rolled_from=old)
    calendar = WorkCalendar(session)
    now = clock.now()
    due = first_call_at(session, new, calendar)
    first = reference.first_stage(session, new.pipeline_id)
    old_first = reference.first_stage(session, old.pipeline_id)
    stage_due = calendar.stage_deadline(due, first.time_budget_days)
    active_users = set(session.scalars(select(User.id).where(User.active)))
    final_reasons = set(session.scalars(select(LostReason.id).where(LostReason.final)))
    skipped = Counter()
    rows = []
    for deal, client_dnc in session.execute(select(Deal, Client.do_not_call).join(Client, Client.id == Deal.client_id)
                                            .where(Deal.campaign_id == old.id).order_by(Deal.id)):
        if client_dnc:
            skipped["do_not_call"] += 1
            continue
        if deal.lost_reason_id in final_reasons:
            skipped["lost_for_good"] += 1
            continue
        reached = deal.status not in ("new", "no_answer", "call_back", "wrong_number", "phone_fixed")
        callback = deal.status == "call_back" and deal.closed_at is None and deal.next_call_at is not None
        rows.append({"campaign_id": new.id, "client_id": deal.client_id,
                     "manager_id": deal.manager_id if deal.manager_id in active_users else None,
                     "stage_id": first.id,
                     "status": "call_back" if callback else ("wrong_number" if deal.status == "wrong_number" else "new"),
                     "next_call_at": deal.next_call_at if callback else (None if deal.status == "wrong_number" else due),
                     "callback_user_id": deal.callback_user_id if callback else None,
                     "attempts_week": 0, "attempts_total": deal.attempts_total, "carried_over": not reached,
                     "stage_entered_at": now, "stage_due_at": stage_due,
                     "created_at": now, "updated_at": now, "version": 1,
                     "rolled_from_deal_id": deal.id, "lost_note": ""})
        if deal.closed_at is None and deal.stage_id == old_first.id:
            deal.next_call_at = None
            deal.callback_user_id = None
            deal.updated_at = now
            deal.version += 1
    for chunk in _chunks(rows, 5000):
        session.execute(insert(Deal), chunk)
    result = {"campaign": new.name, "id": new.id, "week": new.week, "rolled_from": old.name, "deals": len(rows),
              "carried_over": sum(1 for r in rows if r["carried_over"]),
              "skipped_do_not_call": skipped["do_not_call"], "skipped_lost_for_good": skipped["lost_for_good"]}
    audit.record(session, actor, "campaign.rollover", "campaign", new.id, **result)
    return result
