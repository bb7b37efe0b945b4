"""Reports: what the administrator watches daily and weekly (seed 002), one query layer.

Every figure the CLI, the workbook and the dashboard show is computed here, by grouped queries:
a fixed number of queries whatever the number of managers. The functions return plain dicts and
lists (JSON-ready), with the signature `fn(*, session, actor, ...)`.

Definitions (the README's "Reports and cron" section repeats them):
- calls: calls logged by the manager in the period, on deals of the scope, by outcome; a week's
  report (`--week`, or none) also counts the week's work on deals of earlier campaigns still
  being called (`_week_activity`: calls, reached, invoices, payments, won, lost);
- reached: distinct deals where somebody answered (any outcome but no_answer / wrong_number);
- not_called: deals never called that are still in the queue (now);
- invoices / invoiced: deals whose invoice was issued in the period (count, sum);
- payments / paid: payments received in the period on the manager's deals (count, sum);
- overdue_callbacks: open deals with a call-back whose time has passed (at the end of the
  period, or now if earlier);
- carried_over: open deals carried over from last week unreached and not called since;
- funnel: how many deals reached each stage (a deal at a stage has reached every stage before
  it; a lost deal reached the stage it was refused from), and conversion from the stage before;
- score (ranking): reached + 3 x invoices + 5 x payments in the period.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, literal, or_, select
from sqlmodel import Session

from yoolla_tui.core.kernel import clock, money, tally
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Call, Campaign, Deal, Outcome, Payment, Reach, Role, Stage, StageKind, Tally, User
from yoolla_tui.core.kernel.permissions import supervised_ids

# Outcomes where nobody from the client was spoken to: they do not count as "reached".
NOT_REACHED = (Outcome.no_answer.value, Outcome.wrong_number.value)
OUTCOMES = tuple(o.value for o in Outcome)
SCORE_WEIGHTS = {"reached": 1, "invoices": 3, "payments": 5}
PLAN_DAYS = 7
TOTAL = "TOTAL"


# ---- scope -----------------------------------------------------------------------------------

def _visible_managers(session: Session, actor: User) -> list[User]:
    stmt = select(User).where(User.role.in_([Role.manager, Role.supervisor, Role.admin])).order_by(User.login)
    if actor.role == Role.manager:
        stmt = stmt.where(User.id == actor.id)
    elif actor.role == Role.supervisor:
        stmt = stmt.where(User.id.in_(supervised_ids(session, actor) + [actor.id]))
    elif actor.role != Role.admin:
        return []
    return list(session.scalars(stmt))


def _campaigns(session: Session, campaign: str | None, week: str | None = None) -> tuple[list[Campaign], str]:
    """The campaigns in scope and a label: one by name/id, those of a week, or every open one."""
    if campaign:
        # Only a report on one campaign needs its name resolved; the campaigns module brings
        # clients, phones and importing with it, which a week's report has no use for.
        from yoolla_tui.core.calls.campaigns import resolve

        found = resolve(session, campaign)
        return [found], found.name
    if week:
        monday, _sunday = clock.parse_week(week)
        return list(session.scalars(select(Campaign).where(Campaign.week_start == monday).order_by(Campaign.id))), week
    return list(session.scalars(select(Campaign).where(Campaign.status == "open").order_by(Campaign.id))), _("open campaigns")


def _week_activity(session: Session, campaign_ids: list[int], monday: date, by_week: bool) -> list[int]:
    """The one rule for what a week's report counts as the week's work (calls, reached, invoices,
    payments, won, lost): besides the week's campaigns, the deals of every earlier campaign.

    Deals stay open across weeks until won or lost (a deal at "invoice issued" rolls on), and only
    an open deal takes a call, so the manager's calls in the week's dates on last week's deals are
    this week's work. The campaign's status does not matter (a closed campaign's open deals stay
    callable), which keeps a past week's report the same after its campaigns are closed. A report
    on one campaign (`--campaign`) stays on that campaign."""
    if not by_week:
        return campaign_ids
    older = session.scalars(select(Campaign.id).where(Campaign.week_start < monday).order_by(Campaign.id))
    return sorted(set(campaign_ids) | set(older))


def _in(ids: list[int]):
    return Deal.campaign_id.in_(ids) if ids else literal(False)


# ---- the grouped figures ----------------------------------------------------------------------

def _figures(session: Session, campaign_ids: list[int], manager_ids: list[int], start: datetime, end: datetime,
             as_of: datetime, activity_ids: list[int] | None = None) -> dict[int, dict]:
    """Per manager id, every count of a period [start, end): from the kept aggregates (tally) when
    the period is whole UTC hours (a local day of any whole-hour zone), else from the raw rows."""
    if not tally.covers(start, end):
        return _figures_raw(session, campaign_ids, manager_ids, start, end, as_of, activity_ids)
    activity_ids = campaign_ids if activity_ids is None else activity_ids
    out: dict[int, dict] = {uid: _zero() for uid in manager_ids}
    if not manager_ids:
        return out
    t, r = Tally.__table__.c, Reach.__table__.c
    kept = [t.hour >= start, t.hour < end, t.user_id.in_(manager_ids), _in_ids(t.campaign_id, activity_ids)]
    for uid, metric, n, cents in session.execute(
            select(t.user_id, t.metric, func.sum(t.n), func.sum(t.cents)).where(*kept).group_by(t.user_id, t.metric)):
        row, n, cents = out[uid], int(n), int(cents)
        if metric.startswith("call:"):
            row["calls"] += n
            if metric[5:] in row:
                row[metric[5:]] += n
        elif metric in ("won", "lost"):
            row[metric] += n
        elif metric == "invoice":
            row["invoices"], row["invoiced_cents"] = n, cents
        elif metric == "payment":
            row["payments"], row["paid_cents"] = n, cents
    for uid, reached in session.execute(
            select(r.user_id, func.count(func.distinct(r.deal_id)))
            .where(r.hour >= start, r.hour < end, r.user_id.in_(manager_ids), _in_ids(r.campaign_id, activity_ids))
            .group_by(r.user_id)):
        out[uid]["reached"] = reached
    open_ = Deal.closed_at.is_(None)
    for uid, deals, not_called, carried, overdue in session.execute(
            select(Deal.manager_id, func.count(Deal.id),
                   func.count(Deal.id).filter(Deal.status == "new", open_, Deal.next_call_at.is_not(None)),
                   func.count(Deal.id).filter(Deal.carried_over, Deal.status.in_(("new", "call_back")), open_,
                                              Deal.next_call_at.is_not(None)),
                   func.count(Deal.id).filter(Deal.status == "call_back", open_, Deal.next_call_at < as_of))
            .where(_in(campaign_ids), Deal.manager_id.in_(manager_ids)).group_by(Deal.manager_id)):
        out[uid].update(deals=deals, not_called=not_called, carried_over=carried, overdue_callbacks=overdue)
    return out


def _in_ids(column, ids: list[int]):
    return column.in_(ids) if ids else literal(False)


def _figures_raw(session: Session, campaign_ids: list[int], manager_ids: list[int], start: datetime, end: datetime,
                 as_of: datetime, activity_ids: list[int] | None = None) -> dict[int, dict]:
    """Per manager id, every count of a period [start, end) from the raw rows: five grouped queries.

    `campaign_ids` scope the deals held (deals, not_called, carried_over, overdue_callbacks);
    `activity_ids` (default: the same) scope what happened in the period (calls, reached,
    invoices, payments, won, lost): a week's report passes `_week_activity` here."""
    activity_ids = campaign_ids if activity_ids is None else activity_ids
    done = [_in(activity_ids), Deal.manager_id.in_(manager_ids)]
    out: dict[int, dict] = {uid: _zero() for uid in manager_ids}
    for uid, outcome, n in session.execute(
            select(Call.user_id, Call.outcome, func.count(Call.id)).join(Deal, Deal.id == Call.deal_id)
            .where(Call.at >= start, Call.at < end, Call.user_id.in_(manager_ids), _in(activity_ids))
            .group_by(Call.user_id, Call.outcome)):
        row = out[uid]
        row["calls"] += n
        if outcome in row:
            row[outcome] += n
    for uid, reached in session.execute(
            select(Call.user_id, func.count(func.distinct(Call.deal_id))).join(Deal, Deal.id == Call.deal_id)
            .where(Call.at >= start, Call.at < end, Call.user_id.in_(manager_ids), _in(activity_ids),
                   Call.outcome.not_in(NOT_REACHED))
            .group_by(Call.user_id)):
        out[uid]["reached"] = reached
    open_ = and_(Deal.closed_at.is_(None), _in(campaign_ids))
    closed = and_(Deal.closed_at >= start, Deal.closed_at < end, _in(activity_ids))
    for uid, deals, not_called, carried, overdue, won, lost in session.execute(
            select(Deal.manager_id, func.count(Deal.id).filter(_in(campaign_ids)),
                   func.count(Deal.id).filter(Deal.status == "new", open_, Deal.next_call_at.is_not(None)),
                   func.count(Deal.id).filter(Deal.carried_over, Deal.status.in_(("new", "call_back")), open_,
                                              Deal.next_call_at.is_not(None)),
                   func.count(Deal.id).filter(Deal.status == "call_back", open_, Deal.next_call_at < as_of),
                   func.count(Deal.id).filter(closed, Deal.lost_reason_id.is_(None)),
                   func.count(Deal.id).filter(closed, Deal.lost_reason_id.is_not(None)))
            .where(or_(_in(campaign_ids), _in(activity_ids)), Deal.manager_id.in_(manager_ids))
            .group_by(Deal.manager_id)):
        out[uid].update(deals=deals, not_called=not_called, carried_over=carried, overdue_callbacks=overdue,
                        won=won, lost=lost)
    for uid, n, total in session.execute(
            select(Deal.manager_id, func.count(Deal.id), func.coalesce(func.sum(Deal.invoice_cents), 0))
            .where(*done, Deal.invoiced_at >= start, Deal.invoiced_at < end).group_by(Deal.manager_id)):
        out[uid].update(invoices=n, invoiced_cents=int(total))
    for uid, n, total in session.execute(
            select(Deal.manager_id, func.count(Payment.id), func.coalesce(func.sum(Payment.amount_cents), 0))
            .join(Deal, Deal.id == Payment.deal_id)
            .where(*done, Payment.paid_at >= start, Payment.paid_at < end).group_by(Deal.manager_id)):
        out[uid].update(payments=n, paid_cents=int(total))
    return out


