"""Workbooks out: report tables as .xlsx, and a campaign as the workbook administrators keep by hand.

The campaign workbook (seed 002): one sheet per manager (organisation, contact, phone, email,
stage, call status, next call, invoice, paid, quality, last note) with a frozen header and a
filter, and a Totals sheet ("Итоги") with per-manager counts, the funnel and a bar chart of it.
Headers and status words are ones `yoolla import FILE --sheets-as-managers` recognises
(core/importing/headers.py, data/status_words.json), so the export reads back as a campaign.
Written in openpyxl's write-only mode (streams 100k rows); the file appears whole or not at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from sqlalchemy import func, select
from sqlmodel import Session

from yoolla_tui.core.kernel import audit, clock, files
from yoolla_tui.core.reports import summary as reports
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Call, Client, Deal, Payment, Stage, User
from yoolla_tui.core.kernel.permissions import deal_scope, require_campaign_admin
from yoolla_tui.core.kernel.text import needs_cleaning, workbook_text
from yoolla_tui.core.calls.campaigns import resolve

# Header and words per column, as the importer reads them back (Russian: the office's workbook).
HEADER = ["Организация", "Контактное лицо", "Телефон", "E-mail", "Статус", "Текущее значение", "Следующий звонок",
          "Сумма счёта", "Оплачено", "Качество", "Последняя заметка"]
STAGE_WORDS = {"to_call": "к звонку", "agreed": "согласился", "proposal_sent": "КП отправлено",
               "invoice_issued": "счёт выставлен", "paid": "счёт оплачен", "attended": "был на семинаре",
               "refused": "отказ"}
CURRENT_WORDS = {"no_answer": "недозвон", "call_back": "перезвонить", "interested": "заинтересован",
                 "refused": "отказался", "do_not_call": "чёрный список", "wrong_number": "неверный номер",
                 "phone_fixed": "телефон исправлен"}
QUALITY_WORDS = {"liked": "понравилась услуга", "disliked": "не понравилась услуга"}
TOTALS_SHEET = "Итоги"
WIDTHS = [34, 24, 18, 26, 16, 18, 17, 12, 12, 22, 40]


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file beside `path`, then move it into place (core/kernel/files.py):
    the user's umask, no half-written file, CannotWrite for a missing folder or a full disk."""
    with files.atomic(path) as tmp:
        write(tmp)


SHEET_NAME_MAX = 31  # Excel's limit


def _sheet_title(text: str, taken: set[str]) -> str:
    """A valid, readable, unique sheet name: Excel's forbidden characters replaced, at most 31
    characters by whole words (an ellipsis says so), never a bracket left open, unique in `taken`
    (a number in brackets tells twins apart)."""
    clean = " ".join("".join("_" if ch in "[]:*?/\\" else ch for ch in text).split()).strip("'") or "Sheet"
    title, n = _shorten(clean, SHEET_NAME_MAX), 2
    while title.lower() in taken:
        mark = f" ({n})"
        title = _shorten(clean, SHEET_NAME_MAX - len(mark)) + mark
        n += 1
    taken.add(title.lower())
    return title


def _shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: whole words and an ellipsis; a bracket opened in what
    is kept is dropped with what follows it (never "Week 48 (Semin")."""
    if len(text) <= limit:
        return text
    kept = ""
    for word in text.split(" "):
        candidate = f"{kept} {word}" if kept else word
        if len(candidate) > limit - 1:
            break
        kept = candidate
    if kept.count("(") > kept.count(")"):
        kept = kept[:kept.rindex("(")].rstrip()
    if not kept:  # one long word: cut it
        kept = text[:limit - 1]
    return kept.rstrip(" -,;") + "…"


def write_tables(path: Path, tables: Sequence[tuple[str, list[list[Any]], list[str]]]) -> list[str]:
    """An .xlsx with one sheet per (title, rows of cells, columns): bold frozen header, filter.
    Returns the sheets' names."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def write(target: Path) -> None:
        book = Workbook(write_only=True)
        taken: set[str] = set()
        for title, rows, cols in tables:
            ws = book.create_sheet(_sheet_title(title, taken))
            ws.freeze_panes = "A2"
            header = []
            for name in cols:
                cell = _cell(ws, name)
                cell.font = Font(bold=True)
                header.append(cell)
            ws.append(header)
            for row in rows:
                ws.append(safe_row(ws, row))
            if cols:
                ws.auto_filter.ref = f"A1:{_letter(len(cols))}{len(rows) + 1}"
        if not tables:
            book.create_sheet("-")
        book.save(target)
        names.extend(book.sheetnames)

    names: list[str] = []
    _atomic(path, write)
    return names


