"""What each domain does when another one changes something: the one place domain events are
wired to their handlers (see kernel/events.py). The top of core: it may import any domain, and
only kernel.events loads it.
"""

from __future__ import annotations

from sqlmodel import Session

from yoolla_tui.core.kernel import events
from yoolla_tui.core.kernel.models import User
from yoolla_tui.core.work import tasks


def close_tasks_on_stage(session: Session, actor: User | None, event: events.StageEntered) -> None:
    """A stage with `close_tasks`: entering it cancels the deal's open tasks (each audited)."""
    if event.stage.close_tasks:
        tasks.cancel_for_stage(session, actor, event.deal, event.stage)


events.subscribe(events.StageEntered, close_tasks_on_stage)
