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
_NOT_SPREADSHEETS = ((b"%PDF", "a PDF"), (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"),
                     (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
                     (b"{\\rtf", "an RTF document"), (b"\x7fELF", "a program"), (b"MZ", "a Windows program"))
# Names that say the file is something else than a table, whatever is inside (a .py has commas,
# and would otherwise fail as "row 9 has more cells than the header").
_OTHER_SUFFIXES = {".py": "Python source code", ".pyc": "compiled Python", ".js": "JavaScript source code", ".sh": "a shell script",
                   ".md": "a Markdown document", ".html": "a web page", ".htm": "a web page", ".xml": "an XML document",
                   ".json": "a JSON document", ".yaml": "a YAML document", ".yml": "a YAML document", ".toml": "a TOML document",
                   ".pdf": "a PDF", ".doc": "a Word document", ".docx": "a Word document", ".odt": "a text document",
                   ".ppt": "a PowerPoint presentation", ".pptx": "a PowerPoint presentation", ".png": "a PNG image",
                   ".jpg": "a JPEG image", ".jpeg": "a JPEG image", ".gif": "a GIF image", ".svg": "an SVG image",
                   ".zip": "a zip archive", ".gz": "a gzip archive", ".rar": "a RAR archive", ".7z": "a 7-Zip archive",
                   ".exe": "a Windows program", ".sqlite": "a SQLite database", ".db": "a database file", ".log": "a log file"}
# Parts inside a zip that say which Office file it is, when it is not a workbook.
_ZIP_PARTS = ((b"word/", "a Word document"), (b"ppt/", "a PowerPoint presentation"))


def _not_a_table(path: Path, what: str) -> BadInput:
    return BadInput(_("{file} is not a spreadsheet or CSV file (it looks like {what}): expected {known}").format(
        file=path.name, what=what, known=_known()))


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
            raise _not_a_table(path, what)
    if suffix in _OTHER_SUFFIXES and not head.startswith((_ZIP, _OLE)):
        raise _not_a_table(path, _OTHER_SUFFIXES[suffix])
    if head.startswith(_ZIP) and suffix not in WORKBOOK_SUFFIXES:
        for part, what in _ZIP_PARTS:
            if part in head:
                raise _not_a_table(path, what)
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

def _xlsx_error_cells(path: Path, index: int) -> dict[tuple[int, int], str]:
    """calamine reads an error cell as empty; find them in the sheet's XML so none passes unseen.

    One pass of expat over the XML (linear whatever the cells hold: a regex here backtracked
    quadratically on formula cells without a cached value), and only when the sheet has any.
    """
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
    return error_cells(data)


def error_cells(data: bytes) -> dict[tuple[int, int], str]:
    """(row, column index) -> error code (#DIV/0!…) of every `t="e"` cell of a sheet's XML."""
    from xml.parsers import expat

    out: dict[tuple[int, int], str] = {}
    state = {"ref": None, "in_v": False, "text": []}

    def start(name, attrs):
        local = name.rsplit(":", 1)[-1]
        if local == "c":
            state["ref"] = attrs.get("r") if attrs.get("t") == "e" else None
        elif local == "v" and state["ref"]:
            state["in_v"], state["text"] = True, []

    def end(name):
        local = name.rsplit(":", 1)[-1]
        if local == "v" and state["in_v"]:
            state["in_v"] = False
            place = cell_place(state["ref"])
            if place is not None:
                out[place] = "".join(state["text"])
        elif local == "c":
            if state["ref"] and cell_place(state["ref"]) not in out:
                place = cell_place(state["ref"])  # an error formula Excel saved no value for
                if place is not None:
                    out[place] = "#?"
            state["ref"] = None

    def chars(text):
        if state["in_v"]:
            state["text"].append(text)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        pass  # damaged XML: calamine has already said what it could read
    return out


def cell_place(ref: str | None) -> tuple[int, int] | None:
    """"C7" -> (7, 2); None for anything else."""
    if not ref:
        return None
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if not letters or not digits or not letters.isascii() or not letters.isalpha() or len(letters) > 3:
        return None
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(digits), col - 1


# ---- limits a workbook must meet before the reader sees it -------------------------------------

MAX_UNCOMPRESSED_MB = 1024  # everything inside the .xlsx/.ods, unpacked
MAX_MEMBER_RATIO = 200      # unpacked size / packed size of one part bigger than RATIO_FLOOR_MB
RATIO_FLOOR_MB = 8
MAX_MEMBERS = 10_000
MAX_SHEET_CELLS = 30_000_000  # rows × columns a sheet declares or uses (1M rows × 30 columns)

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]{1,3})?(\d{1,7})?(?::([A-Za-z]{1,3})(\d{1,7}))?"')
_WIDE_CELL = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]{3,})(\d+)"')
_FAR_CELL = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]{1,3})(\d{7,})"')
_ROW = re.compile(rb'<(?:\w+:)?row\s+r="(\d{1,9})"')


