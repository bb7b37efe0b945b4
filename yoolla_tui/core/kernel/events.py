"""Domain events: how one domain reacts to another without importing it.

A service that changes something other domains may care about publishes an event inside its own
transaction; the handlers run at once, in the same session, so the change and every reaction
commit or roll back together (a failing handler undoes the whole write). This is the in-process
message bus of "Architecture Patterns with Python" (chapters 8-9), without a queue: Yoolla's
reactions are few, quick and must be atomic with their cause.

Handlers are registered in one place, `yoolla_tui/core/reactions.py`, the top of core (it may
import every domain). The bus loads that module the first time anything is published, so no
caller has to remember a bootstrap step and no domain imports another to react to it.

Events (add one here when a new reaction is needed, and its handler in reactions.py):
- StageEntered: a deal entered a stage (funnel.transition.enter_stage). Work cancels the deal's
  open tasks when the stage closes tasks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from yoolla_tui.core.kernel.models import Deal, Stage, User

REACTIONS_MODULE = "yoolla_tui.core.reactions"


@dataclass(frozen=True)
class StageEntered:
    deal: Deal
    stage: Stage
    stage_before_id: int | None


Handler = Callable[[Session, User | None, Any], None]
_handlers: dict[type, list[Handler]] = {}
_loaded = False


def subscribe(event_type: type, handler: Handler) -> None:
    """Register `handler(session, actor, event)` for `event_type` (reactions.py does this)."""
    if handler not in _handlers.setdefault(event_type, []):
        _handlers[event_type].append(handler)


def handlers(event_type: type) -> list[Handler]:
    _load()
    return list(_handlers.get(event_type, []))


def publish(session: Session, actor: User | None, event: Any) -> None:
    """Run every handler of the event now, in the caller's transaction, in registration order."""
    for handler in handlers(type(event)):
        handler(session, actor, event)


def _load() -> None:
    global _loaded
    if not _loaded:
        importlib.import_module(REACTIONS_MODULE)
        _loaded = True
