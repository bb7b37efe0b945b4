"""`yoolla import …`: load a call list from a spreadsheet; list, show and undo imports.

`yoolla import FILE` runs the import: the group's first word is a file unless it is one of its
commands.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer

from yoolla_tui.cli._lazy import module

importing = module("yoolla_tui.core.calls.importing")
db = module("yoolla_tui.core.kernel.db")
from yoolla_tui.core.kernel.i18n import _

from yoolla_tui.cli import context
from yoolla_tui.cli.output import AllOpt, FormatOpt, Fmt, LimitOpt, console, done, err_console, render, render_listing, render_one


class DefaultRunGroup(typer.core.TyperGroup):
    """A group whose first word may be a file: `yoolla import list.xlsx` runs the import.

    The import itself is the group's default command, kept out of the command list (it has no
    name of its own to type); `list`, `show` and `undo` are the commands.
    """

    default_name = "run"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_command = self.commands.pop(self.default_name, None)
        if self.default_command is not None:
            base = self.default_command.context_class

            class Unnamed(base):
                @property
                def command_path(self) -> str:
                    return super().command_path.rstrip()

            self.default_command.context_class = Unnamed

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_name, *args]
        return super().parse_args(ctx, args)

    def get_command(self, ctx, cmd_name: str):
        if cmd_name == self.default_name:
            return self.default_command
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        if command is self.default_command:
            # Usage and errors read `yoolla import [OPTIONS] FILE`, as people type it.
            name = ""
        return name, command, rest

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)


HELP = """Import a call list from the spreadsheet you have, or manage past imports.

[bold]yoolla import FILE [OPTIONS][/bold] imports FILE; [bold]yoolla import FILE --help[/bold] lists every option.

Examples:

  yoolla import clients.xlsx --dry-run      [dim]# mapping, first rows, counts; no change[/dim]

  yoolla import clients.xlsx --campaign "Seminar 2026-W48" --assign balanced

  yoolla import export_1c.csv --map "Тел. моб=phone" --map "Юр. лицо=name" --update

  yoolla import week47.xlsx --sheets-as-managers --campaign "Seminar 2026-W47"

  yoolla import list

  yoolla import undo 3
