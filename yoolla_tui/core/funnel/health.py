"""Deal health (seed 000): every open deal of a user, coloured by its plan.

- red: an undone checkpoint is past its planned date, or the deal's planned close date
  (`close_by`) has passed;
- green: the deal has checkpoints and all are on plan;
- white: the deal has no checkpoints (and its close date, if any, is not past).

For each deal: the nearest undone checkpoint with the time left to it (or how late it is),
payments so far against the invoice, and the planned close date. The dashboard shows the same
through `list_health` and `detail`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, money
from yoolla_tui.core.funnel import checkpoints, transition as funnel, light
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import BadInput, Conflict, PermissionDenied
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Campaign, Client, Deal, Payment, Role, Stage, User
from yoolla_tui.core.kernel.permissions import require_deal_access, require_role, supervised_ids
from yoolla_tui.core.kernel.lookup import get_deal

RED, GREEN, WHITE = "red", "green", "white"
_ORDER = {RED: 0, GREEN: 1, WHITE: 2}


def colour(today: date, overdue: int, planned: int, close_by: date | None) -> str:
    """The health colour from a deal's count of overdue and of all checkpoints, and its close date."""
    if overdue or (close_by is not None and close_by < today):
        return RED
    return GREEN if planned else WHITE


def span(minutes: int) -> str:
    """A duration for people: '2 d 3 h', '5 h 20 min', '15 min'."""
    minutes = abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("{d} d {h} h").format(d=days, h=hours)
    if hours:
        return _("{h} h {m} min").format(h=hours, m=mins)
    return _("{m} min").format(m=mins)


