"""`yoolla import`: a file in, every row accounted for, one short write transaction, undoable.

An import runs in passes, so that neither a big file nor a hostile one holds the database:
isolate.read_book reads the file in a memory-limited child; plan_import checks the options and
picks the sheets (a read snapshot); read_rows finds the header under any title lines, maps
columns to client fields, normalises phones and dedupes within the file (no database at all);
write_import, in one transaction, dedupes against the base as it is then, inserts the new
clients in bulk, optionally fills empty fields of existing ones (--update), puts the clients on a
campaign (skipping do-not-call ones) and assigns them, and records the batch with its rejected
rows. An error or an interrupt at any point leaves the database as it was. run_import runs the
passes in one session.
"""

from __future__ import annotations

import csv
import gc
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import bindparam, delete, func, select, update as sql_update
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, files, phones, refs
from yoolla_tui.core.calls import campaigns, clients
from yoolla_tui.core.people import users
from yoolla_tui.core.kernel.errors import BadInput, Conflict, NotFound, PermissionDenied
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.listing import Listing
from yoolla_tui.core.kernel.text import spreadsheet_safe
from yoolla_tui.core.kernel.models import AuditRecord, Call, Campaign, CampaignStatus, Client, Deal, ImportBatch, ImportRejectedRow, ImportUpdate, Payment, Role, User
from yoolla_tui.core.kernel.permissions import require_campaign_admin, supervised_ids
from yoolla_tui.core.calls.importing import workbook
from yoolla_tui.core.calls.importing.headers import FIELDS, HEADER_SEARCH_ROWS, Column, build_columns, find_header, fold, header_texts, parse_maps
from yoolla_tui.core.calls.importing.isolate import SpooledBook, read_book
from yoolla_tui.core.calls.importing.readers import Book, Table, column_letter
from yoolla_tui.core.calls.importing.rows import Loader

ASSIGN_STRATEGIES = ("balanced", "round-robin")
RESULT_KEYS = ("read", "inserted", "updated", "duplicates", "rejected", "added_to_campaign", "batch")


def rejected_path(path: Path) -> Path:
    """Where the rejected rows of `path` are written: `list.xlsx` -> `list.rejected.csv` next to it, or
    in the current directory when the input's folder is not writable."""
    target = path.with_name(f"{path.stem}.rejected.csv")
    if os.access(target.parent, os.W_OK) and (not target.exists() or os.access(target, os.W_OK)):
        return target
    return Path.cwd() / target.name


@dataclass
class ImportJob:
    """One import between its passes: the options as given, the sheets to read (each with the
    id of the manager it belongs to), and after `read_rows` the loader holding the checked rows."""

    path: Path
    options: dict
    overrides: dict[str, str]
    allowed: tuple[str, ...]
    plan: list[tuple[Table, int | None]]
    dialect: object = None  # the database's, so that the row pass prepares rows as its driver takes them
    loader: Loader | None = None
    sheets: list[dict] = field(default_factory=list)
    headers_by_sheet: dict = field(default_factory=dict)
    accepted: list[list] = field(default_factory=list)  # per sheet, with --sheets-as-managers

    def close(self) -> None:
        if self.loader is not None:
            self.loader.close()