def check_archive(path: Path) -> None:
    """BadInput unless a zip-based workbook (.xlsx .xlsm .ods) is within the limits above: its
    declared unpacked sizes, each part's packing ratio, and each sheet's declared and used area
    (rows × columns). Reading linear in the file; nothing is unpacked past the limits."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not a zip after all: calamine says what it is
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise BadInput(_("{file} holds {n} parts; a workbook has at most {limit}: refused as a zip bomb").format(
                file=path.name, n=len(infos), limit=MAX_MEMBERS))
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED_MB * 1024 * 1024:
            raise BadInput(_("{file} unpacks to {mb} MB; the limit is {limit} MB: refused (a zip bomb, or split the list "
                             "into several files)").format(file=path.name, mb=total // (1024 * 1024), limit=MAX_UNCOMPRESSED_MB))
        for info in infos:
            if info.file_size > RATIO_FLOOR_MB * 1024 * 1024 and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
                raise BadInput(_("{file}: part {part} unpacks {ratio}× its packed size (limit {limit}×): refused as a zip "
                                 "bomb").format(file=path.name, part=info.filename,
                                               ratio=info.file_size // max(info.compress_size, 1), limit=MAX_MEMBER_RATIO))
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with archive.open(info) as fh:
                    data = fh.read(MAX_UNCOMPRESSED_MB * 1024 * 1024 + 1)
                _check_sheet_area(path, info.filename, data)
                del data


def _area_error(path: Path, part: str, rows: int, cols: int) -> BadInput:
    return BadInput(_("{file}: sheet {part} spans {rows} rows × {cols} columns (up to {last}); the limit is {limit} cells: "
                      "delete the far cells (Ctrl+End shows them) and save again").format(
        file=path.name, part=part.rsplit("/", 1)[-1], rows=rows, cols=cols, last=f"{column_letter(cols - 1)}{rows}",
        limit=f"{MAX_SHEET_CELLS:,}"))


def _check_sheet_area(path: Path, part: str, data: bytes) -> None:
    """The declared dimension, and cells far right (column AAA on) or far down (row 1,000,000 on),
    found by regexes that match a fixed prefix and never backtrack."""
    found = _DIMENSION.search(data, 0, 8192)
    if found and found.group(3):
        last = cell_place(f"{found.group(3).decode().upper()}{found.group(4).decode()}")
        if last and last[0] * (last[1] + 1) > MAX_SHEET_CELLS:
            raise _area_error(path, part, last[0], last[1] + 1)
    max_row = max_col = 0
    for pattern in (_WIDE_CELL, _FAR_CELL):
        for match in pattern.finditer(data):
            place = cell_place((match.group(1) + match.group(2)).decode())
            if place is None:
                raise _area_error(path, part, int(match.group(2)), 16384 + 1)
            max_row, max_col = max(max_row, place[0]), max(max_col, place[1] + 1)
    if not max_row:
        return  # every cell within ZZ999999: what calamine allocates then is bounded by the unpack limit
    if max_col > 26 * 27:  # a column past ZZ: how many rows does it span?
        max_row = max(max_row, max(map(int, _ROW.findall(data)), default=0))
    if max_row * max_col > MAX_SHEET_CELLS:
        raise _area_error(path, part, max_row, max(max_col, 1))


def _sheet_member(archive: zipfile.ZipFile, index: int) -> str | None:
    """The XML part of the index-th sheet, through workbook.xml and its relationships."""
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