def _zero() -> dict:
    row = {"deals": 0, "calls": 0}
    row.update({o: 0 for o in OUTCOMES})
    row.update(reached=0, not_called=0, carried_over=0, overdue_callbacks=0, invoices=0, invoiced_cents=0,
               payments=0, paid_cents=0, won=0, lost=0)
    return row


def _public(user_id: int | None, login: str, figures: dict, **extra) -> dict:
    row = {"id": user_id, "manager": login, **extra}
    row.update({k: v for k, v in figures.items() if not k.endswith("_cents")})
    row["invoiced"] = money.show(figures["invoiced_cents"]) or "0.00"
    row["paid"] = money.show(figures["paid_cents"]) or "0.00"
    row["total"] = user_id is None
    return row


def _sum(rows: list[dict]) -> dict:
    total = _zero()
    for row in rows:
        for key in total:
            total[key] += row[key]
    return total


def _active(figures: dict) -> bool:
    return bool(figures["deals"] or figures["calls"] or figures["invoices"] or figures["payments"])


def _rows(managers: list[User], figures: dict[int, dict], **extra) -> list[dict]:
    """Rows for managers with deals or activity, then the total row (manager TOTAL, id null)."""
    kept = [u for u in managers if _active(figures[u.id])]
    rows = [_public(u.id, u.login, figures[u.id], **extra) for u in kept]
    rows.append(_public(None, TOTAL, _sum([figures[u.id] for u in kept]), **extra))
    return rows