def nearest(type_name: str | None, checkpoint_id: int | None, due_at: datetime | None, now: datetime) -> dict:
    """The nearest undone checkpoint's keys: its name, id, due time, minutes left (negative:
    late) and the line people read."""
    if due_at is None:
        return {"nearest_checkpoint": None, "nearest_id": None, "nearest_due_at": None, "minutes_left": None, "nearest": None}
    left = int((due_at - now).total_seconds() // 60)
    line = (_("{name}: due {due}, {left} left") if left >= 0 else _("{name}: due {due}, {left} late")).format(
        name=type_name, due=clock.show(due_at), left=span(left))
    return {"nearest_checkpoint": type_name, "nearest_id": checkpoint_id, "nearest_due_at": clock.iso(due_at),
            "minutes_left": left, "nearest": line}


def _target(session: Session, actor: User, user: str | None) -> User:
    require_role(actor, Role.admin, Role.supervisor, Role.manager, action=_("see deal health"))
    target = users.get_by_login(session, user) if user else actor
    if actor.role == Role.admin or target.id == actor.id:
        return target
    if actor.role == Role.supervisor and target.id in supervised_ids(session, actor):
        return target
    raise PermissionDenied(_("{login} ({role}) may not see the deal health of {other}: only their own or their team's").format(
        login=actor.login, role=actor.role, other=target.login))


def _rows(session: Session, where, now: datetime) -> list[dict]:
    """Health rows of the deals matching `where`: three queries (deals, checkpoints, payments)."""
    ids = select(Deal.id).where(*where)
    plan: dict[int, list] = {}
    for cid, deal_id, name, _stage, due_at, done_at, _by in checkpoints.rows_of_deals(session, ids):
        plan.setdefault(deal_id, []).append((cid, name, due_at, done_at))
    paid = dict(session.execute(select(Payment.deal_id, func.sum(Payment.amount_cents))
                                .where(Payment.deal_id.in_(ids)).group_by(Payment.deal_id)).all())
    stmt = (select(Deal.id, Client.name, Campaign.name, Stage.code, Stage.name, User.login, light.light_expr(now),
                   Deal.invoice_cents, Deal.close_by)
            .join(Client, Client.id == Deal.client_id).join(Campaign, Campaign.id == Deal.campaign_id)
            .join(Stage, Stage.id == Deal.stage_id).join(User, User.id == Deal.manager_id, isouter=True)
            .where(*where))
    today = clock.to_local(now).date()
    out = []
    for deal_id, client, campaign, stage, stage_name, manager, lamp, invoice_cents, close_by in session.execute(stmt):
        points = plan.get(deal_id, [])
        undone = [p for p in points if p[3] is None]
        overdue = sum(1 for p in undone if p[2] < now)
        first = min(undone, key=lambda p: (p[2], p[0])) if undone else (None, None, None, None)
        out.append({"deal_id": deal_id, "client": client, "campaign": campaign, "manager": manager, "stage": stage,
                    "stage_name": _(stage_name), "health": colour(today, overdue, len(points), close_by), "light": lamp,
                    "checkpoints": len(points), "overdue": overdue, **nearest(first[1], first[0], first[2], now),
                    "invoice": money.show(invoice_cents), "paid": money.show(paid.get(deal_id) or 0),
                    "close_by": close_by.isoformat() if close_by else None,
                    "close_overdue": close_by is not None and close_by < today})
    out.sort(key=lambda r: (_ORDER[r["health"]], r["minutes_left"] if r["minutes_left"] is not None else 10**9, r["deal_id"]))
    return out


def list_health(*, session: Session, actor: User, user: str | None = None, team: bool = False) -> list[dict]:
    """The open deals of `user` (default: the actor), red first, then green, then white; within
    a colour the nearest checkpoint first. Managers see their own; supervisors their team's.
    `team` (supervisors and admins, without `user`): every open deal they see, whoever owns it,
    so an admin who owns no deal still sees the health of the firm's."""
    if team and not user and actor.role in (Role.admin, Role.supervisor):
        from yoolla_tui.core.kernel.permissions import deal_scope

        scope = deal_scope(session, actor)
        return _rows(session, (Deal.closed_at.is_(None), *([scope] if scope is not None else [])), clock.now())
    target = _target(session, actor, user)
    return _rows(session, (Deal.manager_id == target.id, Deal.closed_at.is_(None)), clock.now())


def detail(*, session: Session, actor: User, deal_id) -> dict:
    """One deal's health: the row of `list_health` plus its checkpoints and payments."""
    deal = get_deal(session, deal_id)
    require_deal_access(session, actor, deal, action=_("see"))
    row = _rows(session, (Deal.id == deal.id,), clock.now())[0]
    row["checkpoints_list"] = checkpoints.of_deals(session, [deal.id]).get(deal.id, [])
    row["payments"] = [{"id": p.id, "amount": money.show(p.amount_cents), "paid_at": clock.iso(p.paid_at)}
                       for p in session.scalars(select(Payment).where(Payment.deal_id == deal.id).order_by(Payment.paid_at))]
    return row


def set_close_by(*, session: Session, actor: User, deal_id, close_by: date | None) -> Deal:
    """Set (None: clear) the deal's planned close date. Its manager, their supervisor, admins."""
    deal = get_deal(session, deal_id, lock=True)
    require_deal_access(session, actor, deal, action=_("plan"))
    if deal.closed_at is not None:
        raise Conflict(_("deal {id} is closed; its close date cannot be planned").format(id=deal.id))
    before = deal.close_by
    deal.close_by = close_by
    funnel.touch(deal, clock.now())
    audit.record(session, actor, "deal.close_by", "deal", deal.id, close_by=close_by, before=before)
    return deal


def parse_date(text: str) -> date:
    """YYYY-MM-DD, or a relative day clock.parse_when understands (tomorrow, +5d)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    problem = clock.date_problem(text)
    if problem:
        raise BadInput(problem)
    try:
        return clock.to_local(clock.parse_when(text)).date()
    except BadInput:
        raise BadInput(_("bad date {text!r}: expected YYYY-MM-DD, tomorrow or +5d").format(text=text))