def run_import(*, session: Session, actor: User, path: str | Path, sheet: str | None = None,
               header_row: int | None = None, maps: list[str] | None = None, encoding: str | None = None,
               delimiter: str | None = None, region: str = phones.AUTO, campaign: str | None = None,
               manager: str | None = None, assign: str | None = None, managers: list[str] | None = None,
               update: bool = False, dry_run: bool = False, sheets_as_managers: bool = False,
               skip_sheets: list[str] | None = None, write_rejected: bool = True,
               progress: Callable[[int], None] | None = None, on_total: Callable[[int], None] | None = None,
               preview: int = 5, book: SpooledBook | None = None) -> dict:
    """Import a client list; returns the result (keys RESULT_KEYS and more, see `yoolla import --help`).

    Raises BadInput for anything wrong with the file or the options (naming file, sheet, row,
    column), NotFound for an unknown campaign, manager or sheet owner, Conflict for a closed
    campaign, PermissionDenied unless the actor is an admin or supervisor. `dry_run` computes
    everything and rolls it back. Progress is reported as rows done since the last call.
    `region` "auto" decides the country of national numbers from the file's first rows.

    The three passes in one session: plan_import (the options and sheets), read_rows (every row
    checked, no database) and write_import (the write). `yoolla import` runs the first in a read
    snapshot and only the last in a write transaction, so that neither reading a big or hostile
    file (isolate.read_book, pass `book`) nor checking its rows holds the database's write lock.
    """
    if book is None:
        require_importer(actor)
        check_flags(header_row=header_row, campaign=campaign, manager=manager, assign=assign, managers=managers,
                    sheets_as_managers=sheets_as_managers, region=region)
        book = read_book(path, encoding=encoding, delimiter=delimiter)
    job = None
    try:
        job = plan_import(session=session, actor=actor, path=path, book=book, sheet=sheet, header_row=header_row,
                          maps=maps, region=region, campaign=campaign, manager=manager, assign=assign,
                          managers=managers, update=update, sheets_as_managers=sheets_as_managers,
                          skip_sheets=skip_sheets)
        read_rows(job, progress=progress, on_total=on_total)
        return write_import(session=session, actor=actor, job=job, dry_run=dry_run, write_rejected=write_rejected,
                            preview=preview)
    finally:
        if job is not None:
            job.close()
        book.close()


def plan_import(*, session: Session, actor: User, path: str | Path, book: Book, sheet: str | None = None,
                header_row: int | None = None, maps: list[str] | None = None, region: str = phones.AUTO,
                campaign: str | None = None, manager: str | None = None, assign: str | None = None,
                managers: list[str] | None = None, update: bool = False, sheets_as_managers: bool = False,
                skip_sheets: list[str] | None = None) -> ImportJob:
    """The first pass, reading only: who may import, the options checked against the database
    (campaign open, managers known) and the sheets to read with their owners."""
    require_importer(actor)
    path = Path(path)
    allowed = FIELDS + (workbook.STATUS_FIELDS if sheets_as_managers else ())
    overrides = parse_maps(maps, allowed)
    options = {"header_row": header_row, "region": region, "campaign": campaign, "manager": manager, "assign": assign,
               "managers": managers, "update": update, "sheets_as_managers": sheets_as_managers}
    check_flags(header_row=header_row, campaign=campaign, manager=manager, assign=assign, managers=managers,
                sheets_as_managers=sheets_as_managers, region=region)
    _, owner, _team = _check_options(session, **_resolvable(options))
    if sheets_as_managers:
        sheets = workbook.plan_sheets(session, book, skip_sheets or [])
        _require_own_team(session, actor, sheets)
        plan = [(table, user.id) for table, user in sheets]
    else:
        plan = [(_pick_table(book, sheet), owner.id if owner else None)]
    return ImportJob(path=path, options=options, overrides=overrides, allowed=allowed, plan=plan,
                     dialect=session.get_bind().dialect)


def read_rows(job: ImportJob, *, progress: Callable[[int], None] | None = None,
              on_total: Callable[[int], None] | None = None) -> ImportJob:
    """The second pass, with no database at all: each sheet's header found and mapped, every row
    read, checked, normalised and deduplicated within the file. BadInput names the place."""
    sheets_as_managers = job.options["sheets_as_managers"]
    loader = job.loader = Loader(region=job.options["region"], update=job.options["update"], progress=progress,
                                 dnc_reason=_("do-not-call in {file}").format(file=job.path.name), dialect=job.dialect)
    # A bulk load allocates millions of objects the cycle collector need not chase (they hold no
    # cycles); pausing it cuts ~10% off a 1M-row import. It is restored however the pass ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for table, _owner in job.plan:
            if on_total is not None and table.total is not None:
                on_total(table.total)
            before = loader.counts.read
            rows, columns, header_number = _prepare(table, job.options["header_row"], job.overrides, job.allowed,
                                                    workbook.column_words() if sheets_as_managers else None)
            job.headers_by_sheet[table.sheet] = [c.header for c in columns]
            accepted = loader.feed(table, rows, columns, status_fields=workbook.STATUS_FIELDS if sheets_as_managers else (),
                                   collect=sheets_as_managers)
            read = loader.counts.read - before
            if read == 0 and not sheets_as_managers:
                raise BadInput(_("{where}: the header is on row {row} but no rows follow it").format(
                    where=table.where(), row=header_number))
            job.accepted.append(accepted)
            job.sheets.append({"sheet": table.sheet, "header_row": header_number, "rows": read, "manager": None,
                               "encoding": table.encoding, "delimiter": table.delimiter,
                               "mapping": [{"column": c.letter, "header": c.header,
                                            "field": "skip" if c.skip else (c.field or "extra")} for c in columns]})
    finally:
        if collecting:
            gc.enable()
    return job