# ---- daily -------------------------------------------------------------------------------------

def daily(*, session: Session, actor: User, day: date | None = None, campaign: str | None = None) -> list[dict]:
    """Per manager for one local day: calls made by outcome, deals reached, contacts not yet
    called (now), invoices issued, payments received, overdue call-backs, carried-over contacts
    still owed a call; managers with deals or activity only, then a total row (`total: true`).

    Scope: one campaign, or every open campaign. "Not yet called" counts deals never called that
    are still in the queue: after a rollover the old week's uncalled deals leave the queue (the
    new week's deal replaces them), so a contact is not counted twice while both are open."""
    day = day or clock.today()
    start, end = clock.local_day_bounds(day)
    found, _label = _campaigns(session, campaign)
    managers = _visible_managers(session, actor)
    figures = _figures(session, [c.id for c in found], [u.id for u in managers], start, end, min(end, clock.now()))
    return _rows(managers, figures, date=day.isoformat())


# ---- funnel ------------------------------------------------------------------------------------

def _funnel_counts(session: Session, campaign_ids: list[int], manager_ids: list[int] | None) -> tuple[list[Stage], dict]:
    """The pipeline's stages and, per manager id, {stage position reached: deals}: one query."""
    pipeline_ids = set(session.scalars(select(Campaign.pipeline_id).where(Campaign.id.in_(campaign_ids)))) if campaign_ids else set()
    if len(pipeline_ids) > 1:
        raise BadInput(_("these campaigns use different pipelines; report on one campaign (--campaign)"))
    if not pipeline_ids:
        return [], {}
    stages = list(session.scalars(select(Stage).where(Stage.pipeline_id.in_(pipeline_ids)).order_by(Stage.position)))
    first = min(s.position for s in stages if s.kind == StageKind.open)
    # A lost deal reached the stage it was lost from (funnel.enter_stage records it on every
    # move into a lost stage, by a call or by `deal advance --to refused` alike).
    lost_from = Stage.__table__.alias("lost_from")
    reach = case((Stage.kind == StageKind.lost.value, func.coalesce(lost_from.c.position, first)),
                 else_=Stage.position).label("reach")
    stmt = (select(Deal.manager_id, reach, func.count(Deal.id)).join(Stage, Stage.id == Deal.stage_id)
            .join(lost_from, lost_from.c.id == Deal.lost_at_stage_id, isouter=True)
            .where(_in(campaign_ids)).group_by(Deal.manager_id, reach))
    if manager_ids is not None:
        stmt = stmt.where(Deal.manager_id.in_(manager_ids))
    counts: dict = {}
    for uid, position, n in session.execute(stmt):
        counts.setdefault(uid, {})
        counts[uid][position] = counts[uid].get(position, 0) + n
    return stages, counts