"""

app = typer.Typer(cls=DefaultRunGroup, help=HELP, no_args_is_help=True, rich_markup_mode="rich")

BatchArg = Annotated[str, typer.Argument(metavar="BATCH", help="Import batch number (see `yoolla import list`).")]
BATCH_COLUMNS = ["batch", "created_at", "actor", "file", "campaign", "read", "inserted", "updated", "duplicates",
                 "rejected", "added_to_campaign", "undone_at"]


@app.command("run")
def run(
    file: Annotated[Path, typer.Argument(metavar="FILE", help=".xlsx .xlsm .xls .xlsb .ods .csv .txt", show_default=False)],
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Sheet to read (default: the first with data).")] = None,
    header_row: Annotated[Optional[int], typer.Option("--header-row", metavar="N",
                                                      help="Row number of the header (default: found in the first 20 rows).")] = None,
    maps: Annotated[Optional[list[str]], typer.Option("--map", metavar="'HEADER=FIELD'",
                                                      help="Override a column: header text or letter = name, contact_person, "
                                                           "last_name, first_name, middle_name, phone, email, city, note, "
                                                           "do_not_call, extra (keep as extra attribute) or skip. "
                                                           "Repeatable.")] = None,
    encoding: Annotated[Optional[str], typer.Option("--encoding", help="Text encoding of a .csv/.txt (default: detected; "
                                                                       "cp1251, utf-8, utf-16).")] = None,
    delimiter: Annotated[Optional[str], typer.Option("--delimiter", help="Delimiter of a .csv/.txt (default: sniffed among "
                                                                         "; , tab |). Write tab as 'tab'.")] = None,
    region: Annotated[str, typer.Option("--region", help="Country for phones written without +code: auto (decided "
                                                         "from the file's numbers), or RU, US, KZ…")] = "auto",
    campaign: Annotated[Optional[str], typer.Option("--campaign", "-c", help="Put the clients on this campaign "
                                                                            "(do-not-call clients never are).")] = None,
    manager: Annotated[Optional[str], typer.Option("--manager", help="Give them all to this manager (login).")] = None,
    assign: Annotated[Optional[str], typer.Option("--assign", metavar="balanced|round-robin",
                                                  help="Spread the campaign's unassigned deals over managers.")] = None,
    managers: Annotated[Optional[str], typer.Option("--managers", metavar="LOGINS",
                                                    help="Who --assign spreads over, comma-separated (default: every "
                                                         "active manager).")] = None,
    update: Annotated[bool, typer.Option("--update", help="Fill empty fields of clients already in the base from the file.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the mapping, the first rows as stored and the counts; "
                                                            "change nothing.")] = False,
    sheets_as_managers: Annotated[bool, typer.Option("--sheets-as-managers",
                                                     help="Migrate last week's workbook: each sheet is a manager's list "
                                                          "(matched by login or full name); status words become deal "
                                                          "statuses. Needs --campaign. A 'Итоги'/'Totals' sheet is skipped.")] = False,
    skip_sheets: Annotated[Optional[list[str]], typer.Option("--skip-sheet", metavar="NAME",
                                                             help="With --sheets-as-managers: a sheet to leave out. "
                                                                  "Repeatable.")] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Import clients from FILE: `yoolla import FILE [OPTIONS]`.

    Headers are recognised in Russian or English, under title lines; name parts (Фамилия, Имя,
    Отчество; First name, Last name) join into the contact person, and a person with no
    organisation is imported under their own name; a do-not-call column (DNC, "Не звонить":
    yes/no, да/нет, 1/0) marks clients do-not-call. Phones are normalised for the region the
    numbers show (--region auto) or the one you give; duplicates are skipped (within the file and
    against the base); every rejected row goes to FILE.rejected.csv with its reason (in the current
    directory when FILE's folder is read-only). The file is read and every row checked first,
    holding no lock (operators keep logging calls); then one short transaction writes it all: an
    error or Ctrl-C leaves the database as it was. Exits 2 when every row was rejected, after
    writing the rejected rows.

    Examples:

      yoolla import clients.xlsx --dry-run

      yoolla import clients.csv --campaign "Seminar 2026-W48" --manager anna

      yoolla import clients.xlsx --sheet "Москва" --header-row 3 --map "Тел.=phone"

      yoolla import customers.csv --region US

    With --format json it prints one object: read, inserted, updated, duplicates, rejected,
    added_to_campaign, batch (and duplicates_within_file, duplicates_in_base, blank,
    skipped_do_not_call, do_not_call, region, region_auto, hint, rejected_file, sheets with their
    mapping).
    """
    team = [m.strip() for m in managers.split(",") if m.strip()] if managers else None
    # Who may import, then the file read and checked in a memory-limited child: no transaction is
    # open meanwhile, so operators keep logging calls.
    with context.reading_as() as (session, actor):
        importing.require_importer(actor)
        actor_id = actor.id
    importing.check_flags(header_row=header_row, campaign=campaign, manager=manager, assign=assign, managers=team,
                          sheets_as_managers=sheets_as_managers, region=region)
    engine = context.open_engine()
    options = dict(path=file, sheet=sheet, header_row=header_row, maps=maps, region=region, campaign=campaign,
                   manager=manager, assign=assign, managers=team, update=update, sheets_as_managers=sheets_as_managers,
                   skip_sheets=skip_sheets)
    if dry_run and db.is_sqlite(engine):
        # A dry run on SQLite works in a private in-memory copy taken from a read snapshot: it
        # changes nothing and never holds the write lock, however long the file takes.
        from yoolla_tui.core.kernel.models import User

        with importing.read_book(file, encoding=encoding, delimiter=delimiter) as book, \
                db.scratch_copy(engine) as scratch, _progress(fmt) as (tick, total):
            result = importing.run_import(session=scratch, actor=scratch.get(User, actor_id), encoding=encoding,
                                          delimiter=delimiter, dry_run=True, progress=tick, on_total=total, book=book,
                                          **options)
    else:
        # The options and sheets checked in a read snapshot, every row checked with no database
        # at all, then one short write: only matching against the base and the inserts hold the
        # write lock (on SQLite, the one lock every operator's call log needs).
        with importing.read_book(file, encoding=encoding, delimiter=delimiter) as book:
            with context.reading_as() as (session, actor):
                job = importing.plan_import(session=session, actor=actor, book=book, **options)
            try:
                with _progress(fmt) as (tick, total):
                    importing.read_rows(job, progress=tick, on_total=total)
                with context.acting() as (session, actor):
                    result = importing.write_import(session=session, actor=actor, job=job, dry_run=dry_run)
            finally:
                job.close()
    _show_result(result, fmt)
    if result["read"] and result["rejected"] == result["read"]:
        # Cron must notice: nothing came of the file. The batch and its rejected rows are kept.
        err_console.print(_("Error: all {n} rows were rejected; nothing was imported.").format(n=result["read"])
                          + (" " + result["hint"] if result.get("hint") else ""), highlight=False, soft_wrap=True)
        raise typer.Exit(2)