def write_import(*, session: Session, actor: User, job: ImportJob, dry_run: bool = False, write_rejected: bool = True,
                 preview: int = 5) -> dict:
    """The last pass, in the caller's write transaction and short: the options checked again (a
    campaign closed meanwhile is refused), the checked rows matched against the base as it is now,
    the new clients inserted, the campaign filled, the batch and its audit record written.
    `dry_run` rolls all of it back (a savepoint)."""
    require_importer(actor)
    options, loader, path = job.options, job.loader, job.path
    target, owner, team = _check_options(session, **_resolvable(options))
    sheets_as_managers, assign = options["sheets_as_managers"], options["assign"]
    owners = [session.get(User, owner_id) if owner_id is not None else None for _table, owner_id in job.plan]
    if sheets_as_managers:
        _require_own_team(session, actor, [(table, user) for (table, _id), user in zip(job.plan, owners)])
    collecting = gc.isenabled()
    gc.disable()
    try:
        nested = session.begin_nested() if dry_run else None
        batch = ImportBatch(source=str(path.resolve())[-500:], actor_id=actor.id, campaign_id=target.id if target else None,
                            created_at=clock.now(), stats={})
        session.add(batch)
        session.flush()
        loader.write(session, batch_id=batch.id, actor_id=actor.id, preview=preview if dry_run else 0)
        added = skipped_dnc = 0
        migration: dict = {}
        sheets = [{**info, "manager": user.login if user else None} for info, user in zip(job.sheets, owners)]
        if sheets_as_managers:
            for accepted, sheet_owner in zip(job.accepted, owners):
                ids = loader.ids_for(session, batch.id, [a.key for a in accepted if not a.duplicate])
                result = campaigns.add_clients(session=session, actor=actor, ref=str(target.id), manager=sheet_owner.login,
                                               client_ids=list(dict.fromkeys(ids.values())), batch_id=batch.id)
                added += result["added"]
                skipped_dnc += result["skipped_do_not_call"]
                workbook.apply_statuses(session, actor, target, sheet_owner, accepted, ids, batch.id, migration)
        for client_id in loader.dnc_existing:  # the file says so for clients already in the base
            clients.blacklist(session=session, actor=actor, client=session.get(Client, client_id), reason=loader.dnc_reason)
        if target is not None and not sheets_as_managers:
            ids = list(loader.matched.values()) + list(session.scalars(select(Client.id).where(Client.import_batch_id == batch.id)))
            result = campaigns.add_clients(session=session, actor=actor, ref=str(target.id), client_ids=ids,
                                           batch_id=batch.id, manager=owner.login if owner else None)
            added, skipped_dnc = result["added"], result["skipped_do_not_call"]
            if assign:
                campaigns.assign(session=session, actor=actor, ref=str(target.id), managers=[u.login for u in team],
                                 strategy=assign)
        updated = _apply_updates(session, loader, batch.id) if options["update"] else 0
        counts = loader.counts
        region = options["region"]
        out = {"read": counts.read, "inserted": counts.inserted, "updated": updated,
               "duplicates": counts.duplicates_within_file + counts.duplicates_in_base, "rejected": counts.rejected,
               "added_to_campaign": added, "batch": batch.id,
               "duplicates_within_file": counts.duplicates_within_file, "duplicates_in_base": counts.duplicates_in_base,
               "blank": counts.blank, "skipped_do_not_call": skipped_dnc, "campaign": target.name if target else None,
               "file": str(path), "dry_run": dry_run, "rejected_file": None, "sheets": sheets,
               "do_not_call": counts.do_not_call, "region": loader.region if loader.region != phones.AUTO else None,
               "region_auto": region.upper() == phones.AUTO, "hint": _hint(loader)}
        if migration:
            out["statuses"] = migration
        if dry_run:
            out["preview"] = loader.preview_rows
            out["batch"] = None
            nested.rollback()
            return out
        if write_rejected:
            out["rejected_file"] = _write_rejected(path, loader.rejects, job.headers_by_sheet, multi=len(job.plan) > 1)
        batch.stats = {k: v for k, v in out.items() if k not in ("batch", "dry_run")}
        audit.record(session, actor, "import.run", "import_batch", batch.id,
                     **{k: out[k] for k in RESULT_KEYS if k != "batch"}, file=path.name, campaign=out["campaign"])
        session.flush()
        return out
    finally:
        if collecting:
            gc.enable()


