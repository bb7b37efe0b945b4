"""`yoolla deal document`, `yoolla document list|send`, `yoolla company set|show` and
`yoolla mail set|show`: documents for deals, the seller's requisites and the SMTP settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from yoolla_tui.cli._lazy import module
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli import deals as deals_cli
from yoolla_tui.cli.output import FormatOpt, Fmt, done, file_format, render, render_one

documents = module("yoolla_tui.core.documents")


def _core(name: str):
    """core.documents.company / .mail, imported when a command runs (a lazy submodule would
    import its package, and with it the ORM, already for --help)."""
    import importlib

    return importlib.import_module(f"yoolla_tui.core.documents.{name}")


document_app = typer.Typer(help="Documents made for deals: list them, mail one again.\n\nExample: yoolla document list", no_args_is_help=True)
company_app = typer.Typer(help="The seller's requisites printed on proposals, invoices and contracts.\n\nExample: yoolla company show", no_args_is_help=True)
mail_app = typer.Typer(help="The SMTP server documents are mailed through.\n\nExample: yoolla mail show", no_args_is_help=True)

DOCUMENT_COLUMNS = ["id", "deal_id", "kind", "number", "title", "amount", "made_by", "made_at", "sent_to", "sent_at"]
KINDS_HELP = "proposal (КП) | invoice (счёт на оплату) | contract (договор) | spec (спецификация)"


def deal_document(
    deal: Annotated[str, typer.Argument(metavar="DEAL", help="Deal id.")],
    kind: Annotated[str, typer.Argument(metavar="KIND", help=KINDS_HELP)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Also write a copy to this file (or into this folder).")] = None,
    send: Annotated[bool, typer.Option("--send", help="Mail it to the client's email (yoolla mail set).")] = False,
    to: Annotated[Optional[str], typer.Option("--to", metavar="EMAIL", help="With --send: this address instead of the client's email.")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="The price on the document; for an invoice also the deal's invoice amount.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Make a document for a deal from its template: a .docx kept in the documents folder (a PDF
    beside it where LibreOffice is installed), numbered per kind and year without gaps. A deal
    before the stage that requires this document enters it.

    Example: yoolla deal document 12 proposal --send
    Example: yoolla deal document 12 invoice --amount 15000 --out invoice.docx
    """
    if out is not None and not out.is_dir():
        file_format(None, out, formats=["docx"], default="docx")  # --out invoice.xlsx is refused: it is a .docx
    with context.acting() as (session, actor):
        made = documents.make_document(session=session, actor=actor, deal_id=deal, kind=kind, send=send, out=out,
                                       amount=amount, to=to)
    if fmt != Fmt.table:
        render_one(made, fmt)
        return
    done(_("{title} made for deal {deal}: {path}").format(title=made["title"], deal=made["deal_id"], path=made["path"]))
    if made["pdf"]:
        done(_("PDF: {path}").format(path=made["pdf"]))
    for copy in made["out"] or []:
        done(_("Copy: {path}").format(path=copy))
    if made["sent_to"]:
        done(_("Mailed to {to}.").format(to=made["sent_to"]))
    if made["moved_to"]:
        _moved(made)
    elif made["not_moved"]:
        done(_("Deal {deal} stays where it is: the next stage needs {missing}.").format(
            deal=made["deal_id"], missing="; ".join(made["not_moved"])))


