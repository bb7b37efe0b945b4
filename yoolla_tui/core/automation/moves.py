"""The one place a stage move runs the stage's triggers (issue 27): `enter_stage` and
`close_lost` are funnel.transition's, followed by `triggers.run_triggers` in the same
transaction. Calls' services move deals through here. (Once kernel/events.py publishes
StageEntered, run_triggers becomes its handler in core/reactions.py and this module goes.)
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from yoolla_tui.core.funnel import transition as funnel
from yoolla_tui.core.kernel import reference
from yoolla_tui.core.kernel.models import Deal, LostReason, Stage, User
from yoolla_tui.core.people.calendar import WorkCalendar


def enter_stage(session: Session, actor: User, deal: Deal, stage: Stage, *, calendar: WorkCalendar,
                reason: LostReason | None = None, note: str = "", when: datetime | None = None) -> None:
    """funnel.enter_stage, then the stage's enabled triggers; any refusal (the gate, a failing
    trigger) raises and the caller's transaction rolls the whole move back."""
    from yoolla_tui.core.automation import triggers  # not at import: work.orders still imports calls

    funnel.enter_stage(session, actor, deal, stage, calendar=calendar, reason=reason, note=note, when=when)
    triggers.run_triggers(session, actor, deal, stage)


def close_lost(session: Session, actor: User, deal: Deal, reason: LostReason, *, calendar: WorkCalendar,
               note: str = "", when: datetime | None = None) -> None:
    """Close an open deal as lost with `reason` in its pipeline's lost stage (and run its triggers)."""
    stage = reference.lost_stage(session, session.get(Stage, deal.stage_id).pipeline_id)
    enter_stage(session, actor, deal, stage, calendar=calendar, reason=reason, note=note, when=when)
