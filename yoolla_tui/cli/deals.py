"""`yoolla deal …` and `yoolla call …`: the manager's list, logging calls, moving deals on."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

from yoolla_tui.core.kernel import clock, money
deals = module("yoolla_tui.core.calls.deals")
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.output import AllOpt, FormatOpt, Fmt, LimitOpt, console, done, render, render_listing, render_one

deal_app = typer.Typer(help="Deals: the call list, a deal's card, stage moves, invoices and payments.\n\nExample: yoolla deal list --due today", no_args_is_help=True)
call_app = typer.Typer(help="Log a call and its outcome.\n\nExample: yoolla call log 253 --outcome no_answer", no_args_is_help=True)

DEAL_COLUMNS = ["id", "light", "client", "phone", "manager", "stage", "status", "next_call_at", "attempts_week", "invoice", "paid"]
DealArg = Annotated[str, typer.Argument(metavar="DEAL", help="Deal id.")]
VersionOpt = Annotated[Optional[int], typer.Option("--expect-version", help="Refuse if the deal changed since this version (see deal show).")]


@deal_app.command("list")
def list_(
    campaign: Annotated[Optional[str], typer.Option("--campaign", "-c", help="Campaign name or id.")] = None,
    manager: Annotated[Optional[str], typer.Option("--manager", "-m", help="Manager's login.")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="today (due by tonight, overdue included) | overdue.")] = None,
    stage: Annotated[Optional[str], typer.Option("--stage", help="Stage code, e.g. invoice_issued.")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="Last outcome, or new.")] = None,
    closed: Annotated[bool, typer.Option("--closed", help="Include won and lost deals.")] = False,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    light: Annotated[Optional[str], typer.Option("--light", help="red (call or stage budget overdue) | yellow (due today) | green.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """The deals you may see, each with its traffic light. With --due, in queue order: overdue
    call-backs first, then by time.

    Example: yoolla deal list --due today
    Example: yoolla deal list --light red --manager anna
    """
    with context.reading_as() as (session, actor):
        rows = deals.deal_listing(session=session, actor=actor, campaign=campaign, manager=manager, due=due, stage=stage,
                                  status=status, include_closed=closed, light_=light)
        render_listing(rows, fmt, DEAL_COLUMNS, limit=limit, all_=all_, empty=_("No deals match."))


@deal_app.command("show")
def show(deal: DealArg, fmt: FormatOpt = Fmt.table) -> None:
    """A deal's card: stage, status, next call, invoice and payments, its calls, documents, orders,
    processes and the stage triggers that ran on it.

    Example: yoolla deal show 253
    """
    with context.reading_as() as (session, actor):
        card = deals.show(session=session, actor=actor, deal_id=deal)
    if fmt == Fmt.json:
        render_one(card, fmt)
        return
    render_one(card, fmt)
    if fmt == Fmt.table:
        console.print()
    render(card["calls"], fmt, ["id", "at", "user", "outcome", "stage_before", "stage_after", "note"], title=_("Calls"),
           empty=_("No calls on this deal yet."))
    if card["payments"]:
        render(card["payments"], fmt, ["paid_at", "amount"], title=_("Payments"))
    if card["documents"]:  # issue 27: what was made for the deal, and mailed to whom and when
        render(card["documents"], fmt, ["id", "title", "amount", "made_by", "sent_to", "sent_at", "path"],
               title=_("Documents"))
    if card.get("orders"):  # issue 15: the deal's orders and their ready dates
        render(card["orders"], fmt, ["id", "title", "priority", "quantity", "status", "open_tasks", "ready_at"], title=_("Orders"))
    if card.get("processes"):  # issue 27: processes started on the deal, and what its stages' triggers did
        render(card["processes"], fmt, ["id", "name", "stage", "status", "gate", "started_at", "finished_at"],
               title=_("Processes"))
    if card.get("triggers"):
        render(card["triggers"], fmt, ["at", "user", "stage", "trigger", "what"], title=_("Stage triggers that ran"))


@deal_app.command("advance")
def advance(
    deal: DealArg,
    to: Annotated[str, typer.Option("--to", metavar="STAGE", help="Stage code, e.g. proposal_sent.")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Lost reason (to enter a lost stage).")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    expect_version: VersionOpt = None,
) -> None:
    """Move a deal to a stage. The stage's gate must be met (an invoice, a payment, a reason);
    a stage with a follow-up delay schedules the next call that many business days later.

    Example: yoolla deal advance 253 --to agreed
    """
    with context.acting() as (session, actor):
        moved = deals.advance(session=session, actor=actor, deal_id=deal, to=to, reason=reason, note=note,
                              expected_version=expect_version)
        _report(session, actor, moved.id)


@deal_app.command("invoice")
def invoice(
    deal: DealArg,
    amount: Annotated[str, typer.Argument(help="Invoice amount, e.g. 15000 or '15 000,50'.")],
    expect_version: VersionOpt = None,
) -> None:
    """Issue (or correct) the deal's invoice; the deal enters the invoice stage.

    Example: yoolla deal invoice 253 15000
    """
    with context.acting() as (session, actor):
        invoiced = deals.invoice(session=session, actor=actor, deal_id=deal, amount=amount, expected_version=expect_version)
        _report(session, actor, invoiced.id)


@deal_app.command("pay")
def pay(
    deal: DealArg,
    amount: Annotated[str, typer.Argument(help="Amount received.")],
    at: Annotated[Optional[str], typer.Option("--at", help="When it was paid (default now): 2026-11-26, 'today 14:00'…")] = None,
    expect_version: VersionOpt = None,
    over: Annotated[bool, typer.Option("--over", help="Record a payment above what is still unpaid on the invoice.")] = False,
) -> None:
    """Record a payment. Several are allowed; once they cover the invoice the deal is paid.

    Example: yoolla deal pay 253 15000
    """
    with context.acting() as (session, actor):
        payment = deals.pay(session=session, actor=actor, deal_id=deal, amount=amount,
                            at=clock.parse_when(at) if at else None, expected_version=expect_version, over=over)
        card = deals.show(session=session, actor=actor, deal_id=payment.deal_id)
        if over and card.get("invoice") and card.get("paid"):
            done(_("Deal {id}: {amount} recorded; paid {paid} on an invoice of {invoice}.").format(
                id=card["id"], amount=money.show(payment.amount_cents), paid=card["paid"], invoice=card["invoice"]))
        _report(session, actor, payment.deal_id)


def _report(session, actor, deal_id: int) -> None:
    card = deals.show(session=session, actor=actor, deal_id=deal_id)
    nxt = clock.show(datetime.fromisoformat(card["next_call_at"])) if card["next_call_at"] else _("none")
    done(_("Deal {id}: stage {stage}, next call {next}.").format(id=card["id"], stage=card["stage"], next=nxt))


@call_app.command("log")
def log(
    deal: DealArg,
    outcome: Annotated[str, typer.Option("--outcome", "-o", help="no_answer | call_back | interested | refused | do_not_call | wrong_number.")],
    note: Annotated[str, typer.Option("--note", "-n", help="What was said (at most 4000 characters).")] = "",
    next_call: Annotated[Optional[str], typer.Option("--next-call", help="For call_back: 'tomorrow 10:00', '+2h', '2026-11-24T15:00'.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="For refused: a lost reason code (yoolla call reasons).")] = None,
    expect_version: VersionOpt = None,
) -> None:
    """Log a call on a deal and apply its outcome to the queue.

    no_answer retries in 2 h (at most 3 times a week); call_back needs --next-call;
    interested moves a new deal to 'agreed'; refused needs --reason and closes the deal;
    do_not_call blacklists the client everywhere; wrong_number parks the deal until the phone is fixed.

    Example: yoolla call log 253 --outcome call_back --next-call "tomorrow 11:00" --note "after their meeting"
    Example: yoolla call log 253 --outcome no_answer
    """
    with context.acting() as (session, actor):
        when = clock.parse_when(next_call) if next_call else None
        call = deals.log_call(session=session, actor=actor, deal_id=deal, outcome=outcome, note=note, next_call=when,
                              reason=reason, expected_version=expect_version)
        nxt = clock.show(call.next_call_at) or _("none")
        done(_("Call logged on deal {id}: {outcome}; next call {next}.").format(id=call.deal_id,
                                                                                outcome=deals.outcome_label(outcome), next=nxt))


@call_app.command("undo")
def undo(call: Annotated[str, typer.Argument(metavar="CALL", help="Call id (the id column of `yoolla deal show`).")]) -> None:
    """Undo a call you logged in the last few minutes (setting undo_minutes, default 5): the deal
    returns to where it was. Refused once the deal changed since, and for do_not_call.

    Example: yoolla call undo 1234
    """
    with context.acting() as (session, actor):
        deal = deals.undo_call(session=session, actor=actor, call_id=call)
        _report(session, actor, deal.id)


@call_app.command("reasons")
def reasons(limit: LimitOpt = None, all_: AllOpt = False, fmt: FormatOpt = Fmt.table) -> None:
    """The lost reasons to give with --reason (final ones keep the client off later campaigns).

    Example: yoolla call reasons --format json
    """
    from yoolla_tui.core.kernel import reference

    with context.reading() as session:
        render_listing(reference.list_lost_reasons(session), fmt, ["code", "name", "final", "needs_note"], limit=limit,
                       all_=all_)
