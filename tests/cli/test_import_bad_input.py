"""Bad input (issue 10): each case gives one clear line on stderr naming file, sheet, row or
column, a non-zero exit, and leaves the database exactly as it was."""

from datetime import date

import pytest

from tests.conftest import dump
from tests.fixtures import sheets

HEADER = ["Организация", "Телефон", "Город"]
GOOD = ["ООО Вектор", "8 495 123-45-67", "Москва"]


@pytest.fixture
def refused(cli, engine):
    """Run `yoolla import …` expecting a refusal; returns the one stderr line, checking nothing changed."""
    cli("import", sheets.xlsx(cli.tmp / "seed.xlsx", [HEADER, ["АО Старый", "8 812 111-22-33", "Тверь"]]))

    def run(*args: str) -> str:
        before = dump(engine)
        result = cli("import", *map(str, args), code=None)
        assert result.exit_code != 0, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert dump(engine) == before
        return lines[0]

    return run


@pytest.fixture(autouse=True)
def _tmp(cli, tmp_path):
    cli.tmp = tmp_path


def test_not_a_spreadsheet(refused, tmp_path):
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "logo.png is not a spreadsheet or CSV file (it looks like a PNG image)" in refused(png)
    pdf = tmp_path / "clients.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 100)
    assert "clients.xlsx is not a spreadsheet or CSV file (it looks like a PDF)" in refused(pdf)


def test_corrupt_or_truncated_xlsx(refused, tmp_path):
    whole = sheets.xlsx(tmp_path / "whole.xlsx", [HEADER, GOOD] * 50)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert "cut.xlsx cannot be read as a workbook: it is damaged or truncated" in refused(cut)


def test_password_protected_workbook(refused, tmp_path):
    line = refused(sheets.fixture("protected.xlsx", tmp_path))
    assert "protected.xlsx is password-protected" in line and "remove the password" in line


def test_empty_file(refused, tmp_path):
    for name in ("empty.csv", "empty.xlsx"):
        (tmp_path / name).write_bytes(b"")
        assert refused(tmp_path / name) == f"Error: {name} is empty (0 bytes)"


def test_empty_sheet(refused, tmp_path):
    book = sheets.xlsx(tmp_path / "book.xlsx", sheets={"Клиенты": [HEADER, GOOD], "Пусто": []})
    assert refused(book, "--sheet", "Пусто") == "Error: book.xlsx, sheet 'Пусто' is empty"
    blank = sheets.xlsx(tmp_path / "blank.xlsx", sheets={"Лист1": [], "Лист2": []})
    assert refused(blank) == "Error: blank.xlsx has no data: every sheet is empty"


def test_header_with_no_rows(refused, tmp_path):
    line = refused(sheets.xlsx(tmp_path / "head.xlsx", [["Список на 23.11"], [], HEADER]))
    assert line == "Error: head.xlsx, sheet 'Лист1': the header is on row 3 but no rows follow it"
    line = refused(sheets.text(tmp_path / "head.csv", [HEADER]))
    assert line == "Error: head.csv: the header is on row 1 but no rows follow it"


def test_no_phone_column_lists_the_headers_seen(refused, tmp_path):
    line = refused(sheets.xlsx(tmp_path / "nophone.xlsx", [["Организация", "Город", "ИНН"], ["ООО Вектор", "Москва", "77"]]))
    assert "nophone.xlsx" in line and "sheet 'Лист1'" in line and "row 1" in line
    assert "no phone column; headers seen: A (Организация), B (Город), C (ИНН)" in line
    assert '--map "Header=phone"' in line


def test_unknown_map_field(refused, tmp_path):
    line = refused(sheets.xlsx(tmp_path / "l.xlsx", [HEADER, GOOD]), "--map", "Телефон=fone")
    assert "--map 'Телефон=fone': unknown field 'fone'; fields: name, contact_person, phone, email, city, note" in line


def test_map_names_a_missing_header(refused, tmp_path):
    line = refused(sheets.xlsx(tmp_path / "l.xlsx", [HEADER, GOOD]), "--map", "Моб=phone")
    assert "l.xlsx, sheet 'Лист1', row 1: --map names column 'Моб'" in line and "B (Телефон)" in line


def test_sheet_that_does_not_exist(refused, tmp_path):
    line = refused(sheets.xlsx(tmp_path / "l.xlsx", [HEADER, GOOD]), "--sheet", "Москва")
    assert line == "Error: l.xlsx has no sheet 'Москва'; its sheets: 'Лист1'"


