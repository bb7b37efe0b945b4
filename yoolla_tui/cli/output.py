"""One output path for every listing: table (rich), json (stable, documented), csv."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from enum import Enum
from pathlib import Path
from itertools import islice
from typing import Annotated, Any, Iterable, Optional, Sequence

import typer
from rich.console import Console
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.text import printable_line, spreadsheet_safe, visible


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="Output: table for people, json or csv for scripts.")]

LimitOpt = Annotated[Optional[int], typer.Option("--limit", min=1, max=2**63 - 1, metavar="N",
                                                 help="At most N rows (default: a page of 200 in a table, every row in "
                                                      "json/csv).")]
AllOpt = Annotated[bool, typer.Option("--all", help="Every row, in a table too.")]
PAGE = 200  # rows a table shows unless --limit N or --all

# In a pipe there is no terminal width to respect: keep rows on one line for grep and less.
console = Console(width=None if sys.stdout.isatty() else 240)
err_console = Console(stderr=True)


def render(rows: Sequence[dict], fmt: Fmt, columns: Iterable[str] | None = None, *, title: str | None = None,
           empty: str | None = None) -> None:
    """Print rows. json prints every key; table and csv print `columns` (all keys if None)."""
    if fmt == Fmt.json:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str) + "\n")
        return
    cols = list(columns) if columns else (list(rows[0].keys()) if rows else [])
    if fmt == Fmt.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(cols)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _csv_cell(row.get(c)) for c in cols])
        return
    if not rows:
        console.print(empty or _("Nothing to show."))
        return
    _table_to(console, rows, cols, title)


def render_one(obj: dict, fmt: Fmt, fields: Iterable[str] | None = None) -> None:
    """Print one object: json as an object, table/csv as field/value pairs."""
    if fmt == Fmt.json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    keys = list(fields) if fields else [k for k, v in obj.items() if not isinstance(v, (list, dict))]
    pairs = [{"field": k, "value": obj.get(k)} for k in keys]
    if fmt == Fmt.csv:
        render(pairs, fmt, ["field", "value"])
        return
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for pair in pairs:
        table.add_row(Text(pair["field"]), Text("" if pair["value"] is None else printable_line(_cell(pair["value"]))))
    console.print(table)


def _numeric(cells: list[list[str]], index: int) -> bool:
    values = [line[index] for line in cells if line[index]]
    return bool(values) and all(v.replace(".", "", 1).lstrip("-").isdigit() for v in values)


_ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d|Z)?$")


def _cell(value: Any) -> str:
    if isinstance(value, str) and _ISO_RE.match(value):
        return value[:16].replace("T", " ")  # JSON carries local time with offset; people read the short form
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _csv_cell(value: Any) -> str:
    """A CSV cell: the table's text, made inert for spreadsheets (kernel/text.py, spreadsheet_safe)."""
    text = printable_line(_cell(value))
    return text if isinstance(value, (int, float)) else spreadsheet_safe(text)


def done(message: str) -> None:
    """A confirmation line for a write; for people; scripts use --format json where offered.
    Names in it are data: printed as text, control characters shown as escapes."""
    console.print(visible(message), highlight=False, markup=False)


# ---- reports: table | md | csv | json | xlsx, to stdout or --out FILE ----------------------------

class ReportFmt(str, Enum):
    table = "table"
    md = "md"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


ReportFormatOpt = Annotated[Optional[ReportFmt], typer.Option(
    "--format", "-f", help="Output: table for people, md for mail and wikis, csv/json for scripts, xlsx (needs --out). "
                           "Default: from --out's extension (.xlsx .csv .md .json), else table.")]
OutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file instead of stdout.")]

Section = tuple[str, Sequence[dict], Sequence[str]]  # (title, rows, columns)

# ---- the one rule for --format and --out --------------------------------------------------------

FILE_FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".md": "md", ".json": "json"}  # extension -> format


def file_format(fmt: str | Enum | None, out: Path | None, *, formats: Sequence[str], default: str) -> str:
    """The format a command writes, from `--format` and `--out` (every command with --out uses this).

    - `--format` not given: the extension of `--out` names it (.xlsx, .csv, .md, .json); another
      extension, or no --out, gives the command's `default`.
    - `--format` given with an `--out` whose extension names another format: refused (BadInput,
      exit 2) before anything is read or written: rep.xlsx holds a workbook, never a text table.
    - a format the command does not write (`formats`): refused, naming the ones it does.
    """
    given = fmt.value if isinstance(fmt, Enum) else fmt
    named = FILE_FORMATS.get(out.suffix.lower()) if out is not None else None
    if given is None:
        chosen = named or default
        if chosen not in formats:
            raise BadInput(_("{file}: this command writes {formats}, not {format}: name the file {suggestion}").format(
                file=out, formats=", ".join(formats), format=chosen, suggestion=out.with_suffix(_suffix(formats[0])).name))
        return chosen
    if given not in formats:
        raise BadInput(_("--format {format}: this command writes {formats}").format(format=given, formats=", ".join(formats)))
    if named is not None and named != given:
        raise BadInput(_("--format {format} contradicts --out {file} (a .{named} name): drop --format or name the file "
                         "{suggestion}").format(format=given, file=out, named=named,
                                                suggestion=out.with_suffix(_suffix(given)).name))
    return given