@contextmanager
def _progress(fmt: Fmt) -> Iterator[tuple]:
    """A rich progress bar (rows, rows/s, ETA) on stderr when it is a terminal; nothing on a pipe."""
    if not sys.stderr.isatty():
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class RowsPerSecond(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:,.0f} rows/s" if task.speed else "", style="progress.data.speed")

    bar = Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   RowsPerSecond(), TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    task = bar.add_task(_("importing"), total=None)
    with bar:
        yield (lambda n: bar.advance(task, n)), (lambda n: bar.update(task, total=(bar.tasks[0].total or 0) + n))


def _show_result(result: dict, fmt: Fmt) -> None:
    if fmt == Fmt.json:
        render_one(result, fmt)
        return
    if fmt == Fmt.csv:
        render_one(result, fmt, [*importing.RESULT_KEYS, "duplicates_within_file", "duplicates_in_base", "blank",
                                 "skipped_do_not_call", "do_not_call", "region", "hint", "rejected_file"])
        return
    if result.get("region"):
        console.print((_("Phones read for region {region} (decided from the numbers; --region XX to force it)")
                       if result.get("region_auto") else _("Phones read for region {region}")).format(
            region=result["region"]), highlight=False)
    for sheet in result["sheets"]:
        where = f"{_('sheet')} {sheet['sheet']!r}, " if sheet["sheet"] is not None else ""
        extra = []
        if sheet.get("encoding"):
            extra.append(_("encoding {encoding}, delimiter {delimiter!r}").format(
                encoding=sheet["encoding"], delimiter=sheet["delimiter"]))
        if sheet.get("manager"):
            extra.append(_("manager {login}").format(login=sheet["manager"]))
        console.print(_("{where}header on row {row}{more}").format(
            where=where, row=sheet["header_row"], more=("; " + "; ".join(extra)) if extra else ""), highlight=False)
        render(sheet["mapping"], fmt, ["column", "header", "field"], title=_("Columns"))
    if result["dry_run"]:
        render(result.get("preview") or [], fmt, ["row", "name", "contact_person", "phone", "phone_ext", "email", "city",
                                                  "note", "extra"], title=_("First rows as they would be stored"),
               empty=_("No new clients in the file."))
    render([
        {"": _("rows read"), "n": result["read"]},
        {"": _("inserted"), "n": result["inserted"]},
        {"": _("updated"), "n": result["updated"]},
        {"": _("duplicates within the file"), "n": result["duplicates_within_file"]},
        {"": _("duplicates already in the base"), "n": result["duplicates_in_base"]},
        {"": _("rejected"), "n": result["rejected"]},
        {"": _("marked do-not-call"), "n": result["do_not_call"]},
        {"": _("added to the campaign"), "n": result["added_to_campaign"]},
        {"": _("skipped: do-not-call"), "n": result["skipped_do_not_call"]},
        {"": _("blank rows"), "n": result["blank"]},
    ], fmt, ["", "n"], title=result.get("campaign") or None)
    statuses = result.get("statuses") or {}
    for kind, label in (("current", _("current value")), ("status", _("status")), ("quality", _("quality"))):
        if statuses.get(kind):
            console.print(_("Carried over ({what}): {counts}").format(
                what=label, counts=", ".join(f"{code} {n}" for code, n in statuses[kind].items())), highlight=False)
    if statuses.get("unknown_words"):
        console.print(_("Words the shipped status words (yoolla_tui/data/status_words.json) do not know, left as they were: {words}").format(
            words=", ".join(f"{word!r} ×{n}" for word, n in statuses["unknown_words"].items())), highlight=False)
    if result.get("hint"):
        console.print(result["hint"], highlight=False, soft_wrap=True)
    if result["dry_run"]:
        done(_("Dry run: nothing was changed."))
        return
    if result["rejected_file"]:
        done(_("Rejected rows with their reasons: {file}").format(file=result["rejected_file"]))
    done(_("Import batch {batch} done; `yoolla import undo {batch}` takes it back while nothing has happened to it.").format(
        batch=result["batch"]))