def test_missing_file(refused, tmp_path):
    assert refused(tmp_path / "nowhere.xlsx") == f"Error: {tmp_path / 'nowhere.xlsx'}: no such file"


def test_undecodable_bytes(refused, tmp_path):
    cp1251 = sheets.text(tmp_path / "list.csv", [HEADER, GOOD], encoding="cp1251")
    line = refused(cp1251, "--encoding", "utf-8")
    assert line.startswith("Error: list.csv, row 1: the bytes there are not utf-8 text") and "--encoding" in line
    noise = tmp_path / "noise.csv"
    noise.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(6000)))
    assert "noise.csv" in refused(noise)


def test_ten_megabyte_cell(refused, tmp_path):
    big = sheets.text(tmp_path / "big.csv", [HEADER, GOOD, ["ООО Большой", "8 495 765-43-21", "М" * 10_000_000]])
    line = refused(big)
    assert line.startswith("Error: big.csv, row 3, column C (Город): the cell holds 10,000,000 characters")


def test_row_with_more_cells_than_the_header(refused, tmp_path):
    wide = sheets.text(tmp_path / "wide.csv", [HEADER, GOOD, ["ООО Лишний", "8 495 765-43-21", "Тверь", "сюрприз"]])
    assert refused(wide).startswith("Error: wide.csv, row 3, column D: the row has more cells than the header (3 columns, up to C)")
    book = sheets.xlsx(tmp_path / "wide.xlsx", [HEADER, GOOD, ["ООО Лишний", "8 495 765-43-21", "Тверь", None, "x"]])
    assert "wide.xlsx, sheet 'Лист1', row 3, column E: the row has more cells than the header" in refused(book)


def test_merged_header_cells(refused, tmp_path):
    book = sheets.xlsx(tmp_path / "merged.xlsx", [["Организация", "Контакты", None], ["ООО Вектор", "8 495 123-45-67", "Москва"]],
                       merge=["B1:C1"])
    line = refused(book)
    assert "merged.xlsx, sheet 'Лист1', row 1: header cells B1:C1 are merged ('Контакты')" in line


def test_error_cell(refused, tmp_path):
    book = sheets.xlsx(tmp_path / "err.xlsx", [HEADER, GOOD, ["ООО Формула", "#N/A", "Тверь"]])
    line = refused(book)
    assert line.startswith("Error: err.xlsx, sheet 'Лист1', row 3, column B (Телефон): the cell holds the Excel error #N/A")
    book = sheets.xlsx(tmp_path / "ref.xlsx", [HEADER, GOOD, ["ООО Ссылка", "8 495 765-43-21", "#REF!"]])
    assert "ref.xlsx, sheet 'Лист1', row 3, column C (Город): the cell holds the Excel error #REF!" in refused(book)


def test_date_where_a_phone_should_be(refused, tmp_path):
    book = sheets.xlsx(tmp_path / "date.xlsx", [HEADER, GOOD, ["ООО Дата", date(2026, 11, 23), "Тверь"]])
    line = refused(book)
    assert line.startswith("Error: date.xlsx, sheet 'Лист1', row 3, column B (Телефон): the cell is a date (2026-11-23), not a phone")
    text = sheets.text(tmp_path / "date.csv", [HEADER, GOOD, ["ООО Дата", "23.11.2026", "Тверь"]])
    assert "date.csv, row 3, column B (Телефон): '23.11.2026' is a date, not a phone" in refused(text)


def test_bad_options_are_refused_before_reading(refused, tmp_path):
    book = sheets.xlsx(tmp_path / "l.xlsx", [HEADER, GOOD])
    assert "--manager and --assign put clients on a campaign: add --campaign NAME" in refused(book, "--manager", "irina")
    assert "no campaign 'Нет'" in refused(book, "--campaign", "Нет")
    assert "--header-row 0: rows are numbered from 1" in refused(book, "--header-row", "0")
    assert "--encoding 'klingon' is not an encoding" in refused(book, "--encoding", "klingon")
    assert "--region 'XX'" in refused(book, "--region", "XX")


def test_a_manager_may_not_import(cli, engine, tmp_path):
    cli("user", "add", "anna")
    before = dump(engine)
    result = cli("import", sheets.xlsx(tmp_path / "l.xlsx", [HEADER, GOOD]), user="anna", code=3)
    assert result.stderr.startswith("Error: anna (manager) may not import client lists")
    assert dump(engine) == before
