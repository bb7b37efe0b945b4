"""Configurable defaults. The fallbacks are here; a `setting` row overrides one."""

from __future__ import annotations

from datetime import time
from typing import Any

from sqlmodel import Session

from yoolla_tui.core.kernel.models import Setting

DEFAULTS: dict[str, Any] = {
    # no_answer: retry after this delay, never sooner than the floor, at most N tries a week.
    "no_answer_delay_minutes": 120,
    "no_answer_min_delay_minutes": 30,
    "no_answer_max_attempts": 3,
    # Working hours (local time) and days (ISO weekday numbers) for scheduling calls.
    "work_start": "09:00",
    "work_end": "18:00",
    "work_days": [1, 2, 3, 4, 5],
    # Public holidays of this country are not business days (python-holidays code; "" for none).
    "holidays_country": "RU",
    # A shared-pool contact handed out by `yoolla next` is held for its operator this long.
    "pool_reservation_minutes": 10,
    # A logged call outcome can be undone (dashboard `z`, `yoolla call undo`) for this long.
    "undo_minutes": 5,
    # PostgreSQL: the login role `yoolla user add anna` makes is this prefix + the login
    # ("" by default: plain logins). Several Yoolla databases on one server each take a prefix
    # (e.g. "shop2."), since roles are the server's, not a database's.
    "db_role_prefix": "",
}


def get(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    return row.value if row is not None and row.value is not None else DEFAULTS[key]


def get_time(session: Session, key: str) -> time:
    hours, minutes = str(get(session, key)).split(":")
    return time(int(hours), int(minutes))
