"""Funnel reports: where and why deals were lost (seed 003), and where execution slipped —
planned against actual per checkpoint type and manager (seed 000). Rows are plain dicts with
stable keys (README, "The funnel").
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlmodel import Session

from yoolla_tui.core.funnel import checkpoints
from yoolla_tui.core.kernel import clock
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Checkpoint, CheckpointType, Deal, LostReason, Stage, StageKind, User
from yoolla_tui.core.kernel.permissions import deal_scope
from yoolla_tui.core.calls.campaigns import resolve
from yoolla_tui.core.kernel.errors import BadInput


def _deal_filters(session: Session, actor: User, campaign: str | None, manager: str | None) -> list:
    where = []
    scope = deal_scope(session, actor)
    if scope is not None:
        where.append(scope)
    if campaign:
        where.append(Deal.campaign_id == resolve(session, campaign).id)
    if manager:
        where.append(Deal.manager_id == users.get_by_login(session, manager).id)
    return where


def _share(count: int, total: int) -> float:
    return round(100.0 * count / total, 1) if total else 0.0


def lost(*, session: Session, actor: User, campaign: str | None = None, manager: str | None = None) -> list[dict]:
    """Lost deals counted by the stage they had reached before being lost (`by` = stage) and by
    lost reason (`by` = reason), each with its share (percent of all lost deals in scope)."""
    lost_stage = Stage.__table__.alias("lost_stage")
    where = _deal_filters(session, actor, campaign, manager) + [
        Deal.closed_at.is_not(None), Deal.stage_id.in_(select(lost_stage.c.id).where(lost_stage.c.kind == StageKind.lost))]
    by_stage = session.execute(
        select(Stage.code, Stage.name, func.count(Deal.id))
        .select_from(Deal).join(Stage, Stage.id == Deal.lost_at_stage_id, isouter=True)
        .where(*where).group_by(Stage.code, Stage.name, Stage.position).order_by(Stage.position)).all()
    by_reason = session.execute(
        select(LostReason.code, LostReason.name, func.count(Deal.id))
        .select_from(Deal).join(LostReason, LostReason.id == Deal.lost_reason_id, isouter=True)
        .where(*where).group_by(LostReason.code, LostReason.name).order_by(func.count(Deal.id).desc(), LostReason.code)).all()
    total = sum(n for _c, _n, n in by_stage)
    unknown = _("(unknown)")
    rows = [{"by": "stage", "code": code, "name": _(name) if name else unknown, "count": n, "share": _share(n, total)}
            for code, name, n in by_stage]
    rows += [{"by": "reason", "code": code, "name": _(name) if name else unknown, "count": n, "share": _share(n, total)}
             for code, name, n in by_reason]
    return rows


def checkpoint_report(*, session: Session, actor: User, campaign: str | None = None, manager: str | None = None,
                      by: str = "both") -> list[dict]:
    """Per checkpoint type and per manager of the deal (`by`: both, type or manager): planned,
    done on time, done late, still overdue, still on plan, and the mean delay in days of those
    done late (None when none was)."""
    if by not in ("both", "type", "manager"):
        raise BadInput(_("--by takes both, type or manager, not {by!r}").format(by=by))
    now = clock.now()
    where = _deal_filters(session, actor, campaign, manager)
    stmt = (select(Checkpoint.due_at, Checkpoint.done_at, CheckpointType.name, User.login)
            .join(CheckpointType, CheckpointType.id == Checkpoint.type_id)
            .join(Deal, Deal.id == Checkpoint.deal_id)
            .join(User, User.id == Deal.manager_id, isouter=True)
            .where(*where))
    groups: dict = defaultdict(lambda: {"planned": 0, "done_on_time": 0, "done_late": 0, "overdue": 0, "on_plan": 0,
                                        "_delays": []})
    for due_at, done_at, type_name, login in session.execute(stmt):
        key = (type_name if by != "manager" else None, login if by != "type" else None)
        group = groups[key]
        group["planned"] += 1
        state = checkpoints.state_of(due_at, done_at, now)
        if state == checkpoints.DONE:
            group["done_on_time"] += 1
        elif state == checkpoints.DONE_LATE:
            group["done_late"] += 1
            group["_delays"].append((done_at - due_at).total_seconds() / 86400)
        elif state == checkpoints.OVERDUE:
            group["overdue"] += 1
        else:
            group["on_plan"] += 1
    rows = []
    for (type_name, login), group in sorted(groups.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")):
        delays = group.pop("_delays")
        row = {}
        if by != "manager":
            row["type"] = type_name
        if by != "type":
            row["manager"] = login
        row.update(group)
        row["mean_delay_days"] = round(sum(delays) / len(delays), 1) if delays else None
        rows.append(row)
    return rows