def _cell(ws, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        return _text_cell(ws, value)
    return WriteOnlyCell(ws, value=value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(ws, value: str):
    """Text stays text: openpyxl would store "=…" as a live formula; data type "s" and Excel's
    quote prefix keep it a string even when someone edits the cell. Control characters, which
    the file's XML cannot hold, are dropped."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws)
    cell.value = workbook_text(value)
    cell.data_type = "s"
    if value.startswith(_FORMULA_START):
        cell.quotePrefix = True
    return cell


def safe_row(ws, cells: Sequence[Any]) -> list[Any]:
    """A row ready for ws.append: strings that could be read as formulas, or hold control
    characters, become text cells; everything else goes as is (fast for the common case)."""
    return [_text_cell(ws, v) if isinstance(v, str) and (v.startswith(_FORMULA_START) or needs_cleaning(v)) else v
            for v in cells]


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


# ---- the campaign workbook ------------------------------------------------------------------------

TOTALS_COLUMNS = ["manager", "deals", "calls", "reached", "not_called", "invoices", "invoiced", "payments", "paid",
                  "won", "lost"]


def campaign_rows(session: Session, actor: User, campaign_id: int):
    """(manager login, cells) for every deal of the campaign in the actor's scope, by manager then
    organisation: one query (the last note by a correlated subquery on the call index)."""
    paid = (select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(Payment.deal_id == Deal.id)
            .correlate(Deal).scalar_subquery())
    last_call = (select(func.max(Call.id)).where(Call.deal_id == Deal.id, Call.note != "").correlate(Deal).scalar_subquery())
    note = select(Call.note).where(Call.id == last_call).scalar_subquery()
    stmt = (select(User.login, Client.name, Client.contact_person, Client.phone, Client.phone_ext, Client.phone_raw,
                   Client.email, Stage.code, Deal.status, Deal.next_call_at, Deal.invoice_cents, paid, Deal.quality, note)
            .join(Client, Client.id == Deal.client_id).join(Stage, Stage.id == Deal.stage_id)
            .join(User, User.id == Deal.manager_id, isouter=True)
            .where(Deal.campaign_id == campaign_id).order_by(User.login, Client.name, Deal.id))
    scope = deal_scope(session, actor)
    if scope is not None:
        stmt = stmt.where(scope)
    show = clock.show
    for (login, name, person, phone, ext, raw, email, stage, status, next_call, invoice, paid_cents, quality,
         last_note) in session.execute(stmt.execution_options(yield_per=5000)):
        phone_text = (f"{phone} доб. {ext}" if ext else phone) if phone else raw
        yield login, [name, person, phone_text, email, STAGE_WORDS.get(stage, stage), CURRENT_WORDS.get(status, ""),
                      show(next_call) or None, invoice / 100 if invoice else None,
                      paid_cents / 100 if paid_cents else None, QUALITY_WORDS.get(quality or "", ""),
                      last_note or ""]


def export_campaign(*, session: Session, actor: User, ref: str, path: Path,
                    progress: Callable[[int], None] | None = None, on_total: Callable[[int], None] | None = None) -> dict:
    """Write the campaign workbook to `path`; returns {campaign, file, sheets, deals}.

    Admins and supervisors (a supervisor's team only). Raises NotFound for an unknown campaign,
    CannotWrite for a folder that does not exist or a disk that is full."""
    require_campaign_admin(actor, action=_("export campaigns"))

    campaign = resolve(session, ref)
    summary = reports.weekly(session=session, actor=actor, campaign=str(campaign.id))
    total = sum(r["deals"] for r in summary["managers"])
    if on_total:
        on_total(total)
    written = {"n": 0, "sheets": []}

    def write(target: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.chart import BarChart, Reference
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        taken = {TOTALS_SHEET.lower()}
        ws, current = None, object()
        bold = Font(bold=True)
        count = rows_in_sheet = 0

        def close_sheet():
            if ws is not None:
                ws.auto_filter.ref = f"A1:{_letter(len(HEADER))}{rows_in_sheet + 1}"

        for login, cells in campaign_rows(session, actor, campaign.id):
            if login != current:
                close_sheet()
                current = login
                ws = book.create_sheet(_sheet_title(login or _("Unassigned"), taken))
                written["sheets"].append(ws.title)
                for index, width in enumerate(WIDTHS, start=1):
                    ws.column_dimensions[_letter(index)].width = width
                ws.freeze_panes = "A2"
                header = []
                for name in HEADER:
                    cell = _cell(ws, name)
                    cell.font = bold
                    header.append(cell)
                ws.append(header)
                rows_in_sheet = 0
            ws.append(safe_row(ws, cells))
            rows_in_sheet += 1
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
        close_sheet()
        if progress:
            progress(count % 1000)
        totals = book.create_sheet(TOTALS_SHEET)
        totals.column_dimensions["A"].width = 22
        totals.append([_cell(totals, f"{campaign.name} ({campaign.week})")])
        totals.append([])
        totals.append([_bold(totals, c, bold) for c in TOTALS_COLUMNS])
        first = 4
        for row in summary["managers"] + [summary["total"]]:
            totals.append([_num(row.get(c)) for c in TOTALS_COLUMNS])
        line = first + len(summary["managers"]) + 1
        totals.append([])
        funnel_head = line + 2
        totals.append([_bold(totals, c, bold) for c in ("stage", "name", "reached", "conversion")])
        for step in summary["funnel"]:
            totals.append(safe_row(totals, [step["stage"], step["name"], step["reached"], step["conversion"]]))
        totals.append([])
        plan_head = funnel_head + len(summary["funnel"]) + 2
        totals.append([_bold(totals, c, bold) for c in ("date", "calls_due", "callbacks")])
        for day in summary["plan"]:
            totals.append([day["date"], day["calls_due"], day["callbacks"]])
        if summary["funnel"]:
            chart = BarChart()
            chart.type = "bar"
            chart.title = _("Funnel")
            chart.y_axis.title = _("deals")
            chart.legend = None
            data = Reference(totals, min_col=3, min_row=funnel_head, max_row=funnel_head + len(summary["funnel"]))
            labels = Reference(totals, min_col=2, min_row=funnel_head + 1, max_row=funnel_head + len(summary["funnel"]))
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(labels)
            chart.x_axis.scaling.orientation = "maxMin"  # the first stage on top, as a funnel reads
            totals.add_chart(chart, f"G{funnel_head}")
        written["n"] = count
        written["plan_row"] = plan_head
        book.save(target)

    _atomic(Path(path), write)
    return {"campaign": campaign.name, "campaign_id": campaign.id, "file": str(path),
            "sheets": written["sheets"] + [TOTALS_SHEET], "deals": written["n"]}


def record_export(*, session: Session, actor: User, result: dict) -> None:
    """Put a written export on the record (a whole campaign left the database). The export itself
    reads in a read-only snapshot, so its audit record is this short write afterwards."""
    audit.record(session, actor, "campaign.export", "campaign", result["campaign_id"], file=result["file"],
                 deals=result["deals"])


def _bold(ws, value, font):
    cell = _cell(ws, value)
    cell.font = font
    return cell


def _num(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value) if "." in value and value.replace(".", "", 1).lstrip("-").isdigit() else value
        except ValueError:
            return value
    return value
