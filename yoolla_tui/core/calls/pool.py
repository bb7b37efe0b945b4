"""The shared pool: a campaign's unassigned open deals, handed out one at a time.

`next_contact` gives the caller, in this order:
1. a pool contact they reserved and have not logged yet (pressing "next" twice hands back the
   same one instead of hoarding two);
2. their own due deals and their personal call-backs (a call-back goes back to whoever promised
   it, never to the pool), in queue order;
3. the pool's next due contact nobody holds, reserved for them for `pool_reservation_minutes`.

Two operators never get the same contact: the pool row is taken with `db.skip_locked` (PostgreSQL:
`FOR UPDATE SKIP LOCKED`; SQLite: every transaction is `BEGIN IMMEDIATE`, so takers queue on the
write lock and each sees the reservation the previous one committed).

The reservation ends with the logged call (`on_call_logged`, called by `deals.log_call`) or when
its time passes. The first logged call makes the pool deal the caller's: its follow-ups (a retry
after no answer, the next stage's call) come back to the operator who spoke to the client.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlmodel import Session

from yoolla_tui.core.calls.deal_rows import listing_stmt, public_row, queue_order

from yoolla_tui.core.kernel import audit, clock, settings
from yoolla_tui.core.kernel.db import skip_locked
from yoolla_tui.core.kernel.errors import Conflict
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Deal, Role, User
from yoolla_tui.core.kernel.permissions import require_role
from yoolla_tui.core.calls.campaigns import resolve


def _free(now):
    """No live reservation on the deal."""
    return or_(Deal.reserved_until.is_(None), Deal.reserved_until <= now)


def next_contact(*, session: Session, actor: User, campaign: str | None = None) -> Deal | None:
    """The caller's next due contact (see the module docstring), or None when nothing is due.

    Raises PermissionDenied (executors), NotFound (unknown campaign).
    """
    require_role(actor, Role.admin, Role.supervisor, Role.manager, action=_("take contacts from the pool"))
    now = clock.now()
    where = [Deal.closed_at.is_(None)]
    if campaign:
        where.append(Deal.campaign_id == resolve(session, campaign).id)
    held = session.scalars(select(Deal).where(*where, Deal.manager_id.is_(None), Deal.reserved_by_id == actor.id,
                                              Deal.reserved_until > now).order_by(Deal.id).limit(1)).first()
    if held is not None:
        return held
    due = [*where, Deal.next_call_at.is_not(None), Deal.next_call_at <= now]
    mine = or_(Deal.manager_id == actor.id, Deal.callback_user_id == actor.id)
    # Someone else's live reservation wins even over a call-back (they are on the phone with it).
    not_held_by_others = or_(_free(now), Deal.reserved_by_id == actor.id)
    own = session.scalars(select(Deal).where(*due, mine, not_held_by_others).order_by(*queue_order(now)).limit(1)).first()
    if own is not None:
        return own
    pooled = session.scalars(skip_locked(
        select(Deal).where(*due, Deal.manager_id.is_(None), Deal.callback_user_id.is_(None), _free(now))
        .order_by(*queue_order(now)).limit(1))).first()
    if pooled is None:
        return None
    pooled.reserved_by_id = actor.id
    pooled.reserved_until = now + timedelta(minutes=int(settings.get(session, "pool_reservation_minutes")))
    pooled.updated_at = now
    pooled.version += 1
    session.flush()
    audit.record(session, actor, "pool.reserve", "deal", pooled.id, reserved_until=pooled.reserved_until)
    return pooled


def on_call_logged(session: Session, actor: User, deal: Deal) -> None:
    """End the deal's reservation as a call is logged on it; a pool deal becomes the caller's.

    Raises Conflict when another operator holds a live reservation on it (they are calling it).
    """
    now = clock.now()
    if deal.reserved_by_id not in (None, actor.id) and deal.reserved_until and deal.reserved_until > now:
        holder = session.get(User, deal.reserved_by_id)
        raise Conflict(_("deal {id} is reserved by {login} until {until}; they are calling it").format(
            id=deal.id, login=holder.login, until=clock.show(deal.reserved_until)))
    if deal.manager_id is None and deal.reserved_by_id == actor.id:
        deal.manager_id = actor.id
        audit.record(session, actor, "pool.take", "deal", deal.id, manager_before=None, manager_after=actor.id)
    deal.reserved_by_id = None
    deal.reserved_until = None



def next_card(*, session: Session, actor: User, campaign: str | None = None) -> dict | None:
    """`next_contact` as the deal listing's row plus `source` (pool, call_back, own) and
    `reserved_until`; None when nothing is due."""
    deal = next_contact(session=session, actor=actor, campaign=campaign)
    if deal is None:
        return None
    row = public_row(session.execute(listing_stmt().where(Deal.id == deal.id)).one())
    row["source"] = ("pool" if deal.manager_id is None else
                     "call_back" if deal.callback_user_id == actor.id and deal.status == "call_back" else "own")
    row["reserved_until"] = clock.iso(deal.reserved_until) if deal.manager_id is None else None
    return row
