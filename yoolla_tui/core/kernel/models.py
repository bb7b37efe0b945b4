"""The glossary as tables. Names follow PRODUCT.md: User, Client, Campaign, Pipeline, Stage,
LostReason, Deal, Call, Payment, AuditRecord, ImportBatch.

Money is stored in minor units (kopecks/cents) as integers: exact on both databases.
Datetimes are aware UTC (`UTCDateTime`). Enumerations are stored as short strings.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import BigInteger, Column, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from yoolla_tui.core.kernel.types import JSONType, UTCDateTime


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    manager = "manager"
    executor = "executor"


class StageKind(StrEnum):
    open = "open"
    won = "won"
    lost = "lost"


class Outcome(StrEnum):
    no_answer = "no_answer"
    call_back = "call_back"
    interested = "interested"
    refused = "refused"
    do_not_call = "do_not_call"
    wrong_number = "wrong_number"


class CampaignStatus(StrEnum):
    open = "open"
    closed = "closed"


class Quality(StrEnum):
    liked = "liked"
    disliked = "disliked"


def _dt(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: Optional[int] = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)
    role: str = Field(max_length=16)
    supervisor_id: Optional[int] = Field(default=None, foreign_key="user.id", index=True)
    active: bool = Field(default=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Who this person is outside Yoolla (issue 22): the OS login that runs `yoolla` on a SQLite
    # database, the PostgreSQL role (`current_user`) on a shared one. Identity comes from these,
    # never from --user alone.
    os_login: Optional[str] = Field(default=None, max_length=64, unique=True)
    db_role: Optional[str] = Field(default=None, max_length=64, unique=True)


class Client(SQLModel, table=True):
    """An organisation, one row per real client however many lists it came from.

    The dedupe key is the normalised phone plus extension (`phone`, `phone_ext`, '' for none).
    """

    __tablename__ = "client"
    __table_args__ = (UniqueConstraint("phone", "phone_ext", name="uq_client_phone"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, index=True)
    contact_person: str = Field(default="", max_length=200)
    phone: Optional[str] = Field(default=None, max_length=20)
    phone_ext: str = Field(default="", max_length=10)
    phone_raw: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    note: str = Field(default="")
    extra: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False, default=dict))
    do_not_call: bool = Field(default=False, index=True)
    dnc_reason: str = Field(default="")
    dnc_at: Optional[datetime] = _dt()
    dnc_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    import_batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Pipeline(SQLModel, table=True):
    __tablename__ = "pipeline"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)


class Stage(SQLModel, table=True):
    """One step of a pipeline. Entering it may schedule a call (`followup_days`, business days)
    and requires `required_fields` (`invoice`, `payment`, `lost_reason`, `quality`)."""

    __tablename__ = "stage"
    __table_args__ = (UniqueConstraint("pipeline_id", "code", name="uq_stage_code"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    pipeline_id: int = Field(foreign_key="pipeline.id", index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    position: int
    kind: str = Field(default=StageKind.open, max_length=8)
    followup_days: Optional[int] = Field(default=None)
    time_budget_days: Optional[int] = Field(default=None)
    required_fields: list = Field(default_factory=list, sa_column=Column(JSONType, nullable=False, default=list))
    close_tasks: bool = Field(default=False)
    # Documents (issue 27): entering the stage needs a document of this kind made on the deal
    # (proposal, invoice, contract, spec), and sent to the client when `requires_sent`.
    requires_document: Optional[str] = Field(default=None, max_length=16)
    requires_sent: bool = Field(default=False)


class LostReason(SQLModel, table=True):
    """Why a deal was lost. `final` keeps the client off later campaigns (rollover skips it)."""

    __tablename__ = "lost_reason"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    final: bool = Field(default=False)
    needs_note: bool = Field(default=False)
    active: bool = Field(default=True)


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    week: str = Field(max_length=8, index=True)
    week_start: date
    owner_id: int = Field(foreign_key="user.id")
    pipeline_id: int = Field(foreign_key="pipeline.id")
    rolled_from_id: Optional[int] = Field(default=None, foreign_key="campaign.id")
    status: str = Field(default=CampaignStatus.open, max_length=8)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: Optional[datetime] = _dt()


_POOL = text("manager_id IS NULL AND callback_user_id IS NULL AND closed_at IS NULL")


class Deal(SQLModel, table=True):
    """One client on one campaign's list, owned by one manager (None while unassigned).

    `status` is the last call outcome code or `new`. `next_call_at` None means the deal is out of
    the call queue (closed, waiting on a stage action, attempts used up, or wrong number).
    `version` grows on every write: an edit made against an older version is refused.
    """

    __tablename__ = "deal"
    __table_args__ = (
        UniqueConstraint("campaign_id", "client_id", name="uq_deal_campaign_client"),
        Index("ix_deal_queue", "manager_id", "closed_at", "next_call_at"),
        # The shared pool (`yoolla next`, core/calls/pool.py): its due contacts in queue order, the
        # overdue call-backs among them, an operator's held contact and personal call-backs.
        Index("ix_deal_pool", "next_call_at", "id", sqlite_where=_POOL, postgresql_where=_POOL),
        Index("ix_deal_status_queue", "status", "manager_id", "closed_at", "next_call_at"),
        Index("ix_deal_reserved_by", "reserved_by_id", sqlite_where=text("reserved_by_id IS NOT NULL"),
              postgresql_where=text("reserved_by_id IS NOT NULL")),
        Index("ix_deal_callback_user", "callback_user_id", sqlite_where=text("callback_user_id IS NOT NULL"),
              postgresql_where=text("callback_user_id IS NOT NULL")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    manager_id: Optional[int] = Field(default=None, foreign_key="user.id")
    stage_id: int = Field(foreign_key="stage.id", index=True)
    status: str = Field(default="new", max_length=16)
    next_call_at: Optional[datetime] = _dt(index=True)
    callback_user_id: Optional[int] = Field(default=None, foreign_key="user.id")
    attempts_week: int = Field(default=0)
    attempts_total: int = Field(default=0)
    carried_over: bool = Field(default=False)
    invoice_cents: Optional[int] = Field(default=None, sa_type=BigInteger)
    invoiced_at: Optional[datetime] = _dt()
    quality: Optional[str] = Field(default=None, max_length=16)
    lost_reason_id: Optional[int] = Field(default=None, foreign_key="lost_reason.id")
    lost_note: str = Field(default="")
    stage_entered_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # When the stage's time budget runs out (None: the stage has none); see core/light.py.
    stage_due_at: Optional[datetime] = _dt(index=True)
    closed_at: Optional[datetime] = _dt()
    # The funnel (issue 13): the planned close date (Health), and the stage a lost deal had
    # reached before it was lost (`report lost`).
    close_by: Optional[date] = Field(default=None)
    lost_at_stage_id: Optional[int] = Field(default=None, foreign_key="stage.id")
    rolled_from_deal_id: Optional[int] = Field(default=None, foreign_key="deal.id")
    import_batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    version: int = Field(default=1)
    # many seats (issue 17): a pool deal (manager_id None) handed out by `yoolla next` is held for
    # the operator who got it until `reserved_until`; see core/pool.py.
    reserved_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    reserved_until: Optional[datetime] = _dt()


class Call(SQLModel, table=True):
    """One logged call. All calls of a client, across campaigns, are its history."""

    __tablename__ = "call"
    # AUTOINCREMENT (SQLite): an undone call's id is never handed out again (migration 0009).
    __table_args__ = (Index("ix_call_user_at", "user_id", "at"), {"sqlite_autoincrement": True})

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    outcome: str = Field(max_length=16)
    note: str = Field(default="")
    stage_before_id: Optional[int] = Field(default=None, foreign_key="stage.id")
    stage_after_id: Optional[int] = Field(default=None, foreign_key="stage.id")
    next_call_at: Optional[datetime] = _dt()


class Payment(SQLModel, table=True):
    __tablename__ = "payment"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    amount_cents: int = Field(sa_type=BigInteger)
    paid_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    user_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AuditRecord(SQLModel, table=True):
    """Who did what, when, to which record. Written by every service that changes data."""

    __tablename__ = "audit_record"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_id: Optional[int] = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=64, index=True)
    entity: str = Field(max_length=32)
    entity_id: Optional[int] = Field(default=None)
    data: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False, default=dict))
    # An admin acting as someone (`--user anna` run by irina): actor_id is anna, real_actor_id irina.
    real_actor_id: Optional[int] = Field(default=None, foreign_key="user.id")
    # The hash chain (issue 22): seq numbers the chain without gaps (given at commit, under the
    # head's lock); hash = SHA-256 of this record's content and the previous record's hash.
    seq: Optional[int] = Field(default=None, unique=True)
    hash: Optional[str] = Field(default=None, max_length=64)


class AuditHead(SQLModel, table=True):
    """The newest link of the audit chain (one row, id 1): its seq and hash. Writers lock this row
    to extend the chain; `db check` compares it with the newest record (a deleted tail shows)."""

    __tablename__ = "audit_head"

    id: Optional[int] = Field(default=None, primary_key=True)
    seq: int = Field(default=0)
    hash: str = Field(default="", max_length=64)


class ImportBatch(SQLModel, table=True):
    """One run of `yoolla import`: what it read, what it did, and what it rejected."""

    __tablename__ = "import_batch"

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(max_length=500)
    actor_id: int = Field(foreign_key="user.id")
    campaign_id: Optional[int] = Field(default=None, foreign_key="campaign.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    undone_at: Optional[datetime] = _dt()
    stats: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False, default=dict))


class ImportRejectedRow(SQLModel, table=True):
    """A row an import did not take, with its reason and its original cells (nothing silently dropped)."""

    __tablename__ = "import_rejected_row"

    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    sheet: str = Field(default="", max_length=200)
    row_number: int
    reason: str = Field(default="")
    cells: list = Field(default_factory=list, sa_column=Column(JSONType, nullable=False, default=list))


class ImportUpdate(SQLModel, table=True):
    """The fields of an existing client that an `--update` import filled, as they were before (for undo)."""

    __tablename__ = "import_update"

    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    before: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False, default=dict))


class Setting(SQLModel, table=True):
    """Configurable defaults (queue delays, working hours); the code holds the fallbacks."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(sa_column=Column(JSONType, nullable=True))