def _funnel_rows(stages: list[Stage], reach: dict[int, int]) -> list[dict]:
    rows, previous = [], None
    for stage in (s for s in stages if s.kind != StageKind.lost):
        reached = sum(n for position, n in reach.items() if position >= stage.position)
        rows.append({"stage": stage.code, "name": _(stage.name), "reached": reached,
                     "conversion": _ratio(reached, previous) if previous is not None else None})
        previous = reached
    return rows


def _ratio(part: int, whole: int | None) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _merge(counts: dict, ids) -> dict[int, int]:
    out: dict[int, int] = {}
    for uid in ids:
        for position, n in counts.get(uid, {}).items():
            out[position] = out.get(position, 0) + n
    return out


def funnel(*, session: Session, actor: User, campaign: str | None = None, week: str | None = None) -> list[dict]:
    """The funnel of a campaign (or a week's campaigns, or every open one), in the actor's
    scope: per stage, how many deals reached it and the conversion (%) from the stage before."""
    found, _label = _campaigns(session, campaign, week)
    stages, counts = _funnel_counts(session, [c.id for c in found], _funnel_scope(session, actor))
    return _funnel_rows(stages, _merge(counts, counts.keys()))


def _funnel_scope(session: Session, actor: User) -> list[int] | None:
    """Whose deals the funnel counts: an admin's funnel has every deal (unassigned too)."""
    return None if actor.role == Role.admin else [u.id for u in _visible_managers(session, actor)]


# ---- managers compared -------------------------------------------------------------------------

def _score(figures: dict) -> int:
    return sum(weight * figures[key] for key, weight in SCORE_WEIGHTS.items())


def _period(week: str | None, found: list[Campaign]) -> tuple[str, date]:
    if week:
        return week, clock.parse_week(week)[0]
    if len(found) == 1:
        return found[0].week, found[0].week_start
    today = clock.today()
    return clock.week_of(today), clock.parse_week(clock.week_of(today))[0]


def _week_bounds(monday: date) -> tuple[datetime, datetime]:
    return clock.local_day_bounds(monday)[0], clock.local_day_bounds(monday + timedelta(days=7))[0]


