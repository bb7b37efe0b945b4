"""`yoolla order …` and `yoolla template …`: orders on deals, their ready dates and why."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

from yoolla_tui.core.kernel import clock
orders = module("yoolla_tui.core.work.orders")
templates = module("yoolla_tui.core.work.templates")
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.output import AllOpt, FormatOpt, Fmt, LimitOpt, console, done, render, render_listing, render_one

app = typer.Typer(help="Orders: units of work inside a deal, with their tasks and ready dates.\n\nExample: yoolla order list", no_args_is_help=True)
template_app = typer.Typer(help="Process templates: task chains that lay out an order in one step.\n\nExample: yoolla template list", no_args_is_help=True)

ORDER_COLUMNS = ["id", "deal_id", "title", "priority", "quantity", "status", "tasks", "open_tasks", "ready_at"]
TASK_COLUMNS = ["id", "title", "type", "assignee", "status", "estimate", "actual", "blocked_by", "start", "finish"]
WHY_COLUMNS = ["task", "user", "kind", "start", "finish", "what"]
OrderArg = Annotated[str, typer.Argument(metavar="ORDER", help="Order id.")]


@app.command("add")
def add(
    deal: Annotated[str, typer.Argument(metavar="DEAL", help="Deal id.")],
    title: Annotated[str, typer.Argument(help="What the order is, e.g. 'Сайт' or 'Баннер 3×6'.")],
    priority: Annotated[int, typer.Option("--priority", "-p", help="Higher comes first in executors' queues.")] = 0,
    qty: Annotated[int, typer.Option("--qty", help="Quantity (pieces, sets).")] = 1,
    template: Annotated[Optional[str], typer.Option("--template", "-t", help="Lay out tasks from a process template (yoolla template list).")] = None,
) -> None:
    """Add an order to a deal; with --template its task chain is created and assigned too.

    Example: yoolla order add 1 "Сайт" --priority 2 --template "Сайт под ключ"
    """
    with context.acting() as (session, actor):
        order = orders.add_order(session=session, actor=actor, deal_id=deal, title=title, priority=priority,
                                 quantity=qty, template=template)
        card = orders.show(session=session, actor=actor, order_id=order.id)
    done(_("Order {id} added to deal {deal} with {tasks} tasks; ready {ready}.").format(
        id=card["id"], deal=card["deal_id"], tasks=card["tasks"], ready=_show(card["ready_at"])))


def _show(iso: str | None) -> str:
    from datetime import datetime

    return clock.show(datetime.fromisoformat(iso)) if iso else _("not forecast (no open tasks)")


@app.command("list")
def list_(
    deal: Annotated[Optional[str], typer.Option("--deal", "-d", help="Only this deal's orders.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open orders.")] = False,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Orders you may see, each with its forecast ready date (its last task's finish).

    Example: yoolla order list --deal 1
    """
    with context.reading_as() as (session, actor):
        rows = orders.order_listing(session=session, actor=actor, deal_id=deal, include_closed=not open_only)
        render_listing(rows, fmt, ORDER_COLUMNS, limit=limit, all_=all_, empty=_("No orders."))


@app.command("show")
def show(order: OrderArg, fmt: FormatOpt = Fmt.table) -> None:
    """An order's card and its tasks with their forecast start and finish.

    Example: yoolla order show 1
    """
    with context.reading_as() as (session, actor):
        card = orders.show(session=session, actor=actor, order_id=order)
    render_one(card, fmt)
    if fmt != Fmt.json:
        if fmt == Fmt.table:
            console.print()
        render(card["task_list"], fmt, TASK_COLUMNS, title=_("Tasks"), empty=_("No tasks on this order yet."))


@app.command("status")
def status(
    order: OrderArg,
    value: Annotated[str, typer.Argument(metavar="STATUS", help="open | done | cancelled.")],
) -> None:
    """Close an order (done: every task finished) or cancel it (its open tasks are cancelled).

    Example: yoolla order status 1 done
    """
    with context.acting() as (session, actor):
        changed = orders.set_status(session=session, actor=actor, order_id=order, status=value)
    done(_("Order {id} is now {status}.").format(id=changed.id, status=changed.status))


@app.command("why")
def why(order: OrderArg, fmt: FormatOpt = Fmt.table) -> None:
    """Why the order is ready when it is: the chain of blockers, queues, weekends, holidays and
    leaves behind its last task, each step with its dates.

    Example: yoolla order why 1
    """
    with context.acting() as (session, actor):
        out = orders.why(session=session, actor=actor, order_id=order)
    if fmt == Fmt.json:
        render_one(out, fmt)
        return
    if fmt == Fmt.table:
        console.print(_("Order {id} {title!r} is ready {ready} (when task {task} finishes):").format(
            id=out["order"], title=out["title"], ready=_show(out["ready_at"]), task=out["ready_task"]), highlight=False)
    render(out["steps"], fmt, WHY_COLUMNS)


@template_app.command("list")
def template_list(limit: LimitOpt = None, all_: AllOpt = False, fmt: FormatOpt = Fmt.table) -> None:
    """The process templates Yoolla ships (each a chain of tasks an order can start with).

    Example: yoolla template list
    """
    with context.session():
        pass  # a known, active user only, like every command
    render_listing(templates.list_templates(), fmt, ["code", "name", "tasks", "estimate_minutes", "description"],
                   limit=limit, all_=all_, empty=_("No templates."))


@template_app.command("show")
def template_show(
    name: Annotated[str, typer.Argument(metavar="TEMPLATE", help="Code or name, e.g. website or 'Сайт под ключ'.")],
    fmt: FormatOpt = Fmt.table,
) -> None:
    """A template's task chain: types, estimates, who does each, and what each waits on.

    Example: yoolla template show "Сайт под ключ"
    """
    out = templates.show(name)
    if fmt == Fmt.json:
        render_one(out, fmt)
        return
    if fmt == Fmt.table:
        console.print(f"{out['code']}: {out['name']}", highlight=False)
    render(out["tasks"], fmt, ["key", "title", "type", "estimate_minutes", "role", "login", "after"])