def _suffix(fmt: str) -> str:
    return {"table": ".txt"}.get(fmt, f".{fmt}")


def wrote(out: Path, what: str, detail: str) -> None:
    """The line every --out prints on stderr: "Wrote rep.xlsx (weekly report, 5 sheets)"."""
    err_console.print(visible(_("Wrote {file} ({what}, {detail})").format(file=out, what=what, detail=detail)),
                      highlight=False, markup=False, soft_wrap=True)


def count_of(n: int, one: str, many: str) -> str:
    """"1 sheet" / "5 sheets": `one` and `many` are translated messages, `many` with {n}."""
    return one if n == 1 else many.format(n=n)


def report(sections: Sequence[Section], fmt: ReportFmt | None, out: Path | None, data: Any, *,
           what: str | None = None) -> None:
    """Print (or write to `out`) a report made of titled tables; json prints `data` as core gave it.

    The format: `file_format` (from --format, else --out's extension, else table). xlsx needs
    `out` (BadInput otherwise). A file is written whole or not at all (core/kernel/files.py) and
    named on stderr with `what` it holds ("weekly report")."""
    chosen = ReportFmt(file_format(fmt, out, formats=[f.value for f in ReportFmt], default=ReportFmt.table.value))
    what = what or (sections[0][0] if sections else _("report"))
    from yoolla_tui.core.kernel import files

    if chosen == ReportFmt.xlsx:
        if out is None:
            raise BadInput(_("--format xlsx writes a file: add --out FILE.xlsx"))
        from yoolla_tui.core.reports.workbook import write_tables

        sheets = write_tables(out, [(title, [[_plain(r.get(c)) for c in cols] for r in rows], list(cols))
                                    for title, rows, cols in sections])
        wrote(out, what, count_of(len(sheets), _("1 sheet"), _("{n} sheets")))
        return
    buffer = io.StringIO()
    if chosen == ReportFmt.json:
        buffer.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    elif chosen == ReportFmt.csv:
        writer = csv.writer(buffer, lineterminator="\n")
        for index, (title, rows, cols) in enumerate(sections):
            if len(sections) > 1:
                if index:
                    writer.writerow([])
                writer.writerow([f"# {title}"])
            writer.writerow(cols)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else _csv_cell(row.get(c)) for c in cols])
    elif chosen == ReportFmt.md:
        for index, (title, rows, cols) in enumerate(sections):
            buffer.write(("\n" if index else "") + f"## {title}\n\n")
            buffer.write(markdown(rows, cols))
    else:
        target = Console(file=buffer, width=240, no_color=True, force_terminal=False) if out else console
        for title, rows, cols in sections:
            if rows:
                _table_to(target, rows, cols, title)
            else:
                target.print(f"{title}: " + _("nothing to show."), highlight=False)
        if not out:
            return
    text = buffer.getvalue()
    if out is None:
        sys.stdout.write(text)
        return
    files.write_text(out, text)
    if chosen == ReportFmt.json:
        detail = "json"
    elif len(sections) == 1:
        detail = count_of(len(sections[0][1]), _("1 row"), _("{n} rows"))
    else:
        detail = count_of(len(sections), _("1 table"), _("{n} tables"))
    wrote(out, what, detail)


def markdown(rows: Sequence[dict], cols: Sequence[str]) -> str:
    """A GitHub-flavoured Markdown table (pipes escaped; numbers right-aligned)."""
    cells = [["" if r.get(c) is None else _cell(r.get(c)).replace("|", "\\|").replace("\n", " ") for c in cols] for r in rows]
    align = ["---:" if _numeric(cells, i) else "---" for i in range(len(cols))]
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(line) + " |" for line in cells]
    return "\n".join(lines) + "\n"


# ---- tables that fit the terminal ----------------------------------------------------------------
# What people type next (an id, a login, a date, a phone) is never cut or wrapped: such a "key" column
# keeps the width of its longest value. Free text (a name, a note) folds. When even that does not fit,
# whole columns are left out, the least useful first, and the table's caption names them.

