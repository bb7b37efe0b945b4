"""The operator's day: today's counters and the call queue, one page at a time.

The dashboard's Today screen asks this module and nothing else; the queue's filter, sort and
"next due deal" rules live here once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import clock, money
from yoolla_tui.core.calls import deal_rows, deals
from yoolla_tui.core.calls.clients import search_clause
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.funnel.light import RED, YELLOW, deal_light, light_expr
from yoolla_tui.core.kernel.models import Call, Client, Deal, Payment, Pipeline, Stage, User
from yoolla_tui.core.kernel.permissions import deal_scope
from yoolla_tui.core.calls import clients
from yoolla_tui.core.kernel import reference
from yoolla_tui.core.people.calendar import WorkCalendar

SORTS = ("due", "client", "stage", "light")
PAGE = 200


def team(*, session: Session, actor: User) -> list[dict]:
    """Whose queue a supervisor or admin may pick on Today and Health: an admin everyone who owns
    deals, a supervisor their team and themselves; [{login, name}] by name. Empty for others."""
    from yoolla_tui.core.kernel.models import Role
    from yoolla_tui.core.kernel.permissions import supervised_ids

    if actor.role == Role.admin:
        people = session.scalars(select(User).where(User.role.in_((Role.manager, Role.supervisor)), User.active))
    elif actor.role == Role.supervisor:
        people = session.scalars(select(User).where(User.id.in_(supervised_ids(session, actor) + [actor.id])))
    else:
        return []
    return sorted(({"login": u.login, "name": u.full_name or u.login} for u in people),
                  key=lambda p: (p["name"].lower().replace("ё", "е"), p["login"]))


def _manager_id(session: Session, manager: str | None) -> int | None:
    """The id of `manager` (a login; NotFound if unknown), None for no narrowing. The clause
    built from it is ANDed with the actor's scope, so a picker never shows more than they see."""
    if not manager:
        return None
    from yoolla_tui.core.people.users import get_by_login

    return get_by_login(session, manager).id


def summary(*, session: Session, actor: User, manager: str | None = None) -> dict:
    """Counters for the actor's day: calls they made today, deals still to call today (overdue
    included), invoices issued and payments received this week (Monday to now) on deals they see.
    With `manager` (a supervisor or admin looking at one person): that manager's calls and deals."""
    now = clock.now()
    day_start, day_end = clock.local_day_bounds(clock.today())
    week_start = clock.local_day_bounds(clock.today() - timedelta(days=clock.today().isoweekday() - 1))[0]
    scope = deal_scope(session, actor)
    scoped = [scope] if scope is not None else []
    picked = _manager_id(session, manager)
    caller = actor.id
    if picked is not None:
        scoped.append(Deal.manager_id == picked)
        caller = picked
    called = session.scalar(select(func.count(Call.id)).where(Call.user_id == caller, Call.at >= day_start,
                                                              Call.at < day_end)) or 0
    to_call, invoices = session.execute(
        select(func.count(Deal.id).filter(Deal.closed_at.is_(None), Deal.next_call_at.is_not(None),
                                          Deal.next_call_at < day_end),
               func.count(Deal.id).filter(Deal.invoiced_at >= week_start, Deal.invoiced_at <= now))
        .where(*scoped)).one()
    payments, paid = session.execute(
        select(func.count(Payment.id), func.coalesce(func.sum(Payment.amount_cents), 0))
        .join(Deal, Deal.id == Payment.deal_id)
        .where(Payment.paid_at >= week_start, Payment.paid_at <= now, *scoped)).one()
    return {"called_today": called, "to_call": to_call or 0, "invoices_week": invoices or 0,
            "payments_week": payments or 0, "paid_week": money.show(paid) or "0.00"}


def _queue_filter(session: Session, actor: User, search: str | None, manager: str | None = None):
    _start, end = clock.local_day_bounds(clock.today())
    clauses = [Deal.closed_at.is_(None), Deal.next_call_at.is_not(None), Deal.next_call_at < end]
    scope = deal_scope(session, actor)
    if scope is not None:
        clauses.append(scope)
    picked = _manager_id(session, manager)
    if picked is not None:
        clauses.append(Deal.manager_id == picked)
    if search and search.strip():
        clauses.append(search_clause(search))
    return clauses


def _order(sort: str, now):
    if sort not in SORTS:
        raise BadInput(_("unknown sort {sort!r}: expected one of {known}").format(sort=sort, known=", ".join(SORTS)))
    if sort == "client":
        # Ё sorts with Е (as in a Russian dictionary), not before А as its code point would.
        return (func.replace(func.replace(Client.name, "Ё", "Е"), "ё", "е"), Client.name, Deal.id)
    if sort == "stage":
        return (Stage.position.desc(), *deal_rows.queue_order(now))
    if sort == "light":
        rank = case((light_expr(now) == RED, 0), (light_expr(now) == YELLOW, 1), else_=2)
        return (rank, *deal_rows.queue_order(now))
    return deal_rows.queue_order(now)


def _overdue_callback(now):
    return and_(Deal.status == "call_back", Deal.next_call_at < now)