# ---- Orders and tasks (issue 15: seed 001) --------------------------------------------------

class OrderStatus(StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class TaskStatus(StrEnum):
    todo = "todo"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class Order(SQLModel, table=True):
    """A unit of work inside a deal (a product line, a project phase); a deal may have several.
    `priority`: higher comes first in executors' queues (after the task's own priority)."""

    __tablename__ = "order"

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    title: str = Field(max_length=300)
    priority: int = Field(default=0)
    quantity: int = Field(default=1)
    status: str = Field(default=OrderStatus.open, max_length=16)
    template: Optional[str] = Field(default=None, max_length=200)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Task(SQLModel, table=True):
    """A piece of an order for one executor: estimate in minutes, status todo → in_progress →
    done (or cancelled). Its actual time is the sum of its time entries."""

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_assignee_status", "assignee_id", "status"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    title: str = Field(max_length=300)
    type: str = Field(max_length=64, index=True)
    subtype: str = Field(default="", max_length=64)
    assignee_id: int = Field(foreign_key="user.id")
    priority: int = Field(default=0)
    estimate_minutes: int = Field(default=0)
    due_at: Optional[datetime] = _dt()
    status: str = Field(default=TaskStatus.todo, max_length=16)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    done_at: Optional[datetime] = _dt()


class TaskDependency(SQLModel, table=True):
    """`task_id` waits for `blocker_id`: it stays out of the queue until the blocker is done."""

    __tablename__ = "task_dependency"

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    blocker_id: int = Field(foreign_key="task.id", primary_key=True, index=True)


class TaskWatcher(SQLModel, table=True):
    """Someone interested in a task: told when it becomes ready to work."""

    __tablename__ = "task_watcher"

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True)


