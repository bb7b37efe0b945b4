"""From a sheet's rows to clients: cell text, phones, dedupe, rejects, bulk inserts.

`Loader` works in two passes, so that a big list never holds the database's write lock while it
is checked:

- `feed` (no database): one sheet at a time, every row is read as text, checked, its phone
  normalised and deduplicated within the file; a row that cannot be a client is rejected with its
  reason, a row that can is kept in a spool (in memory, then a temporary file past SPOOL_ROWS).
  Problems with the file itself (error cells, a date in the phone column, a row wider than its
  header, a giant cell) raise BadInput naming the place.
- `write` (the one short write transaction): the kept rows are matched against the base as it
  is now (so a client another operator added meanwhile is a duplicate, not a clash) and the new
  ones inserted in bulk, with the rejected rows.
"""

from __future__ import annotations

import json
import pickle
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import chain, islice
from typing import Callable, Iterator

from sqlalchemy import func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import clock, phones
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.text import as_spaces, control_at, dangerous, describe, printable_line
from yoolla_tui.core.kernel.models import Client, ImportRejectedRow
from yoolla_tui.core.calls.importing.bulk import insert_rows, insert_tuples, text_processor
from yoolla_tui.core.calls.importing.headers import NAME_PARTS, Column
from yoolla_tui.core.calls.importing.readers import MAX_CELL_CHARS, Table
from yoolla_tui.core.calls.importing.readers import column_letter

CHUNK = 20_000  # rows per insert: big enough that sorting a chunk by name keeps index writes local
SPOOL_ROWS = 100_000  # kept rows held in memory; past that they wait in a temporary file
WRITE_CACHE_KB = 65_536  # SQLite's page cache while the write runs
LOOKUP_SHARE = 8  # fewer kept rows than base clients / 8: look them up by phone instead of reading the base
# Column widths of the client table: a longer value rejects the row instead of failing the import.
LIMITS = {"name": 300, "contact_person": 200, "email": 200, "city": 100}
_SPLIT_PHONES = re.compile(r"[,;\n|/]|\s+или\s+|\s+or\s+", re.IGNORECASE)
AUTO_SAMPLE = 1000  # rows whose phones decide --region auto (each phone is still parsed once)
# A do-not-call column's answers (folded to lower case); an empty cell is "no".
DNC_WORDS = {"yes": True, "y": True, "да": True, "д": True, "true": True, "1": True, "истина": True, "+": True, "x": True,
             "no": False, "n": False, "нет": False, "н": False, "false": False, "0": False, "ложь": False, "-": False}
_DATE_TEXT = re.compile(r"^\s*(\d{1,2}[./]\d{1,2}[./](\d{4}|\d{2})|\d{4}-\d{2}-\d{2})(\s+\d{1,2}:\d{2}(:\d{2})?)?\s*$")
_TEXT_FIELDS = ("name", "contact_person", "email", "city", "note")
# A kept row, in the client table's column order: the insert takes it as it is.
ROW = ("name", "contact_person", "phone", "phone_ext", "phone_raw", "email", "city", "note", "extra")
_PREVIEW = ("name", "contact_person", "phone", "phone_ext", "email", "city", "note", "extra")


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


