"""One big benchmark database, deterministic: the reports', dashboard's and pool's figures are measured on it.

    python bench/make_db.py --db /tmp/big.sqlite [--managers 50] [--deals 100000] [--calls 1000000]
    python bench/make_db.py --db postgresql+psycopg://yoolla:yoolla@127.0.0.1:5433/yoolla_bench

What it makes (same --seed, same database):
- the schema through the real migrations (`db.upgrade`), the default pipeline and lost reasons;
- users: admin `irina`, one supervisor per 10 managers (`sup1`…), managers `m01`…`m50`;
- `--weeks` weekly campaigns `Семинар 2026-Wnn` ending with the week of `--now`, each rolled
  over from the one before (same clients and owners, without do-not-call and lost-for-good
  clients, topped up with new clients); all but the last are closed;
- calls on every deal, from Monday of its week up to `--now`, in working hours of business days
  (WorkCalendar), with the outcome mix of a seminar week: no answer (at most 3 a week),
  call-backs, interest moving the deal through agreed → proposal sent → invoice issued → paid →
  attended, refusals with a lost reason, wrong numbers, do-not-call (blacklisting the client);
- invoices and payments on the deals that got that far.
1,000,000 calls on 100,000 deals is 10 a deal, more than one seminar week needs: the extra
calls are call-backs and follow-ups of deals that stay open across weeks.

Every deal's columns are what the services would have left: stage_entered_at / stage_due_at
(`WorkCalendar.stage_deadline`), next_call_at, callback_user_id, attempts, carried_over,
closed_at for won and lost, lost_reason_id, invoice, quality, version. Rows go in through
SQLAlchemy Core bulk inserts (`core/importing/bulk.py`), not the ORM, then the reports' kept
aggregates are counted from them (`tally.rebuild`). Audit records are not
generated for the bulk rows (one `bench.generate` record says how the data came to be).
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from yoolla_tui.core.kernel import audit, clock, db, reference, tally
from yoolla_tui.core.people import identity, users
from yoolla_tui.core.calls.importing import samples
from yoolla_tui.core.calls.importing.bulk import insert_rows
from yoolla_tui.core.kernel.models import Call, Campaign, Client, Deal, LostReason, Payment, Stage, StageKind, User
from yoolla_tui.core.people.calendar import WorkCalendar

DEFAULT_NOW = "2026-11-26T15:00:00+03:00"  # Thursday of 2026-W48, mid-afternoon
NOTES = ["", "", "", "", "", "секретарь", "просили КП на почту", "директор в отпуске", "перезвонить после обеда",
         "бухгалтерия", "интересуется программой", "был на прошлом семинаре"]


@dataclass
class DealState:
    id: int
    campaign_id: int
    client_id: int
    manager_id: int
    created_at: datetime
    stage: int  # index into the pipeline's stages
    stage_entered_at: datetime
    stage_due_at: datetime | None
    next_call_at: datetime | None
    status: str = "new"
    callback_user_id: int | None = None
    attempts_week: int = 0
    attempts_total: int = 0
    carried_over: bool = False
    invoice_cents: int | None = None
    invoiced_at: datetime | None = None
    quality: str | None = None
    lost_reason_id: int | None = None
    lost_at: int | None = None  # index of the stage a lost deal was lost from (Deal.lost_at_stage_id)
    lost_note: str = ""
    closed_at: datetime | None = None
    rolled_from_deal_id: int | None = None
    updated_at: datetime | None = None
    version: int = 1
    reached: bool = False  # somebody answered on this deal (rollover: not carried over)
    calls: list = field(default_factory=list)


class Days:
    """Business days as indexes, with their working-hours bounds in UTC (computed once)."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self.calendar = calendar
        self.dates: list[date] = []
        day = first
        while day <= last:
            if calendar.is_business_day(day):
                self.dates.append(day)
            day += timedelta(days=1)
        self.start = [clock.at_local(d, calendar.start) for d in self.dates]
        self.end = [clock.at_local(d, calendar.end) for d in self.dates]
        self.index = {d: i for i, d in enumerate(self.dates)}

    def day_of(self, when: datetime) -> int:
        """The index of the business day `when` falls on or before (for working-hours moments)."""
        local = clock.to_local(when).date()
        while local not in self.index:
            local += timedelta(days=1)
        return self.index[local]

    def into_working_hours(self, when: datetime) -> datetime:
        i = self.day_of(when)
        if when < self.start[i]:
            return self.start[i]
        if when < self.end[i]:
            return when
        return self.start[i + 1]

    def followup(self, when: datetime, business_days: int) -> datetime:
        return self.start[self.day_of(when) + business_days] if clock.to_local(when).date() in self.index \
            else self.start[self.day_of(when) + business_days - 1]

    def deadline(self, when: datetime, budget: int | None) -> datetime | None:
        if not budget:
            return None
        return self.end[self.day_of(when) + budget - 1]


