"""Reading tables from the files offices have.

Excel (.xlsx .xlsm .xls .xlsb) and OpenDocument (.ods) go through python-calamine; .csv/.txt
are decoded with a detected encoding (BOM, UTF-8, else charset-normalizer: cp1251, UTF-16…)
and split on a sniffed delimiter (`;` `,` tab `|`). A `Table` is one sheet: its rows as read
(str, int, float, bool, date…), numbered as the spreadsheet shows them.

Every problem with the file itself is a BadInput naming the file (and sheet, row, column).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
DELIMITERS = (";", ",", "\t", "|")
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
_CSV_FIELD_LIMIT = 16 * 1024 * 1024
_SAMPLE_BYTES = 256 * 1024

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_SPREADSHEETS = ((b"%PDF", "PDF"), (b"\x89PNG", "PNG image"), (b"GIF8", "GIF image"), (b"\xff\xd8\xff", "JPEG image"),
                     (b"\x1f\x8b", "gzip archive"), (b"Rar!", "RAR archive"), (b"7z\xbc\xaf", "7-Zip archive"),
                     (b"{\\rtf", "RTF document"))


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Table:
    """One sheet. `rows` yields (row number, cells); `total` is the row count (estimated for
    text); `errors` maps (row, column index) to an Excel error code (#N/A…) calamine itself
    reads as empty; `merged` lists merged ranges ((first row, first col), (last row, last
    col)), 0-based, where the format tells."""

    file: str
    sheet: str | None
    rows: Iterator[tuple[int, list]]
    total: int | None = None
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    def where(self, row: int | None = None, column: str | None = None) -> str:
        """`file.xlsx, sheet 'Лист1', row 7, column C (Телефон)` for messages."""
        parts = [self.file]
        if self.sheet is not None:
            parts.append(_("sheet {sheet!r}").format(sheet=self.sheet))
        if row is not None:
            parts.append(_("row {row}").format(row=row))
        if column is not None:
            parts.append(_("column {column}").format(column=column))
        return ", ".join(parts)


class Book:
    """An opened file: its sheet names, and each sheet as a Table."""

    def __init__(self, path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> None:
        self.path = path
        self.name = path.name
        self.encoding = encoding
        self.delimiter = delimiter
        self.kind = _kind(path)
        self._workbook = None
        if self.kind == "workbook":
            self._workbook = _open_workbook(path)
            self.sheet_names = list(self._workbook.sheet_names)
        else:
            self.sheet_names = [path.stem]

    def table(self, sheet: str | None) -> Table:
        if self.kind == "text":
            return _text_table(self.path, self.encoding, self.delimiter)
        return self._sheet(sheet)

    def _sheet(self, name: str) -> Table:
        from python_calamine import CalamineError

        try:
            sheet = self._workbook.get_sheet_by_name(name)
            merged = sheet.merged_cell_ranges or []
            start, end = sheet.start, sheet.end
            rows = sheet.iter_rows() if start is not None else iter(())
            first = next(rows, None)
        except CalamineError as exc:
            raise BadInput(_("{file}, sheet {sheet!r}: cannot read it ({error})").format(
                file=self.name, sheet=name, error=_brief(exc)))
        errors = _xlsx_error_cells(self.path, self.sheet_names.index(name)) if self.path.suffix.lower() in (".xlsx", ".xlsm") else {}
        if first is None:
            return Table(self.name, name, iter(()), 0, errors, merged)
        # iter_rows keeps Python objects to one row at a time (to_python would hold the whole
        # sheet twice); it may start at the first used row and column: number rows and place
        # cells as the spreadsheet shows them.
        (r0, c0), (r1, c1) = start, end
        row_offset = r0 if r0 and any(first) else 0
        col_offset = c0 if c0 and len(first) == c1 - c0 + 1 else 0
        return Table(self.name, name, _numbered(first, rows, row_offset, col_offset), r1 + 1, errors, merged)

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None


def _numbered(first: list, rest: Iterator[list], row_offset: int, col_offset: int) -> Iterator[tuple[int, list]]:
    number = row_offset + 1
    if col_offset:
        pad = [""] * col_offset
        yield number, pad + first
        for number, row in enumerate(rest, number + 1):
            yield number, pad + row
        return
    yield number, first
    yield from enumerate(rest, number + 1)


def open_book(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None) -> Book:
    """Open a spreadsheet or text table; BadInput if it is missing, empty or not a table."""
    path = Path(path)
    if not path.exists():
        raise BadInput(_("{file}: no such file").format(file=path))
    if path.is_dir():
        raise BadInput(_("{file} is a folder, not a spreadsheet").format(file=path))
    if path.stat().st_size == 0:
        raise BadInput(_("{file} is empty (0 bytes)").format(file=path.name))
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise BadInput(_("--delimiter {value!r}: expected one character, e.g. ';' ',' '|' or 'tab'").format(value=delimiter))
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise BadInput(_("--encoding {value!r} is not an encoding Python knows (try cp1251, utf-8, utf-16)").format(value=encoding))
    return Book(path, encoding=encoding, delimiter=delimiter)


# ---- what kind of file ---------------------------------------------------------------------

def _kind(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(4096)
    suffix = path.suffix.lower()
    for magic, what in _NOT_SPREADSHEETS:
        if head.startswith(magic):
            raise BadInput(_("{file} is a {what}, not a spreadsheet: expected {known}").format(
                file=path.name, what=what, known=_known()))
    if head.startswith(_OLE):
        if _is_encrypted_ooxml(path):
            raise _password(path)
        return "workbook"
    if head.startswith(_ZIP):
        return "workbook"
    if suffix in WORKBOOK_SUFFIXES:
        if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<table")):
            raise BadInput(_("{file} is a web page saved with an Excel name, not a workbook: open it in Excel or "
                             "LibreOffice and save it as .xlsx").format(file=path.name))
        if b"\x00" in head:
            raise BadInput(_("{file} is not a readable {suffix} workbook: it is damaged, or not a spreadsheet").format(
                file=path.name, suffix=suffix))
        return "text"  # a CSV saved under an Excel name: read it as what it is
    if suffix not in TEXT_SUFFIXES and (b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))):
        raise BadInput(_("{file} is not a spreadsheet: expected {known}").format(file=path.name, known=_known()))
    return "text"


def _known() -> str:
    return ", ".join(WORKBOOK_SUFFIXES + TEXT_SUFFIXES[:2])


def _decodes(head: bytes) -> bool:
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 4  # a character cut by the sample's end


def _password(path: Path) -> BadInput:
    return BadInput(_("{file} is password-protected: open it in Excel, remove the password (File → Info → "
                      "Protect Workbook), save, and import again").format(file=path.name))


def _is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container with an `EncryptedPackage` stream."""
    marker = "EncryptedPackage".encode("utf-16-le")
    with path.open("rb") as fh:
        return marker in fh.read(1 << 20)


def _open_workbook(path: Path):
    from python_calamine import CalamineError, PasswordError, load_workbook

    try:
        with path.open("rb") as fh:
            return load_workbook(io.BytesIO(fh.read()))
    except PasswordError:
        raise _password(path)
    except (CalamineError, ValueError, OSError) as exc:
        raise BadInput(_("{file} cannot be read as a workbook: it is damaged or truncated ({error})").format(
            file=path.name, error=_brief(exc)))


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160] + ("…" if len(text) > 160 else "") if text else exc.__class__.__name__


