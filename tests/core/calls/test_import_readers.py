"""Reading every file an office has: .xlsx/.xls/.ods through calamine, csv/txt in UTF-8 (with
or without BOM), cp1251 or UTF-16, delimited by ; , tab or |."""

import pytest

from tests.fixtures import sheets
from yoolla_tui.core.calls.importing import run_import
from yoolla_tui.core.calls.importing.readers import detect_encoding, open_book, sniff_delimiter
from yoolla_tui.core.kernel.models import Client
from sqlmodel import select

ROWS = [["Список клиентов на 23.11"], [], ["Организация", "Контактное лицо", "Телефон", "Город"],
        ["ООО «Вектор»", "Иванов Пётр", "8 (495) 123-45-67", "Москва"],
        ["АО «Гранит», филиал", "Петрова Ольга", "79161234567", "Тверь"],
        ["ИП Сидоров", "", "+7 916 765-43-21", "Казань"]]
EXPECTED = [("ООО «Вектор»", "+74951234567", "Иванов Пётр", "Москва"), ("АО «Гранит», филиал", "+79161234567", "Петрова Ольга", "Тверь"),
            ("ИП Сидоров", "+79167654321", "", "Казань")]


def _clients(session):
    return sorted((c.name, c.phone, c.contact_person, c.city) for c in session.scalars(select(Client)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_text_tables_in_every_encoding_and_delimiter(session, admin, tmp_path, encoding, delimiter):
    path = sheets.text(tmp_path / "list.csv", ROWS, encoding=encoding, delimiter=delimiter)
    result = run_import(session=session, actor=admin, path=path)
    assert (result["read"], result["inserted"], result["rejected"]) == (3, 3, 0)
    assert result["sheets"][0]["header_row"] == 3 and result["sheets"][0]["delimiter"] == delimiter
    assert _clients(session) == sorted(EXPECTED)


def test_txt_and_explicit_encoding_and_delimiter(session, admin, tmp_path):
    path = sheets.text(tmp_path / "list.txt", ROWS, encoding="cp1251", delimiter="\t")
    result = run_import(session=session, actor=admin, path=path, encoding="cp1251", delimiter="tab")
    assert result["inserted"] == 3


@pytest.mark.parametrize("name", ["list.xls", "list.ods"])
def test_old_excel_and_opendocument(session, admin, tmp_path, name):
    result = run_import(session=session, actor=admin, path=sheets.fixture(name, tmp_path))
    assert (result["read"], result["inserted"], result["sheets"][0]["header_row"]) == (3, 3, 3)
    assert sorted(row[1] for row in _clients(session)) == sorted(["+74951234567", "+79161234567", "+79167654321"])


def test_xlsm_is_read_like_xlsx(session, admin, tmp_path):
    book = sheets.xlsx(tmp_path / "macro.xlsx", ROWS)
    path = book.rename(tmp_path / "macro.xlsm")
    assert run_import(session=session, actor=admin, path=path)["inserted"] == 3


def test_formula_cells_give_their_cached_value(session, admin, tmp_path):
    book = sheets.xlsx(tmp_path / "f.xlsx", [["Организация", "Телефон"], ["ООО Вектор", "x"], ["АО Гранит", 0]])
    sheets.set_formula(book, "B2", "CONCATENATE(&quot;8495&quot;,&quot;1234567&quot;)", "84951234567", string=True)
    sheets.set_formula(book, "B3", "79161234567+0", "79161234567")
    run_import(session=session, actor=admin, path=book)
    assert [row[:2] for row in _clients(session)] == [("АО Гранит", "+79161234567"), ("ООО Вектор", "+74951234567")]


def test_data_not_starting_in_a1_keeps_spreadsheet_rows_and_columns(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active["C3"], book.active["D5"] = "a", "b"
    book.save(tmp_path / "off.xlsx")
    table = open_book(tmp_path / "off.xlsx").table("Sheet")
    assert [(n, r) for n, r in table.rows if any(r)] == [(3, ["", "", "a", ""]), (5, ["", "", "", "b"])]


def test_a_csv_saved_as_xls_is_read_as_text(session, admin, tmp_path):
    path = sheets.text(tmp_path / "export.xls", ROWS, encoding="cp1251")
    assert run_import(session=session, actor=admin, path=path)["inserted"] == 3


def test_detect_encoding_and_sniff_delimiter():
    text = "Организация;Телефон\nООО «Вектор», филиал;8 495 123-45-67\n"
    assert detect_encoding(text.encode("cp1251"), "f") == "cp1251"
    assert detect_encoding(text.encode("utf-8"), "f") == "utf-8"
    assert detect_encoding(text.encode("utf-8-sig"), "f") == "utf-8-sig"
    assert detect_encoding(text.encode("utf-16"), "f") == "utf-16"
    assert sniff_delimiter(["Список на 23.11", *text.splitlines()]) == ";"
    assert sniff_delimiter(["a|b|c", "1|2, 3|4"]) == "|"
