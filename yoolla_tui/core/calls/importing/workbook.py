"""Migrating the seed-002 workbook: one sheet per manager, status words typed by people.

Each sheet is matched to a manager by login or full name; its rows become deals of that
manager on the campaign, and the sheet's status columns (current value, status, quality) are
carried onto the deal. What each word means is data: data/status_words.json.
"""

from __future__ import annotations

import json
from functools import lru_cache

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, money, reference
from yoolla_tui.core.calls import clients
from yoolla_tui.core.funnel import transition as funnel
from yoolla_tui.core.kernel.errors import BadInput, Conflict, GateNotMet, NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Campaign, Client, Deal, Payment, Role, Stage, StageKind, User
from yoolla_tui.core.kernel.paths import DATA_DIR
from yoolla_tui.core.people.calendar import WorkCalendar
from yoolla_tui.core.calls.importing.headers import fold
from yoolla_tui.core.calls.importing.readers import Book, Table

STATUS_FIELDS = ("current", "status", "quality", "amount")
WORDS_FILE = DATA_DIR / "status_words.json"


@lru_cache(maxsize=1)
def words() -> dict:
    """data/status_words.json with every word folded."""
    try:
        spec = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(_("cannot read {file}: {error}").format(file=WORDS_FILE, error=exc))
    out = {"columns": {k: tuple(v) for k, v in spec["columns"].items()},
           "lost_reason": spec.get("lost_reason", "not_interested"),
           "totals": {fold(name) for name in spec.get("totals_sheets", [])}}
    for kind in ("current", "status", "quality"):
        out[kind] = {fold(word): code for word, code in spec[kind].items()}
    return out


def column_words() -> dict[str, tuple[str, ...]]:
    return words()["columns"]


def is_totals(name: str) -> bool:
    return fold(name) in words()["totals"]


def match_manager(name: str, people: list[User]) -> User | None:
    """The user a sheet is named after: login, full name, or a first name / surname only one user has."""
    key = fold(name)
    for user in people:
        if key in (fold(user.login), fold(user.full_name)):
            return user
    partial = [u for u in people if key and key in {fold(part) for part in u.full_name.split()}]
    return partial[0] if len(partial) == 1 else None


def plan_sheets(session: Session, book: Book, skip: list[str]) -> list[tuple[Table, User]]:
    """(sheet, manager) for every sheet but the totals and the skipped; BadInput naming unmatched sheets."""
    if book.kind == "text":
        raise BadInput(_("{file} is a text table; --sheets-as-managers needs a workbook with one sheet per manager").format(
            file=book.name))
    people = list(session.scalars(select(User).where(User.active, User.role.in_((Role.manager, Role.supervisor, Role.admin)))
                                  .order_by(User.id)))
    skipped = {fold(s) for s in skip}
    unknown_skips = skipped - {fold(n) for n in book.sheet_names}
    if unknown_skips:
        raise NotFound(_("--skip-sheet names a sheet {file} does not have; its sheets: {known}").format(
            file=book.name, known=", ".join(repr(n) for n in book.sheet_names)))
    plan, unmatched = [], []
    for name in book.sheet_names:
        if is_totals(name) or fold(name) in skipped:
            continue
        user = match_manager(name, people)
        if user is None:
            unmatched.append(name)
        else:
            plan.append((name, user))
    if unmatched:
        raise NotFound(_("{file}: sheet(s) {sheets} match no manager by login or full name (managers: {known}); add the "
                         "user, rename the sheet, or pass --skip-sheet NAME").format(
            file=book.name, sheets=", ".join(repr(n) for n in unmatched),
            known=", ".join(u.login for u in people if u.role == Role.manager) or _("none")))
    if not plan:
        raise BadInput(_("{file} has no manager sheets to import").format(file=book.name))
    return [(book.table(name), user) for name, user in plan]


