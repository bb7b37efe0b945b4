"""Kept aggregates for the reports: `tally` and `reach` (models.Tally, models.Reach).

A week's report used to count a week of calls (125k rows on the bench database) joined to their
deals, twice; it now sums a few thousand pre-counted rows. Per UTC hour, person and campaign:
- `call:<outcome>`: calls logged (person = the caller, campaign = the deal's);
- `won` / `lost`: deals closed (by closed_at; lost when it has a lost reason), person = the manager;
- `invoice`: invoices issued (by invoiced_at; n and cents), person = the manager;
- `payment`: payments received (by paid_at; n and cents), person = the deal's manager;
and in `reach`, per hour, caller, campaign and deal, the calls that reached somebody (any outcome
but no_answer / wrong_number), so that "deals reached" in a period is a count of distinct deals.
Deals without a manager count nowhere (the reports count managers only).

UTC hours, not local days: a local day in any zone of whole-hour offset is a run of UTC hours, so
the same rows serve YOOLLA_TZ=Europe/Moscow and UTC alike (`covers` says when a period is not).

Kept by one rule, in the same transaction as the rows they count: a `before_flush` hook on every
ORM session adds what flushed calls, payments and deals add and takes out what they took out (a
call logged or undone, a stage move that closes a deal, an invoice, a payment, a deal moved to
another manager). Core bulk writes that change these columns wrap themselves in `recounting()`.
`rebuild()` recounts both tables from the raw rows (migration 0010, `yoolla db check --repair`);
`problems()` compares them with a recount.

May import: the kernel's models and types only.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterable, Iterator

from sqlalchemy import case, delete, event, func, inspect, literal, select, type_coerce
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from yoolla_tui.core.kernel.models import Call, Deal, Outcome, Payment, Reach, Tally
from yoolla_tui.core.kernel.types import UTCDateTime

NOT_REACHED = (Outcome.no_answer.value, Outcome.wrong_number.value)
DEAL_COLUMNS = ("manager_id", "campaign_id", "closed_at", "lost_reason_id", "invoiced_at", "invoice_cents")
CALL_COLUMNS = ("deal_id", "user_id", "at", "outcome")
PAYMENT_COLUMNS = ("deal_id", "paid_at", "amount_cents")

TallyKey = tuple  # (hour, user_id, campaign_id, metric)
ReachKey = tuple  # (hour, user_id, campaign_id, deal_id)


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def covers(start: datetime, end: datetime) -> bool:
    """Whether [start, end) is whole UTC hours (a local day of a zone with a whole-hour offset)."""
    return all(m.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0) == m for m in (start, end))


# ---- what one row counts for ------------------------------------------------------------------

class Delta:
    """Changes to both tables, summed before they are written."""

    def __init__(self) -> None:
        self.tally: dict[TallyKey, list[int]] = defaultdict(lambda: [0, 0])
        self.reach: dict[ReachKey, int] = defaultdict(int)

    def _tally(self, key: TallyKey, sign: int, cents: int = 0) -> None:
        cell = self.tally[key]
        cell[0] += sign
        cell[1] += sign * cents

    def deal(self, values: dict, sign: int) -> None:
        manager, campaign = values["manager_id"], values["campaign_id"]
        if manager is None or campaign is None:
            return
        if values["closed_at"] is not None:
            self._tally((hour_of(values["closed_at"]), manager, campaign,
                         "won" if values["lost_reason_id"] is None else "lost"), sign)
        if values["invoiced_at"] is not None:
            self._tally((hour_of(values["invoiced_at"]), manager, campaign, "invoice"), sign, values["invoice_cents"] or 0)

    def call(self, values: dict, campaign_id: int, sign: int) -> None:
        hour = hour_of(values["at"])
        self._tally((hour, values["user_id"], campaign_id, f"call:{values['outcome']}"), sign)
        if values["outcome"] not in NOT_REACHED:
            self.reach[(hour, values["user_id"], campaign_id, values["deal_id"])] += sign

    def payment(self, values: dict, deal: dict, sign: int) -> None:
        if deal["manager_id"] is None:
            return
        self._tally((hour_of(values["paid_at"]), deal["manager_id"], deal["campaign_id"], "payment"), sign,
                    values["amount_cents"])

    def write(self, session: Session) -> None:
        tally = {k: v for k, v in self.tally.items() if v != [0, 0]}
        reach = {k: v for k, v in self.reach.items() if v}
        if not (tally or reach):
            return
        conn = session.connection()
        if tally:
            _upsert(conn, Tally.__table__, [{"hour": k[0], "user_id": k[1], "campaign_id": k[2], "metric": k[3],
                                            "n": v[0], "cents": v[1]} for k, v in sorted(tally.items())], ("n", "cents"))
        if reach:
            _upsert(conn, Reach.__table__, [{"hour": k[0], "user_id": k[1], "campaign_id": k[2], "deal_id": k[3], "n": v}
                                            for k, v in sorted(reach.items())], ("n",))
        emptied = [{"h": k[0], "u": k[1], "c": k[2], "m": k[3]} for k, v in sorted(tally.items()) if v[0] < 0 or v[1] < 0]
        if emptied:
            t = Tally.__table__.c
            conn.execute(delete(Tally).where(t.hour == _bind("h"), t.user_id == _bind("u"), t.campaign_id == _bind("c"),
                                             t.metric == _bind("m"), t.n == 0, t.cents == 0), emptied)
        gone = [{"h": k[0], "u": k[1], "c": k[2], "d": k[3]} for k, v in sorted(reach.items()) if v < 0]
        if gone:
            r = Reach.__table__.c
            conn.execute(delete(Reach).where(r.hour == _bind("h"), r.user_id == _bind("u"), r.campaign_id == _bind("c"),
                                             r.deal_id == _bind("d"), r.n <= 0), gone)


def _bind(name: str):
    from sqlalchemy import bindparam

    return bindparam(name, type_=UTCDateTime()) if name == "h" else bindparam(name)


def _upsert(conn, table, rows: list[dict], added: tuple[str, ...]) -> None:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for start in range(0, len(rows), 500):
        stmt = insert(table).values(rows[start:start + 500])
        keys = [c.name for c in table.primary_key.columns]
        conn.execute(stmt.on_conflict_do_update(index_elements=keys,
                                                set_={c: table.c[c] + stmt.excluded[c] for c in added}))


# ---- the flush hook ---------------------------------------------------------------------------

def _changed(obj, columns: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[c].history.has_changes() for c in columns)


def _values(obj, columns: Iterable[str]) -> dict:
    return {c: getattr(obj, c) for c in columns}


def _stored(session: Session, model, columns: tuple[str, ...], ids: set[int]) -> dict[int, dict]:
    """The rows as the database has them (before this flush)."""
    out: dict[int, dict] = {}
    ids = sorted(i for i in ids if i is not None)
    cols = [getattr(model, c) for c in columns]
    for start in range(0, len(ids), 5000):
        for row in session.execute(select(model.id, *cols).where(model.id.in_(ids[start:start + 5000]))):
            out[row[0]] = dict(zip(columns, row[1:]))
    return out


def _before_flush(session: Session, _context, _instances) -> None:
    watched = (Deal, Call, Payment)
    new = [o for o in session.new if isinstance(o, watched)]
    deleted = [o for o in session.deleted if isinstance(o, watched)]
    dirty = [o for o in session.dirty if isinstance(o, Deal) and _changed(o, DEAL_COLUMNS)
             or isinstance(o, Call) and _changed(o, CALL_COLUMNS)
             or isinstance(o, Payment) and _changed(o, PAYMENT_COLUMNS)]
    if not (new or deleted or dirty):
        return
    delta = Delta()
    with session.no_autoflush:
        gone_calls = {o.id for o in deleted if isinstance(o, Call)} | {o.id for o in dirty if isinstance(o, Call)}
        gone_payments = {o.id for o in deleted if isinstance(o, Payment)} | {o.id for o in dirty if isinstance(o, Payment)}
        old_calls = _stored(session, Call, CALL_COLUMNS, gone_calls)
        old_payments = _stored(session, Payment, PAYMENT_COLUMNS, gone_payments)
        dirty_deals = [o for o in dirty if isinstance(o, Deal)]
        old_deals = _stored(session, Deal, DEAL_COLUMNS,
                            {o.id for o in dirty_deals} | {o.id for o in deleted if isinstance(o, Deal)}
                            | {v["deal_id"] for v in old_calls.values()} | {v["deal_id"] for v in old_payments.values()})

        def current(deal_id: int) -> dict:
            return _values(session.get(Deal, deal_id), DEAL_COLUMNS)

        # What leaves: deleted or changed rows as stored, against their deal as stored.
        for call_id, values in old_calls.items():
            delta.call(values, old_deals[values["deal_id"]]["campaign_id"], -1)
        for payment_id, values in old_payments.items():
            delta.payment(values, old_deals[values["deal_id"]], -1)
        for obj in deleted:
            if isinstance(obj, Deal) and obj.id in old_deals:
                delta.deal(old_deals[obj.id], -1)
        # Deals changed: their own figures, and their stored calls and payments if they changed hands.
        for deal in dirty_deals:
            before, after = old_deals.get(deal.id), _values(deal, DEAL_COLUMNS)
            if before is None:
                continue
            delta.deal(before, -1)
            delta.deal(after, +1)
            if (before["manager_id"], before["campaign_id"]) != (after["manager_id"], after["campaign_id"]):
                for payment in session.execute(select(Payment.id, Payment.paid_at, Payment.amount_cents)
                                               .where(Payment.deal_id == deal.id)):
                    if payment.id not in gone_payments:
                        values = {"deal_id": deal.id, "paid_at": payment.paid_at, "amount_cents": payment.amount_cents}
                        delta.payment(values, before, -1)
                        delta.payment(values, after, +1)
            if before["campaign_id"] != after["campaign_id"]:
                for call in session.execute(select(Call.id, Call.deal_id, Call.user_id, Call.at, Call.outcome)
                                            .where(Call.deal_id == deal.id)):
                    if call.id not in gone_calls:
                        values = dict(zip(CALL_COLUMNS, (call.deal_id, call.user_id, call.at, call.outcome)))
                        delta.call(values, before["campaign_id"], -1)
                        delta.call(values, after["campaign_id"], +1)
        # What arrives: new rows, and changed rows as they are now.
        for obj in [*new, *(o for o in dirty if not isinstance(o, Deal))]:
            if isinstance(obj, Deal):
                delta.deal(_values(obj, DEAL_COLUMNS), +1)
            elif isinstance(obj, Call):
                delta.call(_values(obj, CALL_COLUMNS), current(obj.deal_id)["campaign_id"], +1)
            else:
                delta.payment(_values(obj, PAYMENT_COLUMNS), current(obj.deal_id), +1)
        delta.write(session)


event.listen(Session, "before_flush", _before_flush)


@contextmanager
def recounting(session: Session, deal_ids: Iterable[int], *, campaign: bool = False) -> Iterator[None]:
    """Around a Core bulk UPDATE of these deals' manager, close or invoice columns (and campaign,
    if `campaign`): their figures and their payments' (and calls') are taken out before and put
    back as they are after."""
    ids = sorted(set(deal_ids))
    session.flush()
    _deals_figures(session, ids, -1, campaign).write(session)
    yield
    _deals_figures(session, ids, +1, campaign).write(session)


def _deals_figures(session: Session, ids: list[int], sign: int, calls: bool = True) -> Delta:
    delta = Delta()
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        deals = _stored(session, Deal, DEAL_COLUMNS, set(chunk))
        for values in deals.values():
            delta.deal(values, sign)
        for call in (session.execute(select(*(getattr(Call, c) for c in CALL_COLUMNS)).where(Call.deal_id.in_(chunk)))
                     if calls else ()):
            values = dict(zip(CALL_COLUMNS, call))
            delta.call(values, deals[values["deal_id"]]["campaign_id"], sign)
        for payment in session.execute(select(*(getattr(Payment, c) for c in PAYMENT_COLUMNS)).where(Payment.deal_id.in_(chunk))):
            values = dict(zip(PAYMENT_COLUMNS, payment))
            delta.payment(values, deals[values["deal_id"]], sign)
    return delta


# ---- recount and rebuild ----------------------------------------------------------------------

def _hour(column, dialect: str):
    if dialect == "postgresql":
        hour = func.timezone("UTC", func.date_trunc("hour", func.timezone("UTC", column)))
    else:  # SQLite keeps '2026-11-23 07:05:00.000000'
        hour = func.substr(column, 1, 13).op("||")(literal(":00:00.000000"))
    return type_coerce(hour, UTCDateTime())


def recount_selects(dialect: str) -> tuple[list, object]:
    """The SELECTs that count both tables from the raw rows: (tally's, reach's)."""
    d, c, p = Deal.__table__.c, Call.__table__.c, Payment.__table__.c
    call_hour, closed_hour = _hour(c.at, dialect), _hour(d.closed_at, dialect)
    invoice_hour, paid_hour = _hour(d.invoiced_at, dialect), _hour(p.paid_at, dialect)
    won_lost = case((d.lost_reason_id.is_(None), literal("won")), else_=literal("lost"))
    call_metric = literal("call:").op("||")(c.outcome)
    zero = literal(0)
    tally = [
        select(call_hour, c.user_id, d.campaign_id, call_metric, func.count(), zero)
        .select_from(Call.__table__.join(Deal.__table__, d.id == c.deal_id))
        .group_by(call_hour, c.user_id, d.campaign_id, call_metric),
        select(closed_hour, d.manager_id, d.campaign_id, won_lost, func.count(), zero)
        .where(d.closed_at.is_not(None), d.manager_id.is_not(None))
        .group_by(closed_hour, d.manager_id, d.campaign_id, won_lost),
        select(invoice_hour, d.manager_id, d.campaign_id, literal("invoice"), func.count(),
               func.coalesce(func.sum(d.invoice_cents), 0))
        .where(d.invoiced_at.is_not(None), d.manager_id.is_not(None))
        .group_by(invoice_hour, d.manager_id, d.campaign_id),
        select(paid_hour, d.manager_id, d.campaign_id, literal("payment"), func.count(), func.sum(p.amount_cents))
        .select_from(Payment.__table__.join(Deal.__table__, d.id == p.deal_id))
        .where(d.manager_id.is_not(None))
        .group_by(paid_hour, d.manager_id, d.campaign_id),
    ]
    reach = (select(call_hour, c.user_id, d.campaign_id, c.deal_id, func.count())
             .select_from(Call.__table__.join(Deal.__table__, d.id == c.deal_id))
             .where(c.outcome.not_in(NOT_REACHED))
             .group_by(call_hour, c.user_id, d.campaign_id, c.deal_id))
    return tally, reach


TALLY_COLUMNS = ["hour", "user_id", "campaign_id", "metric", "n", "cents"]
REACH_COLUMNS = ["hour", "user_id", "campaign_id", "deal_id", "n"]


def rebuild(connection) -> dict[str, int]:
    """Empty both tables and count them again from calls, deals and payments (one transaction)."""
    dialect = connection.dialect.name
    tally, reach = recount_selects(dialect)
    connection.execute(delete(Tally))
    connection.execute(delete(Reach))
    for stmt in tally:
        connection.execute(Tally.__table__.insert().from_select(TALLY_COLUMNS, stmt))
    connection.execute(Reach.__table__.insert().from_select(REACH_COLUMNS, reach))
    return {"tally": connection.execute(select(func.count()).select_from(Tally)).scalar_one(),
            "reach": connection.execute(select(func.count()).select_from(Reach)).scalar_one()}


def recount(connection) -> tuple[dict, dict]:
    """Both tables as a recount from the raw rows would make them: ({key: (n, cents)}, {key: n})."""
    dialect = connection.dialect.name
    tally, reach = recount_selects(dialect)
    counted = {tuple(row[:4]): (row[4], int(row[5] or 0)) for stmt in tally for row in connection.execute(stmt)}
    reached = {tuple(row[:4]): row[4] for row in connection.execute(reach)}
    return counted, reached


def kept(connection) -> tuple[dict, dict]:
    """Both tables as stored; tally without rows that count nothing. A reach row is never at 0
    (the reports count its rows, so one left at 0 is a difference)."""
    t, r = Tally.__table__.c, Reach.__table__.c
    tally = {(row.hour, row.user_id, row.campaign_id, row.metric): (row.n, row.cents)
             for row in connection.execute(select(t.hour, t.user_id, t.campaign_id, t.metric, t.n, t.cents))
             if row.n or row.cents}
    reach = {(row.hour, row.user_id, row.campaign_id, row.deal_id): row.n
             for row in connection.execute(select(r.hour, r.user_id, r.campaign_id, r.deal_id, r.n))}
    return tally, reach


def problems(connection) -> list[str]:
    """How the kept aggregates differ from a recount (empty when they agree)."""
    counted, reached = recount(connection)
    tally, reach = kept(connection)
    out = []
    for name, have, want in (("tally", tally, counted), ("reach", reach, reached)):
        wrong = [k for k in set(have) | set(want) if have.get(k) != want.get(k)]
        if wrong:
            out.append(f"{name}: {len(wrong)} row(s) differ from a recount of the raw rows, e.g. "
                       f"{sorted(wrong, key=repr)[0]!r}: kept {have.get(sorted(wrong, key=repr)[0])}, "
                       f"counted {want.get(sorted(wrong, key=repr)[0])}")
    return out