def _resolvable(options: dict) -> dict:
    return {k: options[k] for k in ("header_row", "campaign", "manager", "assign", "managers", "sheets_as_managers")}


# ---- options and sheets --------------------------------------------------------------------

def _require_own_team(session: Session, actor: User, plan) -> None:
    """A supervisor writes only their own team's sheets (their managers and themself)."""
    if actor.role != Role.supervisor:
        return
    team = set(supervised_ids(session, actor)) | {actor.id}
    for table, owner in plan:
        if owner is not None and owner.id not in team:
            raise PermissionDenied(_("{login} (supervisor) may not import sheet {sheet!r}: {owner} is outside their team").format(
                login=actor.login, sheet=table.sheet, owner=owner.login))


def require_importer(actor: User) -> None:
    """PermissionDenied unless the actor may import client lists (admins and supervisors)."""
    require_campaign_admin(actor, action=_("import client lists"))


def check_flags(*, header_row, campaign, manager, assign, managers, sheets_as_managers, region) -> None:
    """The options' own consistency, without the database; BadInput naming the option."""
    if header_row is not None and header_row < 1:
        raise BadInput(_("--header-row {n}: rows are numbered from 1").format(n=header_row))
    if (manager or assign) and not campaign:
        raise BadInput(_("--manager and --assign put clients on a campaign: add --campaign NAME"))
    if manager and assign:
        raise BadInput(_("give either --manager (all to one) or --assign (spread over several), not both"))
    if assign and assign not in ASSIGN_STRATEGIES:
        raise BadInput(_("--assign {value!r}: expected one of {known}").format(value=assign, known=", ".join(ASSIGN_STRATEGIES)))
    if managers and not assign:
        raise BadInput(_("--managers names who --assign spreads the clients over: add --assign balanced"))
    if sheets_as_managers:
        if not campaign:
            raise BadInput(_("--sheets-as-managers makes the workbook a campaign: add --campaign NAME "
                             "(create it first with `yoolla campaign create NAME --week 2026-W48`)"))
        if manager or assign:
            raise BadInput(_("with --sheets-as-managers each sheet names its manager; drop --manager / --assign"))
    _check_region(region)


def _check_options(session: Session, *, header_row, campaign, manager, assign, managers, sheets_as_managers):
    target = None
    if campaign:
        target = campaigns.resolve(session, campaign)
        if target.status != CampaignStatus.open:
            raise Conflict(_("campaign {name!r} is closed; roll it over or create a new one").format(name=target.name))
    owner = users.managers_by_logins(session, [manager])[0] if manager else None
    team: list[User] = []
    if assign:
        if managers:
            team = users.managers_by_logins(session, managers)
        else:
            team = list(session.scalars(select(User).where(User.role == Role.manager, User.active).order_by(User.login)))
            if not team:
                raise BadInput(_("--assign needs managers: there are no active managers (add some with `yoolla user add`) "
                                 "or name them with --managers"))
    return target, owner, team


def _check_region(region: str) -> None:
    import phonenumbers

    if region.upper() != phones.AUTO and region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise BadInput(_("--region {region!r} is not a country code phonenumbers knows (auto, RU, KZ, BY, US…)").format(
            region=region))


