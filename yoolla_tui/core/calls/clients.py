"""Clients: the base every campaign draws from, their cards and history, and do-not-call."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, phones, reference
from yoolla_tui.core.funnel import transition as funnel
from yoolla_tui.core.kernel.errors import BadInput, Conflict, NotFound, PermissionDenied
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel import text
from yoolla_tui.core.kernel.listing import Listing
from yoolla_tui.core.kernel.models import Call, Campaign, Client, Deal, Role, Stage, User
from yoolla_tui.core.kernel.permissions import require_admin, require_campaign_admin, require_client_reader
from yoolla_tui.core.people.calendar import WorkCalendar
from yoolla_tui.core.work import inbox

EDITABLE = ("name", "contact_person", "email", "city", "note")


def public(client: Client) -> dict:
    return {"id": client.id, "name": client.name, "contact_person": client.contact_person,
            "phone": client.phone, "phone_ext": client.phone_ext or None, "phone_raw": client.phone_raw,
            "email": client.email, "city": client.city, "note": client.note, "extra": client.extra or {},
            "do_not_call": client.do_not_call, "dnc_reason": client.dnc_reason or None,
            "dnc_at": clock.iso(client.dnc_at)}


def find_by_phone(session: Session, phone: phones.Phone) -> Client | None:
    return session.scalars(select(Client).where(Client.phone == phone.e164, Client.phone_ext == phone.ext)).first()


def resolve(session: Session, ref: str, region: str = phones.DEFAULT_REGION) -> Client:
    """A client by id (`12`, `#12`) or by phone as typed; NotFound says which was tried."""
    text = (ref or "").strip()
    digits = text.lstrip("#")
    if digits.isdigit() and len(digits) <= 9:
        client = session.get(Client, int(digits))
        if client is None:
            raise NotFound(_("no client with id {id}").format(id=digits))
        return client
    try:
        phone = phones.normalise(text, region)
    except BadInput:
        raise NotFound(_("{ref!r} is neither a client id nor a phone number").format(ref=text))
    client = find_by_phone(session, phone)
    if client is None:
        raise NotFound(_("no client with phone {phone}").format(phone=phone.display()))
    return client


FIELD_LIMITS = {"name": text.NAME_LIMIT, "contact_person": text.CONTACT_LIMIT, "email": text.EMAIL_LIMIT,
                "city": text.CITY_LIMIT, "note": text.NOTE_LIMIT}


def checked_field(key: str, value: str | None) -> str:
    """A client field as stored: stripped, no control characters, within FIELD_LIMITS (BadInput)."""
    return text.checked(value, field=key.replace("_", " "), limit=FIELD_LIMITS[key], lines=key == "note")


def add_client(*, session: Session, actor: User, name: str, phone: str, contact_person: str = "", email: str = "",
               city: str = "", note: str = "", region: str = phones.DEFAULT_REGION) -> Client:
    """Add one client; refuses a phone already in the base (naming the existing client)."""
    require_campaign_admin(actor, action=_("add clients"))
    name, contact_person, email, city, note = (checked_field(k, v) for k, v in (
        ("name", name), ("contact_person", contact_person), ("email", email), ("city", city), ("note", note)))
    if not name:
        raise BadInput(_("a client needs a name"))
    number = phones.normalise(phone, region)
    existing = find_by_phone(session, number)
    if existing is not None:
        raise Conflict(_("phone {phone} already belongs to client {id} ({name})").format(
            phone=number.display(), id=existing.id, name=existing.name))
    now = clock.now()
    client = Client(name=name.strip(), contact_person=contact_person.strip(), phone=number.e164, phone_ext=number.ext,
                    phone_raw=number.raw, email=email.strip(), city=city.strip(), note=note, created_at=now, updated_at=now)
    session.add(client)
    session.flush()
    audit.record(session, actor, "client.add", "client", client.id, name=client.name, phone=client.phone)
    return client


def edit_client(*, session: Session, actor: User, ref: str, phone: str | None = None,
                region: str = phones.DEFAULT_REGION, **fields: str | None) -> Client:
    """Change a client's fields. A corrected phone puts deals held for a wrong number back in the queue.

    A manager edits only a client on an open deal of theirs (a lost deal gives no right to rename
    the client or change its phone); supervisors and admins any client."""
    require_client_reader(actor, action=_("edit clients"))
    client = resolve(session, ref, region)
    if actor.role == Role.manager and not _manager_has_client(session, actor, client, open_only=True):
        raise PermissionDenied(_("{login} (manager) may not change client {id}: it is on no open deal of theirs").format(
            login=actor.login, id=client.id))
    now = clock.now()
    changed: dict[str, object] = {}
    for key, value in fields.items():
        if key not in EDITABLE:
            raise BadInput(_("unknown client field {field!r}").format(field=key))
        if value is not None:
            value = checked_field(key, value)
            if key == "name" and not value:
                raise BadInput(_("a client needs a name"))
        if value is not None and value != getattr(client, key):
            changed[key] = value
            setattr(client, key, value)
    if phone is not None:
        number = phones.normalise(phone, region)
        other = find_by_phone(session, number)
        if other is not None and other.id != client.id:
            raise Conflict(_("phone {phone} already belongs to client {id} ({name})").format(
                phone=number.display(), id=other.id, name=other.name))
        if (number.e164, number.ext) != (client.phone, client.phone_ext):
            changed["phone"] = number.e164
            client.phone, client.phone_ext, client.phone_raw = number.e164, number.ext, number.raw
            calendar = WorkCalendar(session)
            for deal in session.scalars(select(Deal).where(Deal.client_id == client.id, Deal.closed_at.is_(None),
                                                           Deal.status == "wrong_number")):
                deal.status = "phone_fixed"
                deal.next_call_at = calendar.into_working_hours(now)
                funnel.touch(deal, now)
    if changed:
        client.updated_at = now
        audit.record(session, actor, "client.edit", "client", client.id, **{k: str(v) for k, v in changed.items()})
    return client


def _manager_has_client(session: Session, actor: User, client: Client, *, open_only: bool = False) -> bool:
    stmt = select(Deal.id).where(Deal.client_id == client.id, Deal.manager_id == actor.id)
    if open_only:
        stmt = stmt.where(Deal.closed_at.is_(None))
    return session.scalars(stmt).first() is not None


def _spoke_to(session: Session, actor: User, client: Client) -> bool:
    """A manager heard the client: a deal of theirs on it, or a call they logged to it."""
    return (_manager_has_client(session, actor, client)
            or session.scalars(select(Call.id).where(Call.client_id == client.id, Call.user_id == actor.id)).first() is not None)


def _not_your_client(actor: User, client: Client) -> PermissionDenied:
    return PermissionDenied(_("{login} (manager) may not change client {id}: it is on none of their deals").format(
        login=actor.login, id=client.id))


def list_clients(*, session: Session, actor: User, search: str | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
    """Clients matching `search` (name, contact, phone, email, city), by name, one page at a time."""
    return list(client_listing(session=session, actor=actor, search=search, offset=offset).rows(limit=limit))


def client_listing(*, session: Session, actor: User, search: str | None = None, offset: int = 0) -> Listing:
    """Every client matching `search`, by name, counted and streamed (see core/listing.py)."""
    require_client_reader(actor)
    stmt = select(Client).order_by(Client.name, Client.id)
    if search:
        stmt = stmt.where(search_clause(search))
    if offset:
        stmt = stmt.offset(offset)
    return Listing(session, stmt, _public_row)


def record_export(*, session: Session, actor: User, fmt: str, search: str | None = None, rows: int | None = None) -> None:
    """A whole-base export (`client list --format csv|json`) leaves an audit record: who took the
    client base, when, in which form."""
    require_client_reader(actor)
    audit.record(session, actor, "client.export", "client", None, format=fmt, search=search, rows=rows)


def _public_row(row) -> dict:
    return public(row[0])


def fold(text: str) -> str:
    """Text as search compares it: lower case, ё as е (people type either)."""
    return text.lower().replace("ё", "е")


def _folded(column):
    # SQLite's lower() is made Unicode-aware in db.py; PostgreSQL's is already.
    return func.replace(func.lower(column), "ё", "е")


def phone_pattern(search: str) -> str | None:
    """A LIKE pattern on the stored E.164 phone for a phone as people type it, or None when
    `search` has fewer than 3 digits. `8 499 980-82-59`, `84999808259`, `+7 499 980 82 59` and
    `74999808259` are the whole number; `+7 499` and `8 (499)` its start; `499 980 82 59` or the
    last digits anywhere in it."""
    text = search.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 3:
        return None
    if text.startswith("+"):
        return f"+{digits}%"
    if len(digits) == 11 and digits[0] in "78":
        return f"+7{digits[1:]}"
    if len(digits) < 11 and text[0] == "8" and len(text) > 1 and not text[1].isdigit():
        return f"+7{digits[1:]}%"  # `8 499…`: the trunk prefix, then the start of the number
    return f"%{digits}%"


def _phone_clause(pattern: str):
    """The phone column against `phone_pattern`: a whole number or a start walks the phone
    index (equality, a range), only "somewhere in it" reads every phone."""
    if "%" not in pattern:
        return Client.phone == pattern
    if pattern.endswith("%") and not pattern.startswith("%"):
        start = pattern[:-1]
        return and_(Client.phone >= start, Client.phone < start + "\uffff")
    return Client.phone.like(pattern)


def search_clause(search: str):
    """The one search rule for clients (`client list --search`, Today's `/`, the dashboard's `g`):
    any part of the name, contact person, e-mail or city, ignoring case and ё/е; or the phone in
    any form people type it (see `phone_pattern`). Text with no letters and 7 digits or more is
    a phone and is matched against phones only."""
    text = fold(search.strip())
    phone = phone_pattern(search)
    has_letters = any(ch.isalpha() for ch in text)
    if phone is not None and not has_letters and sum(ch.isdigit() for ch in text) >= 7:
        return _phone_clause(phone)
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    columns = (Client.name, Client.contact_person, Client.email, Client.city)
    if has_letters:
        # One folded string per client, not four: on SQLite lower() is a Python function, and a
        # search that matches nobody reads every client (4 calls a row took 1.3 s on 100k).
        together = func.coalesce(columns[0], "")
        for column in columns[1:]:
            together = together.op("||")(" \x1f ").op("||")(func.coalesce(column, ""))
        clauses = [_folded(together).like(pattern, escape="\\")]
    else:
        # Digits and punctuation have no case: the database's own LIKE, no folding.
        clauses = [column.like(pattern, escape="\\") for column in columns]
    if phone is not None:
        clauses.append(_phone_clause(phone))
    return or_(*clauses)


def card(*, session: Session, actor: User, ref: str) -> dict:
    """The client card: fields, every deal it is on, and every call across all campaigns (newest first)."""
    require_client_reader(actor)
    client = resolve(session, ref)
    out = public(client)
    login = dict(session.execute(select(User.id, User.login)).all())
    stage_code = dict(session.execute(select(Stage.id, Stage.code)).all())
    out["deals"] = [
        {"id": deal.id, "campaign": name, "week": week, "manager": login.get(deal.manager_id),
         "stage": stage_code.get(deal.stage_id), "status": deal.status, "closed": deal.closed_at is not None}
        for deal, name, week in session.execute(
            select(Deal, Campaign.name, Campaign.week).join(Campaign, Campaign.id == Deal.campaign_id)
            .where(Deal.client_id == client.id).order_by(Campaign.week_start.desc(), Deal.id))]
    out["history"] = [
        {"id": call.id, "at": clock.iso(call.at), "campaign": name, "deal_id": call.deal_id, "user": login.get(call.user_id),
         "outcome": call.outcome, "note": call.note, "stage_before": stage_code.get(call.stage_before_id),
         "stage_after": stage_code.get(call.stage_after_id)}
        for call, name in session.execute(
            select(Call, Campaign.name).join(Deal, Deal.id == Call.deal_id).join(Campaign, Campaign.id == Deal.campaign_id)
            .where(Call.client_id == client.id).order_by(Call.at.desc(), Call.id.desc()))]
    return out


def blacklist(*, session: Session, actor: User, client: Client, reason: str, calendar: WorkCalendar | None = None) -> int:
    """Mark `client` do-not-call everywhere; close its open deals as lost (reason do_not_call).

    History is kept. Returns how many open deals were closed. Managers may do it for a client
    they spoke to (a deal of theirs, open or closed, or a call they logged: it is the client's
    wish); supervisors and admins for anyone. The other managers whose open deals it closed are
    told in their inbox.
    """
    require_client_reader(actor, action=_("mark clients do-not-call"))
    if actor.role == Role.manager and not _spoke_to(session, actor, client):
        raise _not_your_client(actor, client)
    reason = text.checked(reason, field=_("reason"), limit=text.NOTE_LIMIT, lines=True)
    if not reason:
        raise BadInput(_("say why the client is not to be called (--reason)"))
    if client.do_not_call:
        raise Conflict(_("client {id} ({name}) is already do-not-call since {at}: {reason}").format(
            id=client.id, name=client.name, at=clock.show(client.dnc_at), reason=client.dnc_reason))
    now = clock.now()
    calendar = calendar or WorkCalendar(session)
    client.do_not_call, client.dnc_reason, client.dnc_at, client.dnc_by_id = True, reason.strip(), now, actor.id
    client.updated_at = now
    lost_reason = reference.get_lost_reason(session, "do_not_call")
    closed = 0
    others: dict[int, list[int]] = {}
    for deal in session.scalars(select(Deal).where(Deal.client_id == client.id, Deal.closed_at.is_(None))):
        funnel.close_lost(session, actor, deal, lost_reason, calendar=calendar, note=reason.strip(), when=now)
        closed += 1
        if deal.manager_id is not None and deal.manager_id != actor.id:
            others.setdefault(deal.manager_id, []).append(deal.id)
    for manager_id, deal_ids in others.items():
        inbox.notify(session, [manager_id], "client_dnc", client=client.id, name=client.name, reason=reason.strip(),
                     by=actor.login, deals=deal_ids)
    audit.record(session, actor, "client.dnc", "client", client.id, reason=reason.strip(), deals_closed=closed)
    return closed


def set_dnc(*, session: Session, actor: User, ref: str, reason: str) -> tuple[Client, int]:
    client = resolve(session, ref)
    return client, blacklist(session=session, actor=actor, client=client, reason=reason)


def lift_dnc(*, session: Session, actor: User, ref: str, note: str) -> Client:
    """Lift do-not-call (admins only, audited with a note). Closed deals stay closed."""
    require_admin(actor, action=_("lift do-not-call"))
    client = resolve(session, ref)
    if not client.do_not_call:
        raise Conflict(_("client {id} ({name}) is not do-not-call").format(id=client.id, name=client.name))
    note = text.checked(note, field=_("note"), limit=text.NOTE_LIMIT, lines=True)
    if not note:
        raise BadInput(_("say why do-not-call is lifted (--note)"))
    audit.record(session, actor, "client.dnc_lift", "client", client.id, note=note, was_reason=client.dnc_reason)
    client.do_not_call, client.dnc_reason, client.dnc_at, client.dnc_by_id = False, "", None, None
    client.updated_at = clock.now()
    return client


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Client)) or 0