def _comparison(stages: list[Stage], counts: dict, managers: list[User], figures: dict[int, dict]) -> list[dict]:
    rows = []
    for user in managers:
        fig = figures[user.id]
        if not (_active(fig) or counts.get(user.id)):
            continue
        row = {"id": user.id, "manager": user.login, "score": _score(fig), "deals": fig["deals"], "calls": fig["calls"],
               "reached": fig["reached"], "invoices": fig["invoices"], "payments": fig["payments"],
               "paid": money.show(fig["paid_cents"]) or "0.00", "won": fig["won"], "lost": fig["lost"]}
        for step in _funnel_rows(stages, counts.get(user.id, {}))[1:]:
            row[f"conv_{step['stage']}"] = step["conversion"]
        rows.append(row)
    rows.sort(key=lambda r: (-r["score"], r["manager"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return [{"rank": r.pop("rank"), **r} for r in rows]


def managers(*, session: Session, actor: User, week: str | None = None, campaign: str | None = None) -> list[dict]:
    """The managers compared over a week (default: the campaign's week, or this week): ranked by
    score (reached + 3 x invoices + 5 x payments), with each one's conversion per stage (%)."""
    found, _label = _campaigns(session, campaign, week)
    week, monday = _period(week, found)
    start, end = _week_bounds(monday)
    people = _visible_managers(session, actor)
    ids = [u.id for u in people]
    campaign_ids = [c.id for c in found]
    figures = _figures(session, campaign_ids, ids, start, end, min(end, clock.now()),
                       _week_activity(session, campaign_ids, monday, by_week=not campaign))
    stages, counts = _funnel_counts(session, campaign_ids, _funnel_scope(session, actor))
    return _comparison(stages, counts, people, figures)


# ---- weekly ------------------------------------------------------------------------------------

def _plan(session: Session, campaign_ids: list[int], manager_ids: list[int], days: list[date]) -> list[dict]:
    """Calls due per local day ahead (open deals by next_call_at), plus those already overdue: one query."""
    bounds = [clock.local_day_bounds(d) for d in days]
    cols = [func.count(Deal.id).filter(Deal.next_call_at < bounds[0][0])]
    cols += [func.count(Deal.id).filter(Deal.next_call_at >= s, Deal.next_call_at < e) for s, e in bounds]
    cols += [func.count(Deal.id).filter(Deal.next_call_at >= s, Deal.next_call_at < e, Deal.status == "call_back")
             for s, e in bounds]
    values = session.execute(select(*cols).where(_in(campaign_ids), Deal.manager_id.in_(manager_ids),
                                                 Deal.closed_at.is_(None), Deal.next_call_at.is_not(None))).one()
    n = len(days)
    plan = [{"date": _("before {day}").format(day=days[0].isoformat()), "calls_due": values[0], "callbacks": None}]
    plan += [{"date": d.isoformat(), "calls_due": values[1 + i], "callbacks": values[1 + n + i]} for i, d in enumerate(days)]
    return plan


def weekly(*, session: Session, actor: User, week: str | None = None, campaign: str | None = None) -> dict:
    """The week's summary: per manager and in total (the daily figures over the week), the
    funnel, the calendar plan (calls due per day from today, or from the week's Monday for a
    week ahead), managers ranked by score, and the change against the previous week.

    `week` (2026-W48) takes that week's campaigns, and the week's work on deals of earlier
    campaigns (`_week_activity`); `campaign` one campaign over its week; neither: this week.
    BadInput for a malformed week."""
    if week and campaign:
        raise BadInput(_("give --week or --campaign, not both"))
    week_given = week or (None if campaign else clock.week_of(clock.today()))
    found, label = _campaigns(session, campaign, week_given)
    week, monday = _period(week_given, found)
    start, end = _week_bounds(monday)
    prev_start, prev_end = _week_bounds(monday - timedelta(days=7))
    now = clock.now()
    people = _visible_managers(session, actor)
    ids = [u.id for u in people]
    campaign_ids = [c.id for c in found]
    by_week = not campaign
    figures = _figures(session, campaign_ids, ids, start, end, min(end, now),
                       _week_activity(session, campaign_ids, monday, by_week))
    prev_campaigns = list(session.scalars(select(Campaign.id).where(Campaign.week_start == monday - timedelta(days=7))))
    if campaign and found[0].rolled_from_id:
        prev_campaigns = [found[0].rolled_from_id]
    previous = _figures(session, prev_campaigns, ids, prev_start, prev_end, min(prev_end, now),
                        _week_activity(session, prev_campaigns, monday - timedelta(days=7), by_week))
    stages, counts = _funnel_counts(session, campaign_ids, _funnel_scope(session, actor))
    rows = _rows(people, figures, week=week)
    total, prev_total = rows[-1], _public(None, TOTAL, _sum([previous[u] for u in ids]), week=clock.week_of(monday - timedelta(days=7)))
    first_day = max(monday, clock.today())
    plan_days = [first_day + timedelta(days=i) for i in range(PLAN_DAYS)]
    change = {key: total[key] - prev_total[key] for key in ("calls", "reached", "invoices", "payments", "won", "lost")}
    change["paid"] = money.show(_sum([figures[u] for u in ids if _active(figures[u])])["paid_cents"]
                                - _sum([previous[u] for u in ids])["paid_cents"]) or "0.00"
    return {"week": week, "scope": label, "campaigns": [c.name for c in found],
            "from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat(),
            "managers": rows[:-1], "total": total,
            "funnel": _funnel_rows(stages, _merge(counts, counts.keys())),
            "plan": _plan(session, campaign_ids, ids, plan_days),
            "ranking": _comparison(stages, counts, people, figures),
            "previous": prev_total, "change": change,
            "score": _("score = reached + 3 x invoices + 5 x payments")}