def _hint(loader: Loader) -> str | None:
    """One line with the fix when most rejected rows share one cause; None otherwise."""
    rejected, read = loader.counts.rejected, loader.counts.read
    if not loader.causes:
        return None
    cause, n = max(loader.causes.items(), key=lambda item: item[1])
    if n * 2 <= rejected:
        return None
    if cause[0] == "region":
        return _("{n} of {total} phones are not valid for {region}; they look like {other} numbers: --region {other}").format(
            n=n, total=read, region=loader.region, other=cause[1])
    if cause[0] == "phone":
        return _("{n} of {total} phones are not valid for {region}: check the phone column, or name the country with "
                 "--region XX").format(n=n, total=read, region=loader.region)
    if cause[0] == "no_name":
        return _("{n} of {total} rows have no organisation name nor contact person: map the column that holds it, "
                 "e.g. --map \"Header=name\" or --map \"Header=last_name\"").format(n=n, total=read)
    if cause[0] == "no_phone":
        return _("{n} of {total} rows have no phone: map the column that holds it with --map \"Header=phone\"").format(
            n=n, total=read)
    if cause[0] == "dnc":
        return _("{n} of {total} rows have a do-not-call value that is not yes or no: fix that column, or leave it out "
                 "with --map \"Header=skip\"").format(n=n, total=read)
    return None


def _pick_table(book: Book, sheet: str | None) -> Table:
    """The sheet asked for (by name, case and ё/е aside), else the first one that has data."""
    if book.kind == "text":
        if sheet is not None:
            raise BadInput(_("{file} is a text table with no sheets; drop --sheet").format(file=book.name))
        return book.table(None)
    if sheet is not None:
        name = next((n for n in book.sheet_names if n == sheet), None) or \
            next((n for n in book.sheet_names if fold(n) == fold(sheet)), None)
        if name is None:
            raise NotFound(_("{file} has no sheet {sheet!r}; its sheets: {known}").format(
                file=book.name, sheet=sheet, known=", ".join(repr(n) for n in book.sheet_names) or _("none")))
        return book.table(name)
    for name in book.sheet_names:
        table = book.table(name)
        head = _peek(table)
        if any(any(cells) for _n, cells in head):
            table.rows = _chain(head, table.rows)
            return table
    raise BadInput(_("{file} has no data: every sheet is empty").format(file=book.name))


def _peek(table: Table, count: int = HEADER_SEARCH_ROWS) -> list[tuple[int, list]]:
    head = []
    for item in table.rows:
        head.append(item)
        if len(head) >= count:
            break
    return head


def _chain(head: list, rest: Iterator) -> Iterator:
    yield from head
    yield from rest


def _prepare(table: Table, header_row: int | None, overrides: dict[str, str], allowed: tuple[str, ...],
             extra_words: dict | None) -> tuple[Iterator, list[Column], int]:
    """Find the header row and map its columns; returns the data rows below it, the columns and the header's number."""
    want = max(HEADER_SEARCH_ROWS, header_row or 0)
    head = _peek(table, want)
    if len(head) < want and not any(any(_cell_present(v) for v in cells) for _n, cells in head):
        raise BadInput(_("{where} is empty").format(where=table.where()))
    if header_row is not None:
        position = next((i for i, (number, _cells) in enumerate(head) if number == header_row), None)
        if position is None:
            raise BadInput(_("{where}: --header-row {row} is past the last row ({last})").format(
                where=table.where(), row=header_row, last=head[-1][0] if head else 0))
    else:
        position = find_header(head, extra_words)
        if position is None:
            first = next(((n, cells) for n, cells in head if sum(1 for v in cells if _cell_present(v)) >= 1), None)
            seen = _describe_row(first[1]) if first else _("nothing")
            raise BadInput(_("{where}: no header naming a phone column in the first {n} rows (row {row} reads: {seen}); "
                             "say which row is the header with --header-row N and map columns with --map \"Header=phone\"").format(
                where=table.where(), n=HEADER_SEARCH_ROWS, row=first[0] if first else 1, seen=seen))
    number, cells = head[position]
    headers = header_texts(cells)
    while headers and not headers[-1]:
        headers.pop()
    _check_merged_header(table, number, headers)
    columns = build_columns(headers, overrides, allowed=allowed, extra=extra_words, where=table.where(number))
    if not any(c.field == "phone" for c in columns):
        raise BadInput(_("{where}: no phone column; headers seen: {seen}; name it with --map \"Header=phone\"").format(
            where=table.where(number), seen=", ".join(c.describe() for c in columns if c.header) or _("none")))
    return _chain(head[position + 1:], table.rows), columns, number