@app.command("list")
def list_(
    limit: LimitOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """Past imports, newest first: who, when, which file, and what came of it.

    Example: yoolla import list --limit 5
    """
    with context.reading_as() as (session, actor):
        render_listing(importing.batch_listing(session=session, actor=actor), fmt, BATCH_COLUMNS, limit=limit,
                       all_=all_, empty=_("No imports yet: yoolla import FILE"))


@app.command("show")
def show(
    batch: BatchArg,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """One import: its counts, its column mapping, and every rejected row with its reason.

    --format csv streams every rejected row; a table shows the first 200 (--limit N, --all).

    Example: yoolla import show 3 --format csv > rejected.csv
    """
    columns = ["sheet", "row", "reason", "cells"]
    with context.reading_as() as (session, actor):
        if fmt == Fmt.csv:
            render_listing(importing.rejected_listing(session=session, actor=actor, ref=batch), fmt, columns,
                           limit=limit, all_=all_)
            return
        card = importing.show_batch(session=session, actor=actor, ref=batch, limit=(None if all_ else limit) if fmt == Fmt.json else 0)
        if fmt == Fmt.json:
            render_one(card, fmt)
            return
        render_one(card, fmt, [*BATCH_COLUMNS, "duplicates_within_file", "duplicates_in_base", "blank", "skipped_do_not_call",
                               "rejected_file"])
        console.print()
        render_listing(importing.rejected_listing(session=session, actor=actor, ref=batch), fmt, columns, limit=limit,
                       all_=all_, title=_("Rejected rows"), empty=_("No rejected rows."))


@app.command("undo")
def undo(batch: BatchArg, fmt: FormatOpt = Fmt.table) -> None:
    """Take an import back, if nothing has happened to what it created.

    Removes the clients and deals the import created and restores what --update filled. Refused,
    with the list of what blocks it, once calls, stage moves or other changes touched them.

    Example: yoolla import undo 3
    """
    with context.acting() as (session, actor):
        result = importing.undo_batch(session=session, actor=actor, ref=batch)
    if fmt == Fmt.json:
        render_one(result, fmt)
    else:
        done(_("Import {batch} undone: {clients} client(s) and {deals} deal(s) removed, {restored} client(s) restored.").format(
            batch=result["batch"], clients=result["clients_removed"], deals=result["deals_removed"],
            restored=result["clients_restored"]))