KEY_NAMES = frozenset({"id", "login", "user", "manager", "assignee", "owner", "actor", "made_by", "done_by", "by",
                       "date", "at", "due", "start", "finish", "close_by", "week", "phone", "code", "batch", "number",
                       "task", "key", "row", "position"})
KEY_SUFFIXES = ("_id", "_at", "_by", "_date", "_login")
# Left out first when a table does not fit (then the other non-key columns, rightmost first).
DROP_FIRST = ("email", "phone_ext", "contact_person", "city", "description", "note", "notes", "path", "rolled_from",
              "pipeline", "attempts_week", "light", "estimate_minutes", "sent_to", "required_fields",
              # the reports' outcome breakdown, before their totals (reached, not called, invoices, paid)
              "carried_over", "overdue_callbacks", "wrong_number", "do_not_call", "refused", "interested",
              "call_back", "no_answer", "invoiced", "payments")
FREE_TEXT = 16  # a column whose longest value is longer than this is free text: it folds
FOLD_FLOOR = 12  # free text folds to no narrower than this


def is_key(column: str) -> bool:
    """Whether a column holds what people type next (`deal show 412`, `--user anna`, `--date …`)."""
    return column in KEY_NAMES or column.endswith(KEY_SUFFIXES)


def _header_parts(col: str) -> list[str]:
    """A header's words, each keeping the `_` or space after it: "not_called" -> ["not_", "called"]."""
    return re.findall(r"[^_ ]+[_ ]*|[_ ]+", col) or [col]


def _header(col: str, width: int) -> str:
    """The header as lines of at most `width` cells, broken after `_` or a space, never inside a word."""
    lines = [""]
    for part in _header_parts(col):
        if lines[-1] and cell_len(lines[-1] + part.rstrip()) > width:
            lines.append("")
        lines[-1] += part
    return "\n".join(line.rstrip() for line in lines)


def _fit(cols: Sequence[str], cells: list[list[str]], width: int) -> tuple[list[int], list[int]]:
    """Which columns a table of `width` cells shows (indexes, in order) and how wide each is."""
    natural, values, floor = {}, {}, {}
    for index, col in enumerate(cols):
        longest = max((cell_len(line[index]) for line in cells), default=0)
        natural[index] = max(longest, cell_len(col), 1)
        values[index] = max(longest, 1)
        # A header folds between its words ("not_" over "called"), never inside one.
        header = max(cell_len(w.rstrip()) for w in _header_parts(col))
        if is_key(col):
            floor[index] = natural[index]
        elif longest > FREE_TEXT:
            floor[index] = min(natural[index], max(FOLD_FLOOR, header))
        else:
            floor[index] = max(longest, header, 1)
    order = [i for name in DROP_FIRST for i, col in enumerate(cols) if col == name and not is_key(col)]
    order += [i for i in reversed(range(len(cols))) if not is_key(cols[i]) and i not in order]
    order += [i for i in reversed(range(len(cols))) if i not in order and i != 0]  # keys: the very last resort
    kept = list(range(len(cols)))

    def needed(indexes: list[int], widths: dict[int, int]) -> int:
        return sum(widths[i] for i in indexes) + 3 * len(indexes) + 1  # "│ " before each cell, " " after, "│" at the end

    for index in order:
        if needed(kept, floor) <= width:
            break
        kept.remove(index)
    widths = {i: floor[i] for i in kept}
    spare = width - needed(kept, widths)
    for target in (values, natural):  # what is left goes to folded values first, then to folded headers
        growing = [i for i in kept if widths[i] < target[i]]
        while spare > 0 and growing:  # a cell at a time, round the columns
            for i in list(growing):
                if spare <= 0:
                    break
                widths[i] += 1
                spare -= 1
                if widths[i] >= target[i]:
                    growing.remove(i)
    return kept, [widths[i] for i in kept]


def _table_to(target: Console, rows: Sequence[dict], cols: Sequence[str], title: str | None) -> None:
    cells = [["" if row.get(c) is None else printable_line(_cell(row.get(c))) for c in cols] for row in rows]
    kept, widths = _fit(cols, cells, target.width)
    left_out = [col for index, col in enumerate(cols) if index not in kept]
    caption = None
    if left_out:
        caption = _("columns left out at this width: {columns} — widen the terminal or use --format csv").format(
            columns=", ".join(left_out))
    table = Table(title=title, header_style="bold", caption=caption, caption_justify="left")
    for index, width in zip(kept, widths):
        col = cols[index]
        justify = "right" if _numeric(cells, index) else "left"
        if is_key(col):  # never cut, never wrapped: people copy it into the next command
            table.add_column(col, no_wrap=True, overflow="ignore", width=width, min_width=width, justify=justify)
        else:  # free text folds; a short value is as wide as the column, so only its header may fold
            table.add_column(_header(col, width), no_wrap=False, overflow="fold", width=width, justify=justify)
    for line in cells:
        table.add_row(*(Text(line[index]) for index in kept))  # Text, not markup: a name like "[link=…]" stays a name
    target.print(table)