class Generator:
    def __init__(self, args, session) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.now = clock.to_utc(datetime.fromisoformat(args.now))
        self.session = session
        pipeline = reference.get_pipeline(session, reference.DEFAULT_PIPELINE)
        self.stages = reference.stages(session, pipeline.id)
        self.pipeline_id = pipeline.id
        self.code = {s.code: i for i, s in enumerate(self.stages)}
        self.lost_index = next(i for i, s in enumerate(self.stages) if s.kind == StageKind.lost)
        reasons = {r.code: r for r in session.scalars(select(LostReason))}
        self.dnc_reason = reasons["do_not_call"].id
        self.final_reasons = {r.id for r in reasons.values() if r.final}
        self.refuse_reasons = [reasons[c].id for c in ("not_interested", "too_expensive", "no_budget", "bad_timing",
                                                       "competitor", "no_decision_maker", "closed_business")]
        self.refuse_weights = [40, 20, 15, 12, 6, 5, 2]
        last_monday = clock.to_local(self.now).date() - timedelta(days=clock.to_local(self.now).weekday())
        self.mondays = [last_monday - timedelta(weeks=args.weeks - 1 - w) for w in range(args.weeks)]
        self.days = Days(WorkCalendar(session), self.mondays[0] - timedelta(days=7), last_monday + timedelta(weeks=8))
        self.deals: list[DealState] = []
        self.payments: list[dict] = []
        self.client_dnc: dict[int, datetime] = {}
        self.open_deals_of: dict[int, list[DealState]] = {}  # client -> its deals, newest last
        self.pool = 0  # calls a deal could not use (closed early, week over), given to the next ones
        self.call_id = 0
        self.ends: Counter = Counter()  # why deals stopped short of their calls (for tuning)

    # ---- one deal's calls --------------------------------------------------------------------

    def _enter(self, deal: DealState, stage: int, when: datetime) -> None:
        """funnel.enter_stage: entered/due, follow-up, closing won and lost."""
        spec = self.stages[stage]
        deal.stage = stage
        deal.stage_entered_at = when
        deal.stage_due_at = self.days.deadline(when, spec.time_budget_days) if spec.kind == StageKind.open else None
        if spec.kind in (StageKind.won, StageKind.lost):
            deal.closed_at = when
            deal.next_call_at = None
            deal.callback_user_id = None
        elif spec.followup_days is not None:
            deal.next_call_at = self.days.followup(when, spec.followup_days)
            deal.callback_user_id = None
        elif deal.callback_user_id is None:
            deal.next_call_at = None
        deal.updated_at = when
        deal.version += 1

    def _close_lost(self, deal: DealState, reason: int, when: datetime, note: str = "") -> None:
        deal.lost_at = deal.stage
        self._enter(deal, self.lost_index, when)
        deal.lost_reason_id = reason
        deal.lost_note = note

    def _outcome(self, deal: DealState, last: bool) -> str:
        rng = self.rng
        terminal = 1.0 if last else 0.04
        if deal.stage == 0:
            weights = {"no_answer": 40 if deal.attempts_week < (3 if last else 2) else 0, "call_back": 28,
                       "interested": 3, "refused": 8 * terminal, "wrong_number": 2 * terminal,
                       "do_not_call": 1.5 * terminal}
        else:
            weights = {"no_answer": 18 if deal.attempts_week < (3 if last else 2) else 0, "call_back": 40,
                       "interested": 14, "refused": 14 * terminal, "do_not_call": 0.5 * terminal}
        if deal.client_id in self.client_dnc:
            weights["do_not_call"] = 0
        if weights.get("do_not_call") and any(d is not deal and d.closed_at is None and d.stage > 0
                                              for d in self.open_deals_of.get(deal.client_id, ())):
            weights["do_not_call"] = 0  # keep the other deal's later calls consistent: no blacklist here
        codes = list(weights)
        return rng.choices(codes, weights=[weights[c] for c in codes])[0]

    def simulate(self, deal: DealState, budget: int, week_end: int) -> int:
        """Log up to `budget` calls on `deal`; returns how many were made."""
        rng, days = self.rng, self.days
        at = days.start[days.index[self.mondays_for[deal.campaign_id]]] + timedelta(minutes=rng.randrange(0, 500))
        made = 0
        for i in range(budget):
            if deal.closed_at is not None or deal.client_id in self.client_dnc:
                self.ends["closed"] += 1
                break
            if at >= self.now:
                self.ends["now"] += 1
                break
            day = days.day_of(at)
            if deal.stage == 0 and day > week_end:
                self.ends["week over"] += 1
                break  # the week is over: the contact rolls into next week's campaign
            if day > week_end + 10:
                self.ends["two weeks over"] += 1
                break
            outcome = self._outcome(deal, i == budget - 1)
            before = deal.stage
            deal.status = outcome
            later = None  # when the manager calls next, if the deal's queue does not say
            if outcome == "no_answer":
                deal.attempts_week += 1
                deal.attempts_total += 1
                deal.next_call_at = None if deal.attempts_week >= 3 else days.into_working_hours(at + timedelta(minutes=120))
                deal.callback_user_id = None
            elif outcome == "call_back":
                deal.next_call_at = days.into_working_hours(at + timedelta(minutes=rng.choice((15, 30, 30, 45, 60, 90, 120, 240, 1440))))
                deal.callback_user_id = deal.manager_id
                deal.reached = True
            elif outcome == "interested":
                deal.reached = True
                deal.next_call_at = None
                deal.callback_user_id = None
                if deal.stage == 0:
                    self._enter(deal, self.code["agreed"], at)
                elif self.stages[deal.stage].followup_days is not None:
                    deal.next_call_at = days.followup(at, self.stages[deal.stage].followup_days)
            elif outcome == "refused":
                deal.reached = True
                self._close_lost(deal, rng.choices(self.refuse_reasons, weights=self.refuse_weights)[0], at)
            elif outcome == "wrong_number":
                deal.next_call_at = None
                deal.callback_user_id = None
            elif outcome == "do_not_call":
                deal.reached = True
                self.client_dnc[deal.client_id] = at
                for other in self.open_deals_of.get(deal.client_id, ()):
                    if other.closed_at is None:
                        self._close_lost(other, self.dnc_reason, at, "asked on a call not to be called")
            deal.updated_at = at
            deal.version += 1
            self.call_id += 1
            deal.calls.append((self.call_id, at, outcome, rng.choice(NOTES) if outcome != "no_answer" else "",
                               before, deal.stage, deal.next_call_at))
            made += 1
            # What the manager does after the call (services called separately: advance, invoice, pay).
            step = at + timedelta(minutes=rng.randrange(5, 40))
            if outcome == "interested":
                code = self.stages[deal.stage].code
                if code == "agreed":
                    self._enter(deal, self.code["proposal_sent"], step)
                elif code == "proposal_sent":
                    deal.invoice_cents = rng.choice((15_000, 20_000, 25_000, 30_000, 45_000)) * 100
                    deal.invoiced_at = step
                    deal.updated_at = step
                    deal.version += 1
                    self._enter(deal, self.code["invoice_issued"], step)
                elif code == "invoice_issued":
                    part = deal.invoice_cents // 2 if rng.random() < .15 else deal.invoice_cents
                    self.payments.append({"deal_id": deal.id, "amount_cents": part, "paid_at": step,
                                          "user_id": deal.manager_id, "created_at": step})
                    deal.updated_at = step
                    deal.version += 1
                    if part < deal.invoice_cents:
                        later = days.followup(step, 1)
                    else:
                        self._enter(deal, self.code["paid"], step)
                        later = days.followup(step, 2)  # Friday: tell them where the seminar is
                elif code == "paid":
                    if rng.random() < .5:
                        deal.quality = "liked" if rng.random() < .8 else "disliked"
                        deal.updated_at = step
                        deal.version += 1
                        self._enter(deal, self.code["attended"], step)
                    else:
                        later = days.followup(step, 1)
            if deal.next_call_at is not None:
                nxt = max(deal.next_call_at, at + timedelta(minutes=5))
            elif later is not None:
                nxt = later
            elif deal.stage == 0:
                self.ends["out of queue"] += 1
                break  # out of the queue: attempts used up, or wrong number
            else:
                nxt = days.followup(at, 1)
            at = days.into_working_hours(nxt + timedelta(minutes=rng.randrange(0, 30)))
        return made

    # ---- the weeks ---------------------------------------------------------------------------

    def run(self, managers: list[int], admin_id: int) -> tuple[list[dict], list[dict]]:
        args, rng = self.args, self.rng
        per_week = max(1, args.deals // args.weeks)
        campaigns, clients = [], []
        self.mondays_for: dict[int, date] = {}
        next_client = 0
        deal_id = 0
        previous: list[DealState] = []
        # Calls per deal: the last week is only partly over, so its deals get their share of the days elapsed.
        elapsed = sum(1 for d in self.days.dates if self.mondays[-1] <= d and self.days.start[self.days.index[d]] < self.now)
        shares = [1.0] * (args.weeks - 1) + [min(1.0, elapsed / 5)]
        per_deal = args.calls / (per_week * sum(shares)) if args.deals else 0
        wanted, made_total = 0.0, 0
        first_stage = 0
        spec0 = self.stages[first_stage]
        for w, monday in enumerate(self.mondays):
            cid = w + 1
            week = clock.week_of(monday)
            created = clock.at_local(monday - timedelta(days=2), dtime(10, 0))  # Saturday: the admin's rollover
            campaigns.append({"id": cid, "name": f"Семинар {week}", "week": week, "week_start": monday,
                              "owner_id": admin_id, "pipeline_id": self.pipeline_id,
                              "rolled_from_id": cid - 1 if w else None,
                              "status": "closed" if w < args.weeks - 1 else "open", "created_at": created,
                              "closed_at": clock.at_local(monday + timedelta(days=5), dtime(10, 0)) if w < args.weeks - 1 else None})
            self.mondays_for[cid] = monday
            due = self.days.into_working_hours(max(clock.at_local(monday, self.days.calendar.start), created))
            stage_due = self.days.deadline(due, spec0.time_budget_days)
            week_deals: list[DealState] = []
            for old in previous:  # rollover: same clients and owners
                if old.client_id in self.client_dnc or old.lost_reason_id in self.final_reasons:
                    continue
                deal_id += 1
                callback = old.status == "call_back" and old.closed_at is None and old.next_call_at is not None
                new = DealState(id=deal_id, campaign_id=cid, client_id=old.client_id, manager_id=old.manager_id,
                                created_at=created, stage=first_stage, stage_entered_at=created, stage_due_at=stage_due,
                                next_call_at=old.next_call_at if callback else (None if old.status == "wrong_number" else due),
                                status="call_back" if callback else ("wrong_number" if old.status == "wrong_number" else "new"),
                                callback_user_id=old.callback_user_id if callback else None,
                                attempts_total=old.attempts_total, carried_over=not old.reached,
                                rolled_from_deal_id=old.id, updated_at=created)
                week_deals.append(new)
                if old.closed_at is None and old.stage == first_stage:
                    old.next_call_at = None
                    old.callback_user_id = None
                    old.updated_at = created
                    old.version += 1
            while len(week_deals) < per_week:  # new clients, round-robin over the managers
                next_client += 1
                deal_id += 1
                week_deals.append(DealState(id=deal_id, campaign_id=cid, client_id=next_client,
                                            manager_id=managers[next_client % len(managers)], created_at=created,
                                            stage=first_stage, stage_entered_at=created, stage_due_at=stage_due,
                                            next_call_at=due, updated_at=created))
            week_end = self.days.index[monday] + sum(1 for d in range(5) if monday + timedelta(days=d) in self.days.index) - 1
            for deal in week_deals:
                self.open_deals_of.setdefault(deal.client_id, []).append(deal)
                wanted += per_deal * shares[w]
                if deal.status == "wrong_number":
                    continue
                # Deals close early or run out of week: the next ones take on the calls still owed.
                owed = max(0, round((wanted - made_total) / 2))
                budget = max(1, round(rng.expovariate(1 / max(per_deal * shares[w], 1)))) + owed
                made_total += self.simulate(deal, min(budget, 150), week_end)
            self.deals.extend(week_deals)
            previous = week_deals
            for client_id, deals_ in self.open_deals_of.items():
                deals_[:] = [d for d in deals_ if d.closed_at is None]
        clients = self._clients(next_client, admin_id)
        return campaigns, clients

    def _clients(self, count: int, admin_id: int) -> list[dict]:
        rng = random.Random(self.args.seed + 1)
        made = clock.at_local(self.mondays[0] - timedelta(days=3), dtime(9, 0))
        rows = []
        for i in range(1, count + 1):
            name = f"{rng.choice(samples._FORMS)} «{rng.choice(samples._WORDS)}{rng.choice(samples._TRADES)} {i}»"
            code = samples._CODES[i % len(samples._CODES)]
            number = f"{i:07d}"
            dnc = self.client_dnc.get(i)
            rows.append({"id": i, "name": name, "contact_person": f"{rng.choice(samples._SURNAMES)} {rng.choice(samples._INITIALS)}",
                         "phone": f"+7{code}{number}", "phone_ext": "", "phone_raw": f"8 ({code}) {number[:3]}-{number[3:5]}-{number[5:]}",
                         "email": f"info{i}@example.ru" if rng.random() < .7 else "", "city": rng.choice(samples._CITIES),
                         "note": "", "extra": {}, "do_not_call": dnc is not None,
                         "dnc_reason": "asked on a call not to be called" if dnc else "", "dnc_at": dnc,
                         "dnc_by_id": None, "created_at": made, "updated_at": dnc or made})
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite path or URL, or a PostgreSQL URL (an empty database)")
    parser.add_argument("--managers", type=int, default=50)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=8, help="weekly campaigns, the last one holds --now")
    parser.add_argument("--now", default=DEFAULT_NOW, help=f"the moment the data reaches (default {DEFAULT_NOW})")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    started = time.perf_counter()
    engine = db.get_engine(args.db)
    db.upgrade(engine)
    setup_at = clock.to_utc(datetime.fromisoformat(args.now)) - timedelta(weeks=args.weeks + 1)
    with clock.frozen(setup_at), db.session_scope(engine) as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise SystemExit(f"{db.safe_url(engine)} already has users: give an empty database")
        reference.load_defaults(session)
        admin = identity.first_admin(session=session, login="irina", full_name="Ирина Васильевна Орлова")
        managers = []
        for s in range(max(1, (args.managers + 9) // 10)):
            sup = users.add_user(session=session, actor=admin, login=f"sup{s + 1}", full_name=f"Супервайзер {s + 1}",
                                 role="supervisor", supervisor="irina")
            for m in range(s * 10, min(args.managers, s * 10 + 10)):
                managers.append(users.add_user(session=session, actor=admin, login=f"m{m + 1:02d}",
                                               full_name=f"{samples._SURNAMES[m % len(samples._SURNAMES)]} {m + 1}",
                                               role="manager", supervisor=sup.login).id)
        gen = Generator(args, session)
        campaigns, clients = gen.run(managers, admin.id)
        conn = session.connection()
        insert_rows(conn, Client.__table__, clients)
        insert_rows(conn, Campaign.__table__, campaigns)
        stage_ids = [s.id for s in gen.stages]
        deal_rows, call_rows = [], []
        for d in gen.deals:
            deal_rows.append({"id": d.id, "campaign_id": d.campaign_id, "client_id": d.client_id, "manager_id": d.manager_id,
                              "stage_id": stage_ids[d.stage], "status": d.status, "next_call_at": d.next_call_at,
                              "callback_user_id": d.callback_user_id, "attempts_week": d.attempts_week,
                              "attempts_total": d.attempts_total, "carried_over": d.carried_over,
                              "invoice_cents": d.invoice_cents, "invoiced_at": d.invoiced_at, "quality": d.quality,
                              "lost_reason_id": d.lost_reason_id, "lost_note": d.lost_note,
                              "lost_at_stage_id": stage_ids[d.lost_at] if d.lost_at is not None else None,
                              "stage_entered_at": d.stage_entered_at, "stage_due_at": d.stage_due_at,
                              "closed_at": d.closed_at, "rolled_from_deal_id": d.rolled_from_deal_id,
                              "import_batch_id": None, "created_at": d.created_at, "updated_at": d.updated_at or d.created_at,
                              "version": d.version})
            for call_id, at, outcome, note, before, after, nxt in d.calls:
                call_rows.append({"id": call_id, "deal_id": d.id, "client_id": d.client_id, "user_id": d.manager_id,
                                  "at": at, "outcome": outcome, "note": note, "stage_before_id": stage_ids[before],
                                  "stage_after_id": stage_ids[after], "next_call_at": nxt})
            d.calls = []
        generated = time.perf_counter()
        insert_rows(conn, Deal.__table__, deal_rows)
        del deal_rows
        call_rows.sort(key=lambda row: row["id"])
        insert_rows(conn, Call.__table__, call_rows)
        n_calls = len(call_rows)
        del call_rows
        insert_rows(conn, Payment.__table__, gen.payments)
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("client", "campaign", "deal", "call", "payment"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"))
        tally.rebuild(conn)  # the bulk rows bypassed the reports' kept aggregates: count them once
        audit.record(session, admin, "bench.generate", "campaign", len(campaigns), seed=args.seed, managers=args.managers,
                     deals=len(gen.deals), calls=n_calls, payments=len(gen.payments), now=args.now)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    took = time.perf_counter() - started
    print(f"{db.safe_url(engine)}: {args.managers} managers, {len(campaigns)} campaigns, {len(clients)} clients, "
          f"{len(gen.deals)} deals, {n_calls} calls, {len(gen.payments)} payments "
          f"in {took:.1f} s (generating {generated - started:.1f} s); now = {args.now}")
    if os.environ.get("MAKE_DB_DEBUG"):
        print(dict(gen.ends))


if __name__ == "__main__":
    main()
