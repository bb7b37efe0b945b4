"""Making, numbering, keeping and mailing a deal's documents.

- `make_document` fills the kind's template with the deal, the client, the seller's requisites
  and the lines, keeps the .docx (and a PDF where LibreOffice is installed) in the documents
  folder, records it in `document` with the next number of its kind in the year, and mails it
  when asked. A deal before the first stage that requires this kind of document enters it once
  the document meets that stage's gate (made, or sent), through the one transition rule.
- Numbers come from a counter row per kind and year, locked until commit (SELECT … FOR UPDATE on
  PostgreSQL, the writers' lock on SQLite): concurrent issuers never share a number, and a
  document whose transaction rolls back gives its number back, so invoices have no gaps.
- The documents folder: YOOLLA_DOCUMENTS_DIR, else beside a SQLite database
  (`week.sqlite` -> `week-documents/`), else the user's data directory (`documents/<database>/`).
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.calls import deals
from yoolla_tui.core.documents import company, mail, render
from yoolla_tui.core.funnel import transition
from yoolla_tui.core.kernel import audit, clock, db, money, reference, refs
from yoolla_tui.core.kernel import files as kernel_files
from yoolla_tui.core.kernel.errors import BadInput, Conflict, NotFound
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.lookup import get_deal
from yoolla_tui.core.kernel.models import Campaign, Client, Deal, Document, DocumentCounter, Stage, User
from yoolla_tui.core.kernel.permissions import deal_scope, require_deal_access
from yoolla_tui.core.people.calendar import WorkCalendar

KINDS = reference.DOCUMENT_KINDS
DEFAULT_ITEM = "Участие в семинаре"


def documents_dir(session: Session) -> Path:
    """Where this database's documents are kept (see the module's docstring)."""
    override = os.environ.get("YOOLLA_DOCUMENTS_DIR")
    return Path(override).expanduser() if override else db.files_dir(session.get_bind(), "documents")


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise BadInput(_("unknown document kind {kind!r}: expected {known}").format(kind=kind, known=", ".join(KINDS)))
    return kind


def next_number(session: Session, kind: str, year: int) -> int:
    """The next number of `kind` in `year`, its counter row locked until the transaction ends."""
    db.insert_missing(session, DocumentCounter.__table__, {"kind": kind, "year": year, "last": 0})
    stmt = select(DocumentCounter).where(DocumentCounter.kind == kind, DocumentCounter.year == year)
    counter = session.scalars(db.for_update(stmt).execution_options(populate_existing=True)).one()
    counter.last += 1
    session.flush()
    return counter.last


title = reference.document_title


def make_document(*, session: Session, actor: User, deal_id: int | str, kind: str, send: bool = False,
                  out: str | Path | None = None, amount: str | None = None, to: str | None = None) -> dict:
    """Make a document of `kind` (proposal, invoice, contract, spec) for a deal; keep it, number
    it, record it, and with `send` mail it to the client's email (or `to`). `out`: also write a
    copy there. `amount`: the price on the document; for an invoice it is also recorded as the
    deal's invoice (as `deal invoice` does). Returns the document's public shape plus `moved_to`
    (the stage the deal entered, or None), `not_moved` (what that stage still needs) and the
    deal's `next_call_at`.

    Raises BadInput (unknown kind, requisites missing for this kind, an invoice without an
    amount), Conflict (send to a client without an email: nothing is made), NotFound,
    PermissionDenied, NotDelivered (the mail server refused: nothing is recorded).
    """
    _check_kind(kind)
    deal = get_deal(session, deal_id, lock=True)
    require_deal_access(session, actor, deal, action=_("make documents for"))
    client = session.get(Client, deal.client_id)
    address = _address(client, to) if send else None
    seller = company.get(session)
    lacking = company.missing_for(seller, kind)
    if lacking:
        raise BadInput(_("the seller's requisites lack {fields}, needed on the {name}: yoolla company set {options} (an admin)").format(
            fields=", ".join(lacking), name=reference.document_kind_name(kind),
            options=" ".join(f"--{f.replace('_', '-')} …" for f in lacking)))
    if amount is not None and kind == "invoice":
        deals.invoice(session=session, actor=actor, deal_id=deal.id, amount=amount)
    cents = money.parse_amount(amount) if amount is not None else deal.invoice_cents
    if cents is None and seller.get("price"):
        cents = money.parse_amount(seller["price"])
    if kind == "invoice" and not cents:
        raise BadInput(_("deal {deal} has no invoice amount: give --amount AMOUNT (or yoolla deal invoice {deal} AMOUNT)").format(
            deal=deal.id))
    now = clock.now()
    day = clock.to_local(now).date()
    number = next_number(session, kind, day.year)
    folder = documents_dir(session)
    path = (folder / str(day.year) / f"{kind}-{day.year}-{number:04d}-deal{deal.id}.docx").resolve()
    render.render(render.template_path(kind, folder), _context(session, deal, client, seller, kind, number, day, cents), path)
    made = [path]
    try:
        pdf = render.to_pdf(path)
        if pdf:
            made.append(pdf)
        copies = _copy_out(made, Path(out)) if out else []
        document = Document(deal_id=deal.id, kind=kind, number=number, year=day.year, path=str(path), amount_cents=cents,
                            made_by_id=actor.id, made_at=now)
        session.add(document)
        session.flush()
        audit.record(session, actor, "document.make", "deal", deal.id, document=document.id, kind=kind, number=number,
                     year=day.year, path=str(path), amount_cents=cents)
        if send:
            _send(session, actor, document, address)
        moved_to, not_moved = _advance(session, actor, deal, kind, now)
    except BaseException:
        for file in made:
            file.unlink(missing_ok=True)
        raise
    shape = public(session, document)
    shape.update(pdf=str(pdf) if pdf else None, out=[str(c) for c in copies] or None, moved_to=moved_to,
                 not_moved=not_moved, next_call_at=clock.iso(deal.next_call_at))
    return shape


def send_document(*, session: Session, actor: User, document_id: int | str, to: str | None = None) -> dict:
    """Mail a document already made to the client's email (or `to`); recorded on the document
    (`sent_to`, `sent_at`: the last send) and in the audit (every send). Then the deal enters a
    stage that was waiting for this document to be sent, as `make_document` does.
    Raises NotFound, PermissionDenied, Conflict (no email), NotDelivered."""
    document_id = refs.number(document_id, _("{ref!r} is not a document id"))
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(_("no document {id}").format(id=document_id))
    deal = get_deal(session, document.deal_id, lock=True)
    require_deal_access(session, actor, deal, action=_("send documents of"))
    if not Path(document.path).exists():
        raise Conflict(_("document {id}'s file {path} is missing; make the document again").format(id=document.id, path=document.path))
    _send(session, actor, document, _address(session.get(Client, deal.client_id), to))
    moved_to, not_moved = _advance(session, actor, deal, document.kind, clock.now())
    shape = public(session, document)
    shape.update(moved_to=moved_to, not_moved=not_moved, next_call_at=clock.iso(deal.next_call_at))
    return shape


def list_documents(*, session: Session, actor: User, deal_id: int | str | None = None) -> list[dict]:
    """The documents of a deal (or of every deal the actor may see), oldest first."""
    stmt = select(Document).join(Deal, Deal.id == Document.deal_id).order_by(Document.made_at, Document.id)
    if deal_id is not None:
        deal = get_deal(session, deal_id)
        require_deal_access(session, actor, deal, action=_("see documents of"))
        stmt = stmt.where(Document.deal_id == deal.id)
    else:
        scope = deal_scope(session, actor)
        if scope is not None:
            stmt = stmt.where(scope)
    return [public(session, d) for d in session.scalars(stmt)]


def public(session: Session, document: Document) -> dict:
    """A document as the CLI's JSON and the deal card show it (stable keys)."""
    maker = session.get(User, document.made_by_id)
    return reference.public_document(document, maker.login if maker else None)


