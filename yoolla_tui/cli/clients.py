"""`yoolla client …`: the client base, client cards with their whole history, do-not-call."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module

clients = module("yoolla_tui.core.calls.clients")
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.output import AllOpt, FormatOpt, Fmt, LimitOpt, console, done, render, render_listing, render_one

app = typer.Typer(help="Clients: add, find, see a client's card and history, do-not-call.\n\nExample: yoolla client list --search Казань", no_args_is_help=True)

CLIENT_COLUMNS = ["id", "name", "contact_person", "phone", "phone_ext", "city", "email", "do_not_call"]
RefArg = Annotated[str, typer.Argument(metavar="PHONE|ID", help="Client id (e.g. 12) or phone as typed.")]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Organisation name (at most 300 characters, no control characters).")],
    phone: Annotated[str, typer.Option("--phone", help="Phone as you have it: '8 (495) 123-45-67 доб. 12'.")],
    contact: Annotated[str, typer.Option("--contact", help="Contact person (at most 200 characters).")] = "",
    email: Annotated[str, typer.Option("--email", help="At most 200 characters.")] = "",
    city: Annotated[str, typer.Option("--city", help="At most 100 characters.")] = "",
    note: Annotated[str, typer.Option("--note", help="At most 4000 characters; line breaks kept.")] = "",
    region: Annotated[str, typer.Option("--region", help="Country for phones written without +code.")] = "RU",
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Add one client (admins and supervisors). A phone already in the base is refused.

    Example: yoolla client add "ООО Вектор" --phone "8 495 123-45-67" --contact "Иванов Пётр"
    """
    with context.acting() as (session, actor):
        client = clients.add_client(session=session, actor=actor, name=name, phone=phone, contact_person=contact,
                                    email=email, city=city, note=note, region=region)
        row = clients.public(client)
    if fmt == Fmt.json:
        render_one(row, fmt)
    else:
        done(_("Client {id} added: {name}, {phone}.").format(id=row["id"], name=row["name"], phone=row["phone"]))


@app.command("edit")
def edit(
    ref: RefArg,
    name: Annotated[Optional[str], typer.Option("--name", help="At most 300 characters.")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="A corrected phone puts wrong-number deals back in the queue.")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="At most 200 characters.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="At most 200 characters.")] = None,
    city: Annotated[Optional[str], typer.Option("--city", help="At most 100 characters.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="At most 4000 characters.")] = None,
) -> None:
    """Correct a client's details.

    Example: yoolla client edit 253 --phone "+7 495 765-43-21" --contact "Иванова Анна"
    """
    with context.acting() as (session, actor):
        client = clients.edit_client(session=session, actor=actor, ref=ref, phone=phone, name=name, contact_person=contact,
                                     email=email, city=city, note=note)
        done(_("Client {id} saved.").format(id=client.id))


@app.command("list")
def list_(
    search: Annotated[Optional[str], typer.Option("--search", "-s", help="Part of a name, contact, city or e-mail (case and ё/е aside), or a phone in any form: 8 499 980-82-59, +7 499…, the last digits.")] = None,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    offset: Annotated[int, typer.Option("--offset", min=0, max=2**63 - 1, help="Skip this many rows (paging).")] = 0,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """List clients by name; --search narrows it. json/csv print every client; a table shows 200.

    Example: yoolla client list --search Вектор
    Example: yoolla client list --format csv > clients.csv
    """
    if fmt in (Fmt.csv, Fmt.json):  # every matching client, not a page: an export, on the record
        with context.acting() as (session, actor):
            clients.record_export(session=session, actor=actor, fmt=fmt.value, search=search)
    with context.reading_as() as (session, actor):
        render_listing(clients.client_listing(session=session, actor=actor, search=search, offset=offset), fmt,
                       CLIENT_COLUMNS, limit=limit, all_=all_, empty=_("No clients match."))


@app.command("show")
def show(ref: RefArg, fmt: FormatOpt = Fmt.table) -> None:
    """The client's card: details, the deals it is on, and every call in every campaign.

    Example: yoolla client show 253
    """
    with context.reading_as() as (session, actor):
        card = clients.card(session=session, actor=actor, ref=ref)
    if fmt == Fmt.json:
        render_one(card, fmt)
        return
    render_one(card, fmt, ["id", "name", "contact_person", "phone", "phone_ext", "phone_raw", "email", "city", "note",
                           "do_not_call", "dnc_reason", "dnc_at"])
    if fmt == Fmt.table:
        console.print()
    render(card["deals"], fmt, ["id", "campaign", "week", "manager", "stage", "status", "closed"], title=_("Deals"),
           empty=_("On no campaign yet."))
    if fmt == Fmt.table:
        console.print()
    render(card["history"], fmt, ["at", "campaign", "user", "outcome", "stage_after", "note"], title=_("History"),
           empty=_("No calls yet."))


@app.command("dnc")
def dnc(
    ref: RefArg,
    reason: Annotated[str, typer.Option("--reason", help="Why: what the client said, or who asked.")] = "",
) -> None:
    """Do-not-call: close the client's open deals as lost, take it out of every queue, keep its
    history, and keep it off every later import and rollover. Only an admin can lift it.

    Example: yoolla client dnc 256 --reason "asked not to be called again"
    """
    with context.acting() as (session, actor):
        client, closed = clients.set_dnc(session=session, actor=actor, ref=ref, reason=reason)
        done(_("Client {id} ({name}) is do-not-call; {n} open deal(s) closed.").format(id=client.id, name=client.name, n=closed))


@app.command("allow")
def allow(
    ref: RefArg,
    note: Annotated[str, typer.Option("--note", help="Why the client may be called again (audited).")] = "",
) -> None:
    """Lift do-not-call (admins only). Closed deals stay closed; the client can join new campaigns.

    Example: yoolla client allow 256 --note "called us back themselves"
    """
    with context.acting() as (session, actor):
        client = clients.lift_dnc(session=session, actor=actor, ref=ref, note=note)
        done(_("Client {id} ({name}) may be called again.").format(id=client.id, name=client.name))
