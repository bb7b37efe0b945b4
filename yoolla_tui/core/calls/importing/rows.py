"""From a sheet's rows to clients: cell text, phones, dedupe, rejects, bulk inserts.

`Loader` holds what one import has seen so far (phones in the base and in the file, counters,
rows waiting to be inserted) and takes one sheet at a time. Problems with the file itself
(error cells, a date in the phone column, a row wider than its header, a giant cell) raise
BadInput naming the place; a row that merely cannot be a client is rejected with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import chain, islice
from typing import Callable, Iterator

from sqlalchemy import select
from sqlmodel import Session

from yoolla_tui.core.kernel import clock, phones
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Client, ImportRejectedRow
from yoolla_tui.core.calls.importing.bulk import insert_rows
from yoolla_tui.core.calls.importing.headers import NAME_PARTS, Column
from yoolla_tui.core.calls.importing.readers import MAX_CELL_CHARS, Table
from yoolla_tui.core.calls.importing.readers import column_letter

CHUNK = 20_000  # rows per insert: big enough that sorting a chunk by name keeps index writes local
# Column widths of the client table: a longer value rejects the row instead of failing the import.
LIMITS = {"name": 300, "contact_person": 200, "email": 200, "city": 100}
_SPLIT_PHONES = re.compile(r"[,;\n|/]|\s+или\s+|\s+or\s+", re.IGNORECASE)
AUTO_SAMPLE = 1000  # rows whose phones decide --region auto (each phone is still parsed once)
# A do-not-call column's answers (folded to lower case); an empty cell is "no".
DNC_WORDS = {"yes": True, "y": True, "да": True, "д": True, "true": True, "1": True, "истина": True, "+": True, "x": True,
             "no": False, "n": False, "нет": False, "н": False, "false": False, "0": False, "ложь": False, "-": False}
_DATE_TEXT = re.compile(r"^\s*(\d{1,2}[./]\d{1,2}[./](\d{4}|\d{2})|\d{4}-\d{2}-\d{2})(\s+\d{1,2}:\d{2}(:\d{2})?)?\s*$")
_TEXT_FIELDS = ("name", "contact_person", "email", "city", "note")


def cell_text(value) -> str:
    """A cell as the text a person typed: 79161234567.0 -> '79161234567', dates as ISO."""
    kind = value.__class__
    if kind is str:
        return value.strip()
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if value is None:
        return ""
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is datetime:
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if kind in (date, time):
        return value.isoformat()
    return str(value)


def stored_key(e164: str | None, ext: str | None):
    if not e164:
        return None
    number = int(e164[1:])
    return (number, ext) if ext else number


@dataclass
class Accepted:
    """A row that became (or matched) a client: its key, source row and any status words."""

    key: object
    row: int
    statuses: dict[str, str] = field(default_factory=dict)
    duplicate: bool = False  # an earlier row of the file has the same phone


@dataclass
class Counts:
    read: int = 0
    blank: int = 0
    inserted: int = 0
    duplicates_within_file: int = 0
    duplicates_in_base: int = 0
    rejected: int = 0
    do_not_call: int = 0  # new clients inserted do-not-call, and clients in the base the file marks so


class Loader:
    """Feeds sheets into the client table for one import batch."""

    def __init__(self, session: Session, *, batch_id: int | None, region: str, update: bool,
                 progress: Callable[[int], None] | None, on_reject: Callable[[str | None, int, list[str], str], None],
                 preview: int = 0, dnc_reason: str = "", actor_id: int | None = None) -> None:
        self.session = session
        self.batch_id = batch_id
        self.region = region.upper()  # phones.AUTO until the first sheet's numbers decide it
        self.dnc_reason = dnc_reason
        self.actor_id = actor_id
        self.update = update
        self.progress = progress
        self.on_reject = on_reject
        self.counts = Counts()
        self.now = clock.now()
        self.base: dict[object, tuple[int, bool]] = {}
        for client_id, e164, ext, dnc in session.execute(select(Client.id, Client.phone, Client.phone_ext, Client.do_not_call)):
            key = stored_key(e164, ext)
            if key is not None:
                self.base[key] = (client_id, dnc)
        self.seen: set = set()
        self.matched: dict[object, int] = {}  # key -> id of an existing client the file names
        self.pending: list[dict] = []
        self.pending_dnc: list[dict] = []  # new clients the file marks do-not-call
        self.dnc_existing: list[int] = []  # clients in the base the file marks do-not-call
        self.causes: dict[tuple, int] = {}  # why rows were rejected, for the one-line hint
        self.updates: dict[int, dict] = {}    # existing client id -> fields from the file (for --update)
        self.rejected_rows: list[dict] = []
        self.preview_rows: list[dict] = []
        self.preview = preview

    # ---- one sheet ---------------------------------------------------------------------------

    def feed(self, table: Table, rows: Iterator[tuple[int, list]], columns: list[Column], *,
             status_fields: tuple[str, ...] = (), collect: bool = False) -> list[Accepted]:
        """Take the data rows under the header; with `collect`, returns the accepted rows in file order."""
        width = len(columns)
        by_field = {c.field: c.index for c in columns if c.field}
        phone_at = by_field["phone"]
        text_at = [(name, by_field[name]) for name in _TEXT_FIELDS if name in by_field]
        status_at = [(name, by_field[name]) for name in status_fields if name in by_field]
        extra_at = [(c.index, _extra_key(c, columns)) for c in columns if c.field is None and not c.skip]
        person_at = _person_columns(columns)
        dnc_at = by_field.get("do_not_call")
        if self.region == phones.AUTO:
            # Decided once per file, on the first sheet with phones; each phone is still parsed once.
            head = list(islice(rows, AUTO_SAMPLE))
            sample = [cell_text(cells[phone_at]) for _n, cells in head
                      if phone_at < len(cells) and cells[phone_at] not in (None, "")]
            if sample:
                self.region = phones.guess_region(sample)
            rows = chain(head, rows)
        region = self.region if self.region != phones.AUTO else phones.DEFAULT_REGION
        headers = {c.index: c.describe() for c in columns}
        errors = table.errors
        accepted: list[Accepted] = []
        counts = self.counts
        normalise = phones.normalise
        seen, base, matched = self.seen, self.base, self.matched
        workbook = table.sheet is not None
        padding = [""] * width
        step = 0
        for number, cells in rows:
            step += 1
            if step == 2000:
                self._tick(step)
                step = 0
            if not any(cells):
                counts.blank += 1
                continue
            texts = [v.strip() if v.__class__ is str else cell_text(v) for v in cells]
            if not any(texts):
                counts.blank += 1
                continue
            counts.read += 1
            size = len(texts)
            if size < width:
                texts += padding[size:]
            elif size > width and any(texts[width:]):
                _too_wide(table, number, texts, width)
            if errors:
                _check_errors(table, number, cells, headers, errors)
            if max(map(len, texts)) > MAX_CELL_CHARS:
                _too_big(table, number, texts, headers)
            raw_phone = texts[phone_at]
            if workbook and cells[phone_at].__class__ is not str and cells[phone_at].__class__ is not float:
                _check_not_date(table, number, cells[phone_at], headers[phone_at])
            if raw_phone and raw_phone[0] != "+" and _DATE_TEXT.match(raw_phone):
                raise BadInput(_("{where}: {value!r} is a date, not a phone; is the right column mapped to phone (--map)?").format(
                    where=table.where(number, headers[phone_at]), value=raw_phone))
            values = {name: texts[i] for name, i in text_at}
            extra = {key: texts[i] for i, key in extra_at if texts[i]}
            if not raw_phone:
                self._reject(table, number, texts, _("no phone"), ("no_phone",))
                continue
            dnc = False
            if dnc_at is not None and texts[dnc_at]:
                dnc = DNC_WORDS.get(texts[dnc_at].lower())
                if dnc is None:
                    self._reject(table, number, texts, _(
                        "{value!r} in column {column} is not a do-not-call answer: write yes or no (да/нет, Y/N, 1/0, "
                        "TRUE/FALSE) or leave it empty").format(value=texts[dnc_at], column=headers[dnc_at]), ("dnc",))
                    continue
            second = typed = None
            if ("," in raw_phone or ";" in raw_phone or "|" in raw_phone or "/" in raw_phone or "\n" in raw_phone
                    or " или " in raw_phone or " or " in raw_phone):
                typed, (raw_phone, second) = raw_phone, _split_phones(raw_phone)
            try:
                phone = normalise(raw_phone, region)
            except BadInput as exc:
                other = phones.valid_elsewhere(raw_phone, region)
                self._reject(table, number, texts, exc.message, ("region", other) if other else ("phone",))
                continue
            if second:
                extra["phone_2"] = second
            elif typed is not None:
                phone = phones.Phone(phone.e164, phone.ext, typed)  # one number in groups: keep it as typed
            if person_at and not values.get("contact_person"):
                person = " ".join(texts[i] for i in person_at if texts[i])
                if person:
                    values["contact_person"] = person
            name = values.get("name") or values.get("contact_person") or ""
            if not name:
                self._reject(table, number, texts, _("no organisation name (nor contact person)"), ("no_name",))
                continue
            values["name"] = name
            if (len(name) > 300 or any(len(values.get(f, "")) > limit for f, limit in LIMITS.items()) or len(phone.raw) > 100
                    or len(phone.ext) > 10):
                self._reject(table, number, texts, _too_long(values, phone))
                continue
            key = (int(phone.e164[1:]), phone.ext) if phone.ext else int(phone.e164[1:])
            if key in seen:
                counts.duplicates_within_file += 1
                if collect:
                    accepted.append(Accepted(key, number, duplicate=True))
                continue
            seen.add(key)
            if collect:
                accepted.append(Accepted(key, number, {name: texts[i] for name, i in status_at if texts[i]}))
            existing = base.get(key)
            if existing is not None:
                counts.duplicates_in_base += 1
                matched[key] = existing[0]
                if dnc and not existing[1]:
                    self.dnc_existing.append(existing[0])
                    counts.do_not_call += 1
                if self.update:
                    self.updates[existing[0]] = {**values, "extra": extra}
                continue
            row = {"name": name, "contact_person": values.get("contact_person", ""), "phone": phone.e164,
                   "phone_ext": phone.ext, "phone_raw": phone.raw, "email": values.get("email", ""),
                   "city": values.get("city", ""), "note": values.get("note", ""), "extra": extra}
            if len(self.preview_rows) < self.preview:
                self.preview_rows.append({"row": number, **{k: row[k] for k in
                                          ("name", "contact_person", "phone", "phone_ext", "email", "city", "note", "extra")}})
            if dnc:
                counts.do_not_call += 1
                self.pending_dnc.append(row)
                if len(self.pending_dnc) >= CHUNK:
                    self.flush()
            else:
                self.pending.append(row)
                if len(self.pending) >= CHUNK:
                    self.flush()
        self._tick(step)
        self.flush()
        return accepted

    def _tick(self, n: int) -> None:
        if self.progress is not None and n:
            self.progress(n)

    def _reject(self, table: Table, number: int, texts: list[str], reason: str, cause: tuple = ("other",)) -> None:
        self.counts.rejected += 1
        self.causes[cause] = self.causes.get(cause, 0) + 1
        self.rejected_rows.append({"batch_id": self.batch_id, "sheet": table.sheet or "", "row_number": number,
                                   "reason": reason, "cells": texts})
        self.on_reject(table.sheet, number, texts, reason)
        if len(self.rejected_rows) >= CHUNK:
            self.flush_rejected()

    # ---- writing -----------------------------------------------------------------------------

    def flush(self) -> None:
        if self.pending:
            # In name order the name index takes the chunk in one sweep instead of random page
            # writes: measured on a 1M-row list, 19.5 s of inserts became 16.3 s.
            self.pending.sort(key=_by_name)
            self.counts.inserted += insert_rows(self.session.connection(), Client.__table__, self.pending, same={
                "do_not_call": False, "dnc_reason": "", "import_batch_id": self.batch_id, "created_at": self.now,
                "updated_at": self.now})
            self.pending = []
        if self.pending_dnc:
            self.counts.inserted += insert_rows(self.session.connection(), Client.__table__, self.pending_dnc, same={
                "do_not_call": True, "dnc_reason": self.dnc_reason, "dnc_at": self.now, "dnc_by_id": self.actor_id,
                "import_batch_id": self.batch_id, "created_at": self.now, "updated_at": self.now})
            self.pending_dnc = []

    def flush_rejected(self) -> None:
        if self.rejected_rows:
            insert_rows(self.session.connection(), ImportRejectedRow.__table__, self.rejected_rows)
            self.rejected_rows = []

    def ids_for(self, keys: list) -> dict[object, int]:
        """Client ids for accepted keys: matched in the base, or inserted by this batch."""
        out = {key: self.matched[key] for key in keys if key in self.matched}
        if len(out) < len(keys):
            for client_id, e164, ext in self.session.execute(
                    select(Client.id, Client.phone, Client.phone_ext).where(Client.import_batch_id == self.batch_id)):
                out.setdefault(stored_key(e164, ext), client_id)
        return out


def _by_name(row: dict) -> str:
    return row["name"]


def _too_wide(table: Table, number: int, texts: list[str], width: int) -> None:
    index = width + next(i for i, t in enumerate(texts[width:]) if t)
    raise BadInput(_("{where}: the row has more cells than the header ({width} columns, up to {last}); give the extra "
                     "column a header or clear it").format(
        where=table.where(number, _letter(index)), width=width, last=_letter(width - 1)))


def _check_errors(table: Table, number: int, cells: list, headers: dict[int, str], errors: dict) -> None:
    for index in range(len(cells)):
        code = errors.get((number, index))
        if code is not None:
            raise BadInput(_("{where}: the cell holds the Excel error {code}, not a value; fix the formula or clear "
                             "the cell").format(where=table.where(number, headers.get(index, _letter(index))), code=code))


def _too_big(table: Table, number: int, texts: list[str], headers: dict[int, str]) -> None:
    index = next(i for i, t in enumerate(texts) if len(t) > MAX_CELL_CHARS)
    raise BadInput(_("{where}: the cell holds {size:,} characters, more than a spreadsheet cell may ({limit:,}); this "
                     "is not a client list").format(where=table.where(number, headers.get(index, _letter(index))),
                                                    size=len(texts[index]), limit=MAX_CELL_CHARS))


def _too_long(values: dict[str, str], phone: phones.Phone) -> str:
    for field, limit in LIMITS.items():
        if len(values.get(field, "")) > limit:
            return _("{field} is longer than {limit} characters").format(field=field, limit=limit)
    if len(phone.ext) > 10:
        return _("phone extension {ext!r} is longer than {limit} digits").format(ext=phone.ext, limit=10)
    return _("phone text is longer than {limit} characters").format(limit=100)


def _letter(index: int) -> str:
    return column_letter(index)


def _extra_key(column: Column, columns: list[Column]) -> str:
    key = column.header or _("column {letter}").format(letter=column.letter)
    same = [c for c in columns if c.field is None and not c.skip and (c.header or "") == column.header and c.index < column.index]
    return f"{key} ({len(same) + 1})" if same and column.header else key


def _check_not_date(table: Table, number: int, value, header: str) -> None:
    if isinstance(value, (date, time, timedelta)):
        raise BadInput(_("{where}: the cell is a date ({value}), not a phone; format the column as text in the "
                         "spreadsheet, or map the right column to phone (--map)").format(
            where=table.where(number, header), value=cell_text(value)))
    if isinstance(value, str) and _DATE_TEXT.match(value):
        raise BadInput(_("{where}: {value!r} is a date, not a phone; is the right column mapped to phone (--map)?").format(
            where=table.where(number, header), value=value.strip()))


def _person_columns(columns: list[Column]) -> list[int]:
    """Indexes of the name-part columns in the order a name is written: Russian headers
    (Фамилия, Имя, Отчество) give "Фамилия Имя Отчество", others "First Middle Last"."""
    parts = {c.field: c for c in columns if c.field in NAME_PARTS}
    if not parts:
        return []
    russian = any(re.search("[а-яё]", c.header.lower()) for c in parts.values())
    order = NAME_PARTS if russian else ("first_name", "middle_name", "last_name")
    return [parts[f].index for f in order if f in parts]


def _split_phones(text: str) -> tuple[str, str | None]:
    """"495 123-45-67, 916 123-45-67" -> the first number, and the rest as written.

    Separators (`, ; | /`, "или", "or") part two numbers only when both sides could be one on their
    own (7 digits or more): "876|678|3469" is one number written in groups ("876 678 3469"), and a
    short piece (", доб. 12") stays with the number before it.
    """
    parts = [p.strip() for p in _SPLIT_PHONES.split(text) if p and p.strip()]
    numbers: list[str] = []
    digits: list[int] = []
    for part in parts:
        count = sum(ch.isdigit() for ch in part)
        if numbers and (count < 7 or digits[-1] < 7):
            glue = " " if part[0].isdigit() and numbers[-1][-1].isdigit() else ", "
            numbers[-1] = f"{numbers[-1]}{glue}{part}"
            digits[-1] += count
        else:
            numbers.append(part)
            digits.append(count)
    if len(numbers) <= 1:
        return (numbers[0] if numbers else text.strip()), None
    return numbers[0], ", ".join(numbers[1:])
