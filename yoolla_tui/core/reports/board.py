"""What a supervisor watches through the day, for the dashboard's Supervisor screen."""

from __future__ import annotations

from sqlmodel import Session

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import User
from yoolla_tui.core.kernel.permissions import require_campaign_admin
from yoolla_tui.core.reports import summary as reports


def supervisor_board(*, session: Session, actor: User) -> dict:
    """What a supervisor watches through the day, in one read, from the reports: today per
    manager with the total row (`reports.daily`), this week's managers compared and ranked
    (`reports.managers`), and the funnel of the open campaigns (`reports.funnel`; empty, with the
    reason in `funnel_note`, when they use different pipelines). Supervisors and admins only."""
    require_campaign_admin(actor, action=_("see the supervisor view"))
    out = {"daily": reports.daily(session=session, actor=actor), "managers": reports.managers(session=session, actor=actor),
           "funnel": [], "funnel_note": None}
    try:
        out["funnel"] = reports.funnel(session=session, actor=actor)
    except BadInput as error:
        out["funnel_note"] = error.message
    return out