def _plain(value: Any) -> Any:
    """A cell for a workbook: numbers stay numbers, amounts ("12.50") become numbers too."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if value is None:
        return None
    text = _cell(value)
    if re.fullmatch(r"-?\d+\.\d\d", text):
        return float(text)
    return text
# ---- listings: every row in json/csv, a page in a table, and a footer when rows are left out ----

def _stream(rows: Iterable[dict], fmt: Fmt, cols: list[str]) -> int:
    """Write rows as they come: a JSON array one row a line, or CSV; returns how many."""
    shown = 0
    out = sys.stdout
    if fmt == Fmt.json:
        out.write("[")
        for row in rows:
            out.write(",\n" if shown else "\n")
            out.write(json.dumps(row, ensure_ascii=False, default=str))
            shown += 1
        out.write("\n]\n" if shown else "]\n")
        return shown
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _csv_cell(row.get(c)) for c in cols])
        shown += 1
    return shown


def page_size(fmt: Fmt, limit: int | None, all_: bool) -> int | None:
    """How many rows a listing view shows: None for every row (json/csv, or --all), else --limit N or a page."""
    return None if all_ else (limit if limit is not None else (PAGE if fmt == Fmt.table else None))


def render_listing(rows, fmt: Fmt, columns: Iterable[str], *, limit: int | None = None, all_: bool = False,
                   total: int | None = None, title: str | None = None, empty: str | None = None,
                   every: str = "--all") -> None:
    """Print a listing without ever cutting it silently. The one call every listing command makes.

    `rows` is a core `Listing` (counted and streamed by core: `yoolla_tui.core.kernel.listing`), or any
    iterable of dicts (a list, or a generator; give `total` when you know it). What is printed:

    - json / csv: every row, streamed as it comes (`[`, rows joined by `,\n`, `]` for json), so a
      million rows print in flat memory; `--limit N` prints the first N and says on stderr how many
      there were.
    - table: one page (`--limit N`, default PAGE = 200; `--all` for every row), then a footer line
      "200 of 1,751 shown: --limit N, --all" whenever rows were left out.

    A listing command declares `limit: LimitOpt = None, all_: AllOpt = False` and, inside its
    session, calls `render_listing(core.list_things(...), fmt, COLUMNS, limit=limit, all_=all_,
    empty=_("Nothing yet."))`. `every` names the every-row flag in the footer where a command's
    `--all` already means something else (`yoolla inbox --all-rows`).
    """
    cap = page_size(fmt, limit, all_)
    listing = sys.modules.get("yoolla_tui.core.kernel.listing")  # a Listing exists only once core made one
    counted = listing is not None and isinstance(rows, listing.Listing)
    if counted:
        stream: Iterable[dict] = rows.rows(limit=cap)
    elif isinstance(rows, Sequence):
        total = len(rows) if total is None else total
        stream = rows if cap is None else rows[:cap]
    else:
        stream = iter(rows)
        if cap is not None:
            rest, stream = stream, islice(stream, cap)
    cols = list(columns)
    if fmt in (Fmt.json, Fmt.csv):
        try:
            shown = _stream(stream, fmt, cols)
        except BrokenPipeError:  # `yoolla client list --format csv | head`: the reader has gone
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as Python's docs advise for SIGPIPE
            raise typer.Exit(1)
    else:
        page = list(stream)
        shown = len(page)
        render(page, fmt, cols, title=title, empty=empty)
    if cap is None or shown < cap:
        return  # nothing was left out
    if total is None:
        # core counts a Listing in one query; a generator's rest is counted as it passes, not kept
        total = rows.count() if counted else shown + sum(1 for _row in rest)
    if total > shown:
        if every == "--all":
            line = _("{shown:,} of {total:,} shown: --limit N, --all").format(shown=shown, total=total)
        else:
            line = _("{shown:,} of {total:,} shown: --limit N, {every}").format(shown=shown, total=total, every=every)
        if fmt == Fmt.table:
            console.print(line, highlight=False)
        else:
            err_console.print(line, highlight=False)