# ---- the parts ---------------------------------------------------------------------------------

def _address(client: Client, to: str | None) -> str:
    address = (to or client.email or "").strip()
    if not address:
        raise Conflict(_("client {id} ({name}) has no email; add one (yoolla client edit {id} --email ADDRESS) "
                         "or give --to ADDRESS; nothing was made or sent").format(id=client.id, name=client.name))
    if "@" not in address:
        raise BadInput(_("{address!r} is not an email address (client {id}, {name})").format(
            address=address, id=client.id, name=client.name))
    return address


def _context(session: Session, deal: Deal, client: Client, seller: dict, kind: str, number: int, day, cents: int | None) -> dict:
    campaign = session.get(Campaign, deal.campaign_id)
    manager = session.get(User, deal.manager_id) if deal.manager_id else None
    stage = session.get(Stage, deal.stage_id)
    phone = (client.phone or client.phone_raw or "") + (f" доб. {client.phone_ext}" if client.phone_ext else "")
    item = seller.get("item") or DEFAULT_ITEM
    lines = [{"title": f"{item} ({campaign.name})", "qty": 1, "unit": "усл.", "price_cents": cents}]
    return render.context(
        kind=kind, number=number, day=day, seller=seller, vat=company.vat_rate(seller),
        client={"id": client.id, "name": client.name, "contact": client.contact_person, "phone": phone,
                "email": client.email, "city": client.city},
        deal={"id": deal.id, "campaign": campaign.name, "week": campaign.week, "stage": stage.code},
        manager={"login": manager.login if manager else "", "name": (manager.full_name or manager.login) if manager else ""},
        lines=lines)