def apply_statuses(session: Session, actor: User, campaign: Campaign, manager: User, accepted: list, ids: dict,
                   batch_id: int, tally: dict) -> None:
    """Carry each row's status words onto the deal this batch created for it; `tally` counts what was done."""
    spec = words()
    rows = [a for a in accepted if not a.duplicate and a.statuses and a.key in ids]
    if not rows:
        return
    deals = {d.client_id: d for d in session.scalars(
        select(Deal).where(Deal.campaign_id == campaign.id, Deal.import_batch_id == batch_id,
                           Deal.client_id.in_([ids[a.key] for a in rows])))}
    stages = {s.code: s for s in reference.stages(session, campaign.pipeline_id)}
    calendar = WorkCalendar(session)
    lost_reason = reference.get_lost_reason(session, spec["lost_reason"])
    note = _("imported from the workbook")
    unknown = tally.setdefault("unknown_words", {})
    for row in rows:
        client_id = ids[row.key]
        deal = deals.get(client_id)
        if deal is None:
            continue  # do-not-call or already on the campaign: the import added no deal
        outcome = _word(spec["current"], row.statuses.get("current"), unknown)
        stage_code = _word(spec["status"], row.statuses.get("status"), unknown)
        quality = _word(spec["quality"], row.statuses.get("quality"), unknown)
        amount = _amount(row.statuses.get("amount"))
        when = clock.now()
        if quality:
            deal.quality = quality
            _count(tally, "quality", quality)
        if amount and stage_code in ("invoice_issued", "paid", "attended"):
            deal.invoice_cents, deal.invoiced_at = amount, when
        if outcome == "do_not_call":
            client = session.get(Client, client_id)
            if not client.do_not_call:
                clients.blacklist(session=session, actor=actor, client=client, reason=note, calendar=calendar)
            deal.status = "do_not_call"
            _count(tally, "current", outcome)
            continue
        if stage_code == "refused" or outcome == "refused":
            funnel.close_lost(session, actor, deal, lost_reason, calendar=calendar, note=note, when=when)
            deal.status = "refused"
            _count(tally, "status", "refused")
            continue
        if stage_code in stages:
            if stage_code in ("paid", "attended") and amount:
                session.add(Payment(deal_id=deal.id, amount_cents=amount, paid_at=when, user_id=actor.id, created_at=when))
                session.flush()
            _place(session, actor, deal, stages[stage_code], calendar, note)
            _count(tally, "status", stage_code)
        if outcome:
            _count(tally, "current", outcome)
            deal.status = outcome
            first = reference.first_stage(session, campaign.pipeline_id)
            if outcome == "interested" and deal.stage_id == first.id:
                following = next(s for s in stages.values() if s.kind == StageKind.open and s.position > first.position)
                funnel.enter_stage(session, actor, deal, following, calendar=calendar, note=note, when=when)
            elif outcome == "no_answer":
                deal.attempts_week, deal.attempts_total = 1, deal.attempts_total + 1
            elif outcome == "call_back" and deal.closed_at is None:
                deal.callback_user_id = manager.id  # due at the campaign's first call time, for its manager
            elif outcome == "wrong_number":
                deal.next_call_at = None
            funnel.touch(deal, when)


def _place(session: Session, actor: User, deal: Deal, stage: Stage, calendar: WorkCalendar, note: str) -> None:
    """Enter the stage the sheet says; where the gate lacks data the sheet never had (an invoice
    amount, a payment), place the deal there anyway and say so in the audit trail."""
    if deal.stage_id == stage.id:
        return
    try:
        funnel.enter_stage(session, actor, deal, stage, calendar=calendar, note=note)
        return
    except GateNotMet as exc:
        missing = exc.message
    now = clock.now()
    before = deal.stage_id
    deal.stage_id, deal.stage_entered_at = stage.id, now
    deal.stage_due_at = calendar.stage_deadline(now, stage.time_budget_days) if stage.kind == StageKind.open else None
    if stage.kind == StageKind.won:
        deal.closed_at, deal.next_call_at, deal.callback_user_id = now, None, None
    elif stage.followup_days is not None:
        deal.next_call_at = calendar.followup(now, stage.followup_days)
    funnel.touch(deal, now)
    audit.record(session, actor, "deal.stage", "deal", deal.id, stage_before=before, stage_after=stage.id,
                 note=f"{note}; {missing}")


def _word(mapping: dict[str, str], text: str | None, unknown: dict) -> str | None:
    if not text:
        return None
    code = mapping.get(fold(text))
    if code is None:
        unknown[text] = unknown.get(text, 0) + 1
    return code


def _amount(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return money.parse_amount(text)
    except (BadInput, Conflict):
        return None


def _count(tally: dict, kind: str, code: str) -> None:
    bucket = tally.setdefault(kind, {})
    bucket[code] = bucket.get(code, 0) + 1
