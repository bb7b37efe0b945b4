"""What each domain does when another one changes something: the one place domain events are
wired to their handlers (see kernel/events.py). The top of core: it may import any domain, and
only kernel.events loads it.
"""

from __future__ import annotations

from sqlmodel import Session

from yoolla_tui.core.kernel import events
from yoolla_tui.core.kernel.models import User
from yoolla_tui.core.automation import triggers
from yoolla_tui.core.work import tasks


def close_tasks_on_stage(session: Session, actor: User | None, event: events.StageEntered) -> None:
    """A stage with `close_tasks`: entering it cancels the deal's open tasks (each audited)."""
    if event.stage.close_tasks:
        tasks.cancel_for_stage(session, actor, event.deal, event.stage)


events.subscribe(events.StageEntered, close_tasks_on_stage)


def run_stage_triggers(session: Session, actor: User | None, event: events.StageEntered) -> None:
    """The entered stage's enabled triggers (issue 27), after its close-tasks rule: a failing one
    raises and the move with everything before it rolls back."""
    triggers.run_triggers(session, actor, event.deal, event.stage)


def make_document(session: Session, actor: User | None, event: events.DocumentRequested) -> None:
    """A document trigger: make the deal's document (and send it)."""
    from yoolla_tui.core.documents import make_document as make

    document = make(session=session, actor=actor, deal_id=event.deal.id, kind=event.kind, send=event.send)
    event.made.update(id=document["id"], files=[f for f in (document.get("path"), document.get("pdf")) if f])


events.subscribe(events.StageEntered, run_stage_triggers)
events.subscribe(events.DocumentRequested, make_document)