# ---- Excel error cells (#N/A, #REF!) ---------------------------------------------------------

_ERROR_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?t="e"[^>]*>(?:<f[^>]*>.*?</f>|<f[^>]*/>)?<v>([^<]*)</v>', re.S)


def _xlsx_error_cells(path: Path, index: int) -> dict[tuple[int, int], str]:
    """calamine reads an error cell as empty; find them in the sheet's XML so none passes unseen."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, index)
            if member is None:
                return {}
            data = archive.read(member)
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    if b't="e"' not in data:
        return {}
    out = {}
    for letters, row, code in _ERROR_CELL.findall(data):
        col = 0
        for ch in letters.decode():
            col = col * 26 + ord(ch) - 64
        out[(int(row), col - 1)] = code.decode("utf-8", "replace")
    return out


def _sheet_member(archive: zipfile.ZipFile, index: int) -> str | None:
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    ids = re.findall(r'<(?:\w+:)?sheet\b[^>]*?r:id="([^"]+)"', workbook)
    if index >= len(ids):
        return None
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        if f'Id="{ids[index]}"' in rel:
            target = re.search(r'Target="([^"]+)"', rel).group(1)
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


# ---- text tables -----------------------------------------------------------------------------

def detect_encoding(sample: bytes, file: str) -> str:
    """BOM first, then strict UTF-8, then charset-normalizer (cp1251, UTF-16 without BOM…)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" not in sample and _decodes(sample):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise BadInput(_("{file}: cannot tell the text encoding (it may not be a text table at all); "
                         "pass --encoding cp1251, utf-8 or utf-16").format(file=file))
    return best.encoding


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most sample lines into the same number (>1) of fields."""
    best, best_score = ";", (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        modal = Counter(c for c in counts if c > 1).most_common(1)
        if not modal:
            continue
        width, lines_with_width = modal[0]
        score = (lines_with_width, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _text_table(path: Path, encoding: str | None, delimiter: str | None) -> Table:
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    encoding = encoding or detect_encoding(sample, path.name)
    if delimiter is None:
        text = sample.decode(encoding, errors="replace")
        if len(sample) == _SAMPLE_BYTES:
            text = text.rsplit("\n", 1)[0]
        delimiter = sniff_delimiter([line for line in text.splitlines()[:200] if line.strip()])
    lines = sample.count(b"\n")
    # The row count of a text table is unknown until read: estimate it from the sample for the progress bar.
    estimate = int(path.stat().st_size / (len(sample) / lines)) if lines and len(sample) == _SAMPLE_BYTES else (lines or None)
    table = Table(path.name, None, iter(()), estimate, encoding=encoding, delimiter=delimiter)
    table.rows = _text_rows(path, encoding, delimiter, table)
    return table


def _text_rows(path: Path, encoding: str, delimiter: str, table: Table) -> Iterator[tuple[int, list]]:
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    number = 0
    try:
        with path.open("r", encoding=encoding, newline="") as fh:
            for number, row in enumerate(csv.reader(fh, delimiter=delimiter), 1):
                yield number, row
    except UnicodeDecodeError as exc:
        raise BadInput(_("{where}: the bytes there are not {encoding} text ({error}); pass --encoding "
                         "(cp1251, utf-8, utf-16)").format(where=table.where(number + 1), encoding=encoding,
                                                            error=_brief(exc)))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise BadInput(_("{where}: a cell is larger than {mb} MB; that is not a client list").format(
                where=table.where(number + 1), mb=_CSV_FIELD_LIMIT // (1024 * 1024)))
        raise BadInput(_("{where}: {error}").format(where=table.where(number + 1), error=_brief(exc)))