class TaskComment(SQLModel, table=True):
    __tablename__ = "task_comment"

    id: Optional[int] = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    text: str = Field(default="")


class TimeEntry(SQLModel, table=True):
    """A stretch of work on a task from the timer (`stopped_at` None: running) or added by a
    supervisor (`corrected_by_id`)."""

    __tablename__ = "time_entry"
    __table_args__ = (Index("ix_time_entry_user_stopped", "user_id", "stopped_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    stopped_at: Optional[datetime] = _dt()
    corrected_by_id: Optional[int] = Field(default=None, foreign_key="user.id")


class Notification(SQLModel, table=True):
    """A message in a user's inbox (e.g. a task they wait on is done)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    kind: str = Field(max_length=32)
    task_id: Optional[int] = Field(default=None, foreign_key="task.id")
    data: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False, default=dict))
    read_at: Optional[datetime] = _dt()


class WorkDay(SQLModel, table=True):
    """A user's working hours on one ISO weekday (1 = Monday); `start` None: a day off.
    A user without rows works the default week (settings work_days, work_start–work_end)."""

    __tablename__ = "work_day"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    weekday: int = Field(primary_key=True)
    start: Optional[str] = Field(default=None, max_length=5)
    end: Optional[str] = Field(default=None, max_length=5)


class Leave(SQLModel, table=True):
    """Days a user does not work (vacation, sick leave), both ends included."""

    __tablename__ = "leave"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    first_day: date
    last_day: date
    note: str = Field(default="")
# ---- the funnel: checkpoints (issue 13, seed 000) ---------------------------------------------

class CheckpointType(SQLModel, table=True):
    """A named milestone outside selling itself ("design made", "tested"). Bound to a stage, it
    stops a deal from moving past that stage while the deal's checkpoint of this type is undone.
    `roles` and `user_ids` may mark it done (both empty: the deal's manager, their supervisor)."""

    __tablename__ = "checkpoint_type"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    stage_id: Optional[int] = Field(default=None, foreign_key="stage.id", index=True)
    roles: list = Field(default_factory=list, sa_column=Column(JSONType, nullable=False, default=list))
    user_ids: list = Field(default_factory=list, sa_column=Column(JSONType, nullable=False, default=list))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Checkpoint(SQLModel, table=True):
    """One checkpoint planned on a deal: when it is due, and when and by whom it was done."""

    __tablename__ = "checkpoint"
    __table_args__ = (UniqueConstraint("deal_id", "type_id", name="uq_checkpoint_deal_type"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    type_id: int = Field(foreign_key="checkpoint_type.id", index=True)
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    done_at: Optional[datetime] = _dt()
    done_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Tally(SQLModel, table=True):
    """Kept aggregates for the reports (kernel/tally.py): per UTC hour, person and campaign, how
    many calls of each outcome (metric `call:<outcome>`, person = the caller), deals won and lost
    (`won`, `lost`, by closed_at), invoices issued (`invoice`, n and cents, by invoiced_at) and
    payments received (`payment`, by paid_at); person = the deal's manager for all but calls.
    Changed in the same transaction as the rows they count; rebuilt from them by `db check --repair`."""

    __tablename__ = "tally"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: rows stored in key order, a period is one range

    hour: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    user_id: int = Field(primary_key=True)
    campaign_id: int = Field(primary_key=True)
    metric: str = Field(primary_key=True, max_length=24)
    n: int = 0
    cents: int = Field(default=0, sa_type=BigInteger)


class Reach(SQLModel, table=True):
    """Kept aggregate: the deals a caller reached (any outcome but no_answer / wrong_number) per UTC
    hour and campaign, with how many such calls; `reached` in a period is its distinct deals."""

    __tablename__ = "reach"
    # The reports ask "distinct deals per caller over a period" (user_id IN …, hour range): by
    # caller first, rows come grouped and the database sorts no period of rows (migration 0014).
    __table_args__ = (Index("ix_reach_user_hour", "user_id", "hour", "campaign_id", "deal_id"),
                      {"sqlite_with_rowid": False})

    hour: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    user_id: int = Field(primary_key=True)
    campaign_id: int = Field(primary_key=True)
    deal_id: int = Field(primary_key=True)
    n: int = 0


# ---- stage triggers and processes ---------------------------------------------------

class TriggerKind(StrEnum):
    process = "process"
    checkpoint = "checkpoint"
    task = "task"
    document = "document"
    notify = "notify"


class ProcessStatus(StrEnum):
    running = "running"
    done = "done"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"


class StageTrigger(SQLModel, table=True):
    """Something entering a stage does to the deal (start a process, plan a checkpoint, create a
    task, make a document, notify people); an admin switches it on and off (`enabled`).
    `options` holds the kind's settings; triggers of a stage run in `position` order."""

    __tablename__ = "stage_trigger"

    id: Optional[int] = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    kind: str = Field(max_length=16)
    options: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False, default=dict))
    enabled: bool = Field(default=True)
    position: int = Field(default=0)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class DealProcess(SQLModel, table=True):
    """A process template started on a deal: its order holds the tasks. `gate`: the deal may not
    move past `stage_id` (where it started) while it runs. A process with a `decision` step ends
    approved (that task done) or rejected; others end done (or cancelled) with their last task."""

    __tablename__ = "deal_process"

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    template: str = Field(max_length=64)
    name: str = Field(max_length=200)
    stage_id: int = Field(foreign_key="stage.id")
    trigger_id: Optional[int] = Field(default=None, foreign_key="stage_trigger.id")
    gate: bool = Field(default=False)
    decision: bool = Field(default=False)
    decision_task_id: Optional[int] = Field(default=None, foreign_key="task.id")
    status: str = Field(default=ProcessStatus.running, max_length=16, index=True)
    estimate_minutes: int = Field(default=0)
    started_by_id: int = Field(foreign_key="user.id")
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: Optional[datetime] = _dt()
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    note: str = Field(default="")


# ---- documents ----------------------------------------------------------------------

class DocumentKind(StrEnum):
    proposal = "proposal"
    invoice = "invoice"
    contract = "contract"
    spec = "spec"


class Document(SQLModel, table=True):
    """A document made for a deal from a .docx template: its kind, its number in the year (gap
    free per kind, from `document_counter`), the kept file, who made it, and to whom and when it
    was mailed. The funnel reads this table for a stage's `requires_document` gate."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("kind", "year", "number", name="uq_document_kind_year_number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    kind: str = Field(max_length=16)
    number: int
    year: int
    path: str = Field(max_length=1000)
    amount_cents: Optional[int] = Field(default=None, sa_type=BigInteger)
    made_by_id: int = Field(foreign_key="user.id")
    made_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_to: Optional[str] = Field(default=None, max_length=200)
    sent_at: Optional[datetime] = _dt()


class DocumentCounter(SQLModel, table=True):
    """The last number given to a kind of document in a year. Its row is locked while a number
    is taken (SELECT … FOR UPDATE; SQLite's writer lock), so two issuers never share a number and
    a rolled-back document gives its number back: invoices are numbered without gaps."""

    __tablename__ = "document_counter"

    kind: str = Field(primary_key=True, max_length=16)
    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last: int = Field(default=0)