class Spool:
    """Rows kept in file order: in memory up to SPOOL_ROWS, then pickled in chunks to a temporary
    file (deleted when closed, or by the system if the process dies). `None` marks a sheet's end."""

    def __init__(self, memory_rows: int | None = None) -> None:
        self.memory_rows = SPOOL_ROWS if memory_rows is None else memory_rows
        self.chunks: list[list] = []
        self.current: list = []
        self.size = 0
        self.file = None

    def append(self, item) -> None:
        self.current.append(item)
        if len(self.current) >= CHUNK:
            self._close_chunk()

    def _close_chunk(self) -> None:
        if not self.current:
            return
        self.size += len(self.current)
        if self.size > self.memory_rows:
            try:
                if self.file is None:
                    self.file = tempfile.TemporaryFile(prefix="yoolla-import-")
                pickle.dump(self.current, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError as exc:
                raise BadInput(_("cannot keep the checked rows in a temporary file in {folder}: {error}; nothing was "
                                 "imported (point TMPDIR at a folder with room)").format(
                    folder=tempfile.gettempdir(), error=exc.strerror or exc)) from None
        else:
            self.chunks.append(self.current)
        self.current = []

    def __iter__(self) -> Iterator:
        self._close_chunk()
        for chunk in self.chunks:
            yield from chunk
        if self.file is not None:
            self.file.seek(0)
            while True:
                try:
                    chunk = pickle.load(self.file)
                except EOFError:
                    break
                yield from chunk

    def close(self) -> None:
        self.chunks, self.current = [], []
        if self.file is not None:
            self.file.close()
            self.file = None


class Loader:
    """One import's rows: `feed` checks sheets without the database, `write` stores them."""

    def __init__(self, *, region: str, update: bool, progress: Callable[[int], None] | None = None,
                 dnc_reason: str = "", dialect=None) -> None:
        self.region = region.upper()  # phones.AUTO until the first sheet's numbers decide it
        # The extra attributes become the database's JSON text here, not in the write (SQLite).
        self.extra_text = text_processor(Client.__table__, "extra", dialect) if dialect is not None else None
        self.dnc_reason = dnc_reason
        self.update = update
        self.progress = progress
        self.counts = Counts()
        self.seen: set = set()
        # Each first row of a phone: (key, row number, do-not-call, ROW values, extra attributes if
        # --update wants them); None ends a sheet.
        self.kept = Spool()
        self.causes: dict[tuple, int] = {}  # why rows were rejected, for the one-line hint
        self.rejects: list[tuple[str | None, int, list[str], str]] = []  # (sheet, row number, cells, reason)
        # Filled by `write`:
        self.matched: dict[object, int] = {}  # key -> id of an existing client the file names
        self.dnc_existing: list[int] = []  # clients in the base the file marks do-not-call
        self.updates: dict[int, dict] = {}    # existing client id -> fields from the file (for --update)
        self.preview_rows: list[dict] = []
        self.written = False

    # ---- one sheet, no database ----------------------------------------------------------------

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
        seen, kept = self.seen, self.kept
        extra_text, update = self.extra_text, self.update
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
            if control_at("\n".join(texts), lines=True) is not None:
                if dangerous("\n".join(texts)):  # NUL (PostgreSQL refuses it), ESC/CSI/OSC of a terminal escape
                    reason = _control_reason(texts, headers)
                    self._reject(table, number, [printable_line(t) for t in texts], reason, ("control",))
                    continue
                texts = [as_spaces(t) for t in texts]  # a vertical tab pasted from Word: a space
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
            kept.append((key, number, dnc, (
                name, values.get("contact_person", ""), phone.e164, phone.ext, phone.raw, values.get("email", ""),
                values.get("city", ""), values.get("note", ""), extra_text(extra) if extra_text else extra),
                extra if update else None))
        self._tick(step)
        kept.append(None)  # the sheet's new clients are inserted before the next sheet's
        return accepted

    def _tick(self, n: int) -> None:
        if self.progress is not None and n:
            self.progress(n)

    def _reject(self, table: Table, number: int, texts: list[str], reason: str, cause: tuple = ("other",)) -> None:
        self.counts.rejected += 1
        self.causes[cause] = self.causes.get(cause, 0) + 1
        self.rejects.append((table.sheet, number, texts, reason))

    # ---- the write -------------------------------------------------------------------------------

    def write(self, session: Session, *, batch_id: int, actor_id: int | None, preview: int = 0) -> None:
        """Match the kept rows against the base as it is now, insert the new clients and the
        rejected rows of `batch_id`. Runs in the caller's (write) transaction, once."""
        if self.written:
            raise RuntimeError("these rows were written already; read the file again")
        self.written = True
        connection = session.connection()
        with _big_page_cache(connection):
            self._write(session, connection, batch_id, actor_id, preview)

    def _write(self, session: Session, connection, batch_id: int, actor_id: int | None, preview: int) -> None:
        now = clock.now()
        base = self._base(session)
        counts, matched = self.counts, self.matched
        ready = frozenset({"extra"}) if self.extra_text else frozenset()
        pending: list[tuple] = []
        pending_dnc: list[tuple] = []  # new clients the file marks do-not-call
        # In the table's column order, as the kept rows are: the insert passes them on as they are.
        plain = {"do_not_call": False, "dnc_reason": "", "import_batch_id": batch_id, "created_at": now, "updated_at": now}
        marked = {"do_not_call": True, "dnc_reason": self.dnc_reason, "dnc_at": now, "dnc_by_id": actor_id,
                  "import_batch_id": batch_id, "created_at": now, "updated_at": now}

        def flush() -> None:
            if pending:
                # In name order the name index takes the chunk in one sweep instead of random page
                # writes: measured on a 1M-row list, 19.5 s of inserts became 16.3 s.
                pending.sort(key=_by_name)
                counts.inserted += insert_tuples(connection, Client.__table__, ROW, pending, same=plain, ready=ready)
                pending.clear()
            if pending_dnc:
                counts.inserted += insert_tuples(connection, Client.__table__, ROW, pending_dnc, same=marked, ready=ready)
                pending_dnc.clear()

        for item in self.kept:
            if item is None:
                flush()
                continue
            key, number, dnc, row, extra = item
            existing = base.get(key)
            if existing is not None:
                counts.duplicates_in_base += 1
                matched[key] = existing[0]
                if dnc and not existing[1]:
                    self.dnc_existing.append(existing[0])
                    counts.do_not_call += 1
                if self.update:
                    self.updates[existing[0]] = {**dict(zip(ROW, row)), "extra": extra}
                continue
            if len(self.preview_rows) < preview:
                shown = dict(zip(ROW, row))
                if self.extra_text:
                    shown["extra"] = json.loads(shown["extra"])
                self.preview_rows.append({"row": number, **{k: shown[k] for k in _PREVIEW}})
            if dnc:
                counts.do_not_call += 1
                pending_dnc.append(row)
                if len(pending_dnc) >= CHUNK:
                    flush()
            else:
                pending.append(row)
                if len(pending) >= CHUNK:
                    flush()
        flush()
        rejected = [{"batch_id": batch_id, "sheet": sheet or "", "row_number": number, "reason": reason, "cells": texts}
                    for sheet, number, texts, reason in self.rejects]
        insert_rows(connection, ImportRejectedRow.__table__, rejected)

    def _base(self, session: Session) -> dict[object, tuple[int, bool]]:
        """key -> (client id, do-not-call) of the clients in the base that the kept rows name: the
        whole table read once, or, for a short list against a big base, looked up by phone."""
        base: dict[object, tuple[int, bool]] = {}
        columns = (Client.id, Client.phone, Client.phone_ext, Client.do_not_call)
        kept = len(self.seen)
        if kept * LOOKUP_SHARE < (session.scalar(select(func.count(Client.id))) or 0):
            phones_ = sorted({item[3][2] for item in self.kept if item is not None})
            queries = (select(*columns).where(Client.phone.in_(phones_[start:start + 500]))
                       for start in range(0, len(phones_), 500))
        else:
            queries = (select(*columns),)
        for query in queries:
            for client_id, e164, ext, dnc in session.execute(query):
                key = stored_key(e164, ext)
                if key is not None:
                    base[key] = (client_id, dnc)
        return base

    def close(self) -> None:
        self.kept.close()

    def ids_for(self, session: Session, batch_id: int, keys: list) -> dict[object, int]:
        """Client ids for accepted keys: matched in the base, or inserted by this batch."""
        out = {key: self.matched[key] for key in keys if key in self.matched}
        if len(out) < len(keys):
            wanted = set(keys)
            for client_id, e164, ext in session.execute(
                    select(Client.id, Client.phone, Client.phone_ext).where(Client.import_batch_id == batch_id)):
                key = stored_key(e164, ext)
                if key in wanted:
                    out.setdefault(key, client_id)
        return out


@contextmanager
def _big_page_cache(connection):
    """SQLite: the write is what holds the one write lock, and a page cache that keeps the client
    table's indexes in memory shortens it (1M rows: 17.7 s with the default 2 MB, 14.2 s)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{WRITE_CACHE_KB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")


def _by_name(row: tuple) -> str:
    return row[0]


def _too_wide(table: Table, number: int, texts: list[str], width: int) -> None:
    index = width + next(i for i, t in enumerate(texts[width:]) if t)
    raise BadInput(_("{where}: the row has more cells than the header ({width} columns, up to {last}); give the extra "
                     "column a header or clear it").format(
        where=table.where(number, _letter(index)), width=width, last=_letter(width - 1)))


def _control_reason(texts: list[str], headers: dict[int, str]) -> str:
    index = next(i for i, t in enumerate(texts) if dangerous(t))
    char = next(ch for ch in texts[index] if dangerous(ch))
    return _("column {column} holds a control character ({char}); fix the cell").format(
        column=headers.get(index, _letter(index)), char=describe(char))


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