@document_app.command("list")
def document_list(
    deal: Annotated[Optional[str], typer.Option("--deal", help="Only this deal's documents.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """The documents made for the deals you may see, oldest first, with whom each was mailed to.

    Example: yoolla document list --deal 12
    """
    with context.acting() as (session, actor):
        rows = documents.list_documents(session=session, actor=actor, deal_id=deal)
    render(rows, fmt, DOCUMENT_COLUMNS, empty=_("No documents yet."))


@document_app.command("send")
def document_send(
    document: Annotated[str, typer.Argument(metavar="DOCUMENT", help="Document id (yoolla document list).")],
    to: Annotated[Optional[str], typer.Option("--to", metavar="EMAIL", help="This address instead of the client's email.")] = None,
) -> None:
    """Mail a document already made to the client (again, or to another address).

    Example: yoolla document send 3 --to buh@vector.example
    """
    with context.acting() as (session, actor):
        sent = documents.send_document(session=session, actor=actor, document_id=document, to=to)
    done(_("{title} mailed to {to}.").format(title=sent["title"], to=sent["sent_to"]))
    if sent["moved_to"]:
        _moved(sent)


def _moved(shape: dict) -> None:
    from datetime import datetime

    from yoolla_tui.core.kernel import clock

    nxt = clock.show(datetime.fromisoformat(shape["next_call_at"])) if shape["next_call_at"] else _("none")
    done(_("Deal {id}: stage {stage}, next call {next}.").format(id=shape["deal_id"], stage=shape["moved_to"], next=nxt))


@company_app.command("set")
def company_set(
    name: Annotated[Optional[str], typer.Option("--name", help="The seller's legal name, e.g. ООО «Юлла».")] = None,
    inn: Annotated[Optional[str], typer.Option("--inn", help="ИНН: 10 or 12 digits.")] = None,
    kpp: Annotated[Optional[str], typer.Option("--kpp", help="КПП: 9 digits.")] = None,
    ogrn: Annotated[Optional[str], typer.Option("--ogrn", help="ОГРН: 13 or 15 digits.")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="Settlement account (р/с): 20 digits.")] = None,
    bank: Annotated[Optional[str], typer.Option("--bank", help="The bank's name.")] = None,
    bik: Annotated[Optional[str], typer.Option("--bik", help="БИК: 9 digits.")] = None,
    corr_account: Annotated[Optional[str], typer.Option("--corr-account", help="Correspondent account (к/с): 20 digits.")] = None,
    address: Annotated[Optional[str], typer.Option("--address", help="Legal address.")] = None,
    city: Annotated[Optional[str], typer.Option("--city", help="City (the contract's place).")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone")] = None,
    email: Annotated[Optional[str], typer.Option("--email")] = None,
    director: Annotated[Optional[str], typer.Option("--director", help="Who signs, e.g. Орлова И. В.")] = None,
    vat: Annotated[Optional[str], typer.Option("--vat", help="VAT included in prices, in percent (20), or none.")] = None,
    item: Annotated[Optional[str], typer.Option("--item", help="What a document's line sells (default: Участие в семинаре).")] = None,
    price: Annotated[Optional[str], typer.Option("--price", help="The usual price, put on a proposal when the deal has no invoice yet.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Set the seller's requisites (admins); only the options given change, an empty value clears one.

    Example: yoolla company set --name "ООО «Юлла»" --inn 7701234567 --kpp 770101001 --vat 20
    """
    with context.acting() as (session, actor):
        stored = _core("company").set_company(session=session, actor=actor, name=name, inn=inn, kpp=kpp, ogrn=ogrn,
                                     account=account, bank=bank, bik=bik, corr_account=corr_account, address=address,
                                     city=city, phone=phone, email=email, director=director, vat=vat, item=item,
                                     price=price)
    if fmt != Fmt.table:
        render_one(stored, fmt)
        return
    done(_("Company requisites saved."))


@company_app.command("show")
def company_show(fmt: FormatOpt = Fmt.table) -> None:
    """The seller's requisites as the documents print them.

    Example: yoolla company show --format json
    """
    with context.acting() as (session, actor):
        render_one(_core("company").show(session=session, actor=actor), fmt)


@mail_app.command("set")
def mail_set(
    host: Annotated[Optional[str], typer.Option("--host", help="SMTP server, e.g. smtp.yandex.ru.")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="465 with --tls, 587 with --starttls, 25 plain.")] = None,
    login: Annotated[Optional[str], typer.Option("--login", help="SMTP login (its password: YOOLLA_SMTP_PASSWORD or --password-file).")] = None,
    sender: Annotated[Optional[str], typer.Option("--from", help="The From address, e.g. sales@yoolla.example.")] = None,
    tls: Annotated[bool, typer.Option("--tls", help="Connect over TLS (SMTPS, usually port 465).")] = False,
    starttls: Annotated[bool, typer.Option("--starttls", help="Upgrade the connection with STARTTLS (usually port 587).")] = False,
    plain: Annotated[bool, typer.Option("--plain", help="No encryption (a local relay).")] = False,
    password_file: Annotated[Optional[str], typer.Option("--password-file", help="A file whose first line is the SMTP password; its path is kept, never the password.")] = None,
    old_user: Annotated[Optional[str], typer.Option("--user", hidden=True)] = None,
) -> None:
    """Set the SMTP server documents are mailed through (admins). The password is never stored
    nor printed: it is read when mailing, from YOOLLA_SMTP_PASSWORD or the --password-file.

    Example: yoolla mail set --host smtp.yandex.ru --port 465 --tls --login sales@yoolla.example --from sales@yoolla.example --password-file ~/.yoolla-smtp
    """
    context.renamed_user(old_user, command="mail set", new="--login", meaning=_("the SMTP login"))
    chosen = [name for name, flag in (("tls", tls), ("starttls", starttls), ("none", plain)) if flag]
    if len(chosen) > 1:
        from yoolla_tui.core.kernel.errors import BadInput

        raise BadInput(_("give one of --tls, --starttls, --plain"))
    with context.acting() as (session, actor):
        _core("mail").set_mail(session=session, actor=actor, host=host, port=port, user=login, sender=sender,
                      security=chosen[0] if chosen else None, password_file=password_file)
    done(_("Mail settings saved."))


@mail_app.command("show")
def mail_show(fmt: FormatOpt = Fmt.table) -> None:
    """The SMTP settings (admins); the password only as where it is read from.

    Example: yoolla mail show
    """
    with context.acting() as (session, actor):
        render_one(_core("mail").show(session=session, actor=actor), fmt)


deals_cli.deal_app.command("document")(deal_document)  # `yoolla deal document`: loaded with the deal group