def board(*, session: Session, actor: User, search: str | None = None, sort: str = "due", limit: int = PAGE,
          manager: str | None = None) -> dict:
    """The Today screen in one read: {"counters": summary(), "rows": the queue's first page,
    "total": how many deals the queue holds}. Without a search the total is the counters' "still
    to call" (the same deals), counted once by a scan rather than again through the index."""
    counters = summary(session=session, actor=actor, manager=manager)
    page = queue(session=session, actor=actor, search=search, sort=sort, limit=limit, manager=manager,
                 total=None if search and search.strip() else counters["to_call"])
    return {"counters": counters, **page}


def queue(*, session: Session, actor: User, search: str | None = None, sort: str = "due",
          limit: int = PAGE, offset: int = 0, total: int | None = None, manager: str | None = None) -> dict:
    """One page of the actor's open deals due today and overdue: {"rows": [...], "total": n}.

    `search` matches the client's name, contact, e-mail, city or phone digits; `sort` is one of
    SORTS (`due` is the queue order: overdue call-backs first, then by due time). Each row is
    `deals.list_deals`' row plus `light` (red / yellow / green) and `stage_name` (translated).
    `total`, when the caller already knows it, saves counting again. `manager` (a login) narrows
    a supervisor's or admin's queue to one person."""
    now = clock.now()
    clauses = _queue_filter(session, actor, search, manager)
    if total is None:
        count = select(func.count(Deal.id)).where(*clauses)
        if search:
            count = count.join(Client, Client.id == Deal.client_id)
        total = session.scalar(count) or 0
    base = deal_rows.listing_stmt().where(*clauses)
    if sort == "due":
        # deals.queue_order, in its two parts: each walks the next_call_at index and stops at the
        # page, where one ORDER BY over both would sort every due deal (100k for an admin).
        first = base.where(_overdue_callback(now)).order_by(Deal.next_call_at, Deal.id)
        rest = base.where(~_overdue_callback(now)).order_by(Deal.next_call_at, Deal.id)
        found = session.execute(first.limit(limit).offset(offset)).all()
        if len(found) < limit:
            # Where the second part starts: past every overdue call-back (counted only when paging on).
            callbacks = len(found) if offset == 0 else session.scalar(
                select(func.count(Deal.id)).where(*clauses, _overdue_callback(now))
                .join(Client, Client.id == Deal.client_id)) or 0
            found += session.execute(rest.limit(limit - len(found)).offset(max(0, offset - callbacks))).all()
    else:
        found = session.execute(base.order_by(*_order(sort, now)).limit(limit).offset(offset)).all()
    rows = []
    names = {stage_id: _(name) for stage_id, name in session.execute(select(Stage.id, Stage.name))}
    for row in found:
        out = deal_rows.public_row(row)
        out["light"] = deal_light(row[0], now)
        out["stage_name"] = names.get(row[0].stage_id, out["stage"])
        rows.append(out)
    return {"rows": rows, "total": total}


def next_due(*, session: Session, actor: User, after: int | None = None) -> int | None:
    """The id of the deal to call next (the head of the queue, in `deals.queue_order`), skipping
    deal `after`; None when the queue is empty."""
    now = clock.now()
    clauses = _queue_filter(session, actor, None)
    if after is not None:
        clauses.append(Deal.id != after)
    for part in (_overdue_callback(now), ~_overdue_callback(now)):
        found = session.scalar(select(Deal.id).where(*clauses, part).order_by(Deal.next_call_at, Deal.id).limit(1))
        if found is not None:
            return found
    return None


def deal_view(*, session: Session, actor: User, deal_id: int | str) -> dict:
    """Everything the call card shows, in one transaction: the deal (`deals.show`), its light,
    the client card with the whole history across campaigns (`clients.card`), the stages of the
    deal's pipeline, the lost reasons to offer, and the next working day (`next_workday`, ISO)."""
    card = deals.show(session=session, actor=actor, deal_id=deal_id)
    deal = deals.get_deal(session, card["id"])
    pipeline_id = session.get(Stage, deal.stage_id).pipeline_id
    client = clients.card(session=session, actor=actor, ref=str(deal.client_id))
    from yoolla_tui.core.automation.triggers import preview

    ordered = reference.stages(session, pipeline_id)
    fires = preview(session, [s.id for s in ordered])  # what a move there will do
    stages = [{"code": s.code, "name": _(s.name), "kind": s.kind, "current": s.id == deal.stage_id,
               "required": list(s.required_fields or []), "triggers": fires.get(s.id, [])} for s in ordered]
    # The quick call-back "tomorrow 10:00" means the next working day (Friday's is Monday).
    next_workday = WorkCalendar(session).next_business_day(clock.today())
    return {"deal": card, "light": deal_light(deal), "client": client, "stages": stages,
            "pipeline": session.get(Pipeline, pipeline_id).code,
            "reasons": [r for r in reference.list_lost_reasons(session) if r["code"] != "do_not_call"],
            "next_workday": next_workday.isoformat()}


def warm_up(*, session: Session, actor: User) -> None:
    """Load what the first outcome needs (the holiday calendar), so the first key is as quick as
    the rest; the dashboard calls it in the background at start."""
    WorkCalendar(session).is_business_day(clock.today())


def next_view(*, session: Session, actor: User, after: int | None = None) -> dict | None:
    """`deal_view` of the deal to call next (skipping `after`), read in one transaction; None
    when nothing is due."""
    deal_id = next_due(session=session, actor=actor, after=after)
    return deal_view(session=session, actor=actor, deal_id=deal_id) if deal_id is not None else None