def _copy_out(files: list[Path], out: Path) -> list[Path]:
    """Copy the .docx to `out` (a file, or a folder to copy into) and a PDF beside it."""
    out = out.expanduser()
    target = out / files[0].name if out.is_dir() else out
    if target.suffix.lower() != ".docx":
        target = target.with_suffix(target.suffix + ".docx") if target.suffix else target.with_suffix(".docx")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise kernel_files.cannot_write(target, exc) from None
    copies = []
    for source, copy in [(files[0], target)] + [(extra, target.with_suffix(extra.suffix)) for extra in files[1:]]:
        with kernel_files.atomic(copy) as part:  # whole or not at all, the user's umask
            shutil.copyfile(source, part)
        copies.append(copy)
    return copies


def _send(session: Session, actor: User, document: Document, address: str) -> None:
    deal = session.get(Deal, document.deal_id)
    client = session.get(Client, deal.client_id)
    seller = company.get(session)
    manager = session.get(User, deal.manager_id) if deal.manager_id else actor
    files = [Path(document.path)] + [p for p in [Path(document.path).with_suffix(".pdf")] if p.exists()]
    subject = f"{title(document.kind, document.number, document.made_at)} — {seller.get('name', '')}".rstrip(" —")
    greeting = f"Здравствуйте, {client.contact_person}!" if client.contact_person else "Здравствуйте!"
    signature = "\n".join(x for x in (manager.full_name or manager.login, seller.get("name"), seller.get("phone")) if x)
    body = (f"{greeting}\n\nНаправляем {title(document.kind, document.number, document.made_at)} "
            f"для {client.name} во вложении.\n\nС уважением,\n{signature}\n")
    message_id = mail.send(session, to=address, subject=subject, body=body, attachments=files)
    document.sent_to = address
    document.sent_at = clock.now()
    session.flush()
    audit.record(session, actor, "document.send", "deal", deal.id, document=document.id, kind=document.kind,
                 number=document.number, to=address, subject=subject, message_id=message_id,
                 files=[f.name for f in files])


def _advance(session: Session, actor: User, deal: Deal, kind: str, when: datetime) -> tuple[str | None, list[str]]:
    """Enter the first later stage that requires a document of `kind`, if its gate is now met."""
    if deal.closed_at is not None:
        return None, []
    current = session.get(Stage, deal.stage_id)
    for stage in reference.stages(session, current.pipeline_id):
        if stage.position > current.position and stage.requires_document == kind:
            missing = transition.check_transition(session, actor, deal, stage)
            if missing:
                return None, missing
            transition.enter_stage(session, actor, deal, stage, calendar=WorkCalendar(session), when=when)
            return stage.code, []
    return None, []