def _cell_present(value) -> bool:
    return value is not None and value != "" and not (isinstance(value, str) and not value.strip())


def _describe_row(cells: list) -> str:
    shown = [f"{column_letter(i)}={str(v).strip()[:40]!r}" for i, v in enumerate(cells) if _cell_present(v)]
    return ", ".join(shown[:8]) + (", …" if len(shown) > 8 else "")


def _check_merged_header(table: Table, number: int, headers: list[str]) -> None:
    for (r0, c0), (r1, c1) in table.merged or []:
        if r0 <= number - 1 <= r1 and c1 > c0 and c0 < max(len(headers), 1):
            text = headers[c0] if c0 < len(headers) else ""
            raise BadInput(_("{where}: header cells {first}{row}:{last}{row} are merged ({text!r}); unmerge them so each "
                             "column has its own header, or point --header-row at the row that names the columns").format(
                where=table.where(number), first=column_letter(c0), last=column_letter(c1), row=number, text=text))


# ---- --update ------------------------------------------------------------------------------

_UPDATABLE = ("contact_person", "email", "city", "note")


def _apply_updates(session: Session, loader: Loader, batch_id: int) -> int:
    """Fill empty fields (and missing extra attributes) of existing clients from the file."""
    wanted = loader.updates
    if not wanted:
        return 0
    now = clock.now()
    changes, befores = [], []
    ids = list(wanted)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for row in session.execute(select(Client.id, Client.contact_person, Client.email, Client.city, Client.note,
                                          Client.extra).where(Client.id.in_(chunk))):
            client_id, *current, extra = row
            given = wanted[client_id]
            values = dict(zip(_UPDATABLE, current))
            before = {}
            for name in _UPDATABLE:
                if not values[name] and given.get(name):
                    before[name] = values[name]
                    values[name] = given[name]
            new_extra = dict(extra or {})
            added = {k: v for k, v in given["extra"].items() if k not in new_extra}
            if added:
                before["extra"] = extra or {}
                new_extra.update(added)
            if before:
                changes.append({"b_id": client_id, **{f"b_{k}": v for k, v in values.items()}, "b_extra": new_extra,
                                "b_updated_at": now})
                befores.append({"batch_id": batch_id, "client_id": client_id, "before": before})
    if changes:
        stmt = (sql_update(Client).where(Client.id == bindparam("b_id"))
                .values(**{k: bindparam(f"b_{k}") for k in _UPDATABLE}, extra=bindparam("b_extra"),
                        updated_at=bindparam("b_updated_at")))
        session.connection().execute(stmt, changes)
        session.execute(ImportUpdate.__table__.insert(), befores)
    return len(changes)


# ---- rejected rows -------------------------------------------------------------------------

def _write_rejected(path: Path, rejects: list, headers_by_sheet: dict, *, multi: bool) -> str | None:
    """Rejected rows next to the input, as Excel opens it (UTF-8 with BOM, `;`); none: remove a stale file."""
    target = rejected_path(path)
    if not rejects:
        if target.exists():
            target.unlink()
        return None
    first_headers = headers_by_sheet.get(rejects[0][0], [])
    head = ([_("sheet")] if multi else []) + [_("row")] + [h or column_letter(i) for i, h in enumerate(first_headers)] + [_("reason")]
    try:
        with files.atomic(target) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:  # whole, the user's umask
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(head)
            for sheet, number, texts, reason in rejects:
                width = len(headers_by_sheet.get(sheet, first_headers))
                cells = [spreadsheet_safe(t) for t in (texts + [""] * width)[:width]]  # a file people open in Excel
                writer.writerow(([sheet or ""] if multi else []) + [number] + cells + [reason])
    except files.CannotWrite as exc:
        raise BadInput(_("cannot write the rejected rows to {file}: {error}; nothing was imported").format(
            file=target, error=exc.reason))
    return str(target)
