"""Hostile files (issue 24): each crafted file is refused with one line naming it, or imported
safely; the database is unchanged by a refusal; the process never dies; and reading a file holds
no database lock, so operators keep logging calls meanwhile."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import dump
from tests.fixtures import sheets
from yoolla_tui.core.calls.importing import readers

HEADER = ["Организация", "Телефон", "Город"]


def with_sheet_xml(path: Path, rows_xml: str, *, dimension: str | None = None, pad_mb: int = 0) -> Path:
    """A real .xlsx (openpyxl) whose first sheet's <sheetData> is replaced by `rows_xml`."""
    sheets.xlsx(path, [HEADER, ["ООО Вектор", "8 495 123-45-67", "Москва"]])
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = re.sub(r"<sheetData>.*</sheetData>|<sheetData/>", lambda _m: f"<sheetData>{rows_xml}</sheetData>", xml, flags=re.S)
    if dimension:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
    out = path.with_name("crafted-" + path.name)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            if name == "xl/worksheets/sheet1.xml":
                with dst.open(name, "w", force_zip64=True) as fh:
                    head, tail = xml.split("</sheetData>", 1)
                    fh.write(head.encode())
                    for _ in range(pad_mb):  # whitespace between rows: valid XML, packs ~1000:1
                        fh.write(b" " * (1 << 20))
                    fh.write(("</sheetData>" + tail).encode())
            else:
                dst.writestr(name, data)
    return out


def header_row() -> str:
    return ('<row r="1"><c r="A1" t="inlineStr"><is><t>Организация</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>Телефон</t></is></c></row>')


@pytest.fixture
def refused(cli, engine):
    """Run `yoolla import …` expecting a refusal: one stderr line, no traceback, nothing changed."""
    def run(*args: str, env=None) -> str:
        before = dump(engine)
        result = cli("import", *map(str, args), code=None, env=env)
        assert result.exit_code != 0, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert dump(engine) == before
        return lines[0]

    return run


def test_formula_error_cells_without_a_value_are_refused_by_row(refused, tmp_path):
    """30,000 `<c t="e"><f>1/0</f></c>` cells (the quadratic-regex file, smaller): the first is named."""
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>Org {i}</t></is></c>'
                   f'<c r="B{i}" t="e"><f>1/0</f></c></row>' for i in range(2, 30_002))
    line = refused(with_sheet_xml(tmp_path / "errors.xlsx", header_row() + rows))
    assert "row 2" in line and "column B" in line and "Excel error" in line


def test_error_cell_scan_is_linear_and_exact():
    """200,000 error cells with and without a cached value: every one found, in one pass."""
    cells = "".join(f'<c r="B{i}" t="e"><f>1/0</f></c>' if i % 2 else f'<c r="B{i}" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
                    for i in range(1, 200_001))
    found = readers.error_cells(f'<worksheet><sheetData><row r="1">{cells}</row></sheetData></worksheet>'.encode())
    assert len(found) == 200_000
    assert found[(2, 1)] == "#DIV/0!" and found[(3, 1)] == "#?"


def test_one_cell_at_xfd1048576_is_refused_before_the_reader(refused, tmp_path):
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    line = refused(with_sheet_xml(tmp_path / "far.xlsx", header_row() + far))
    assert "1048576 rows × 16384 columns" in line and "far.xlsx" in line


def test_declared_dimension_past_the_limit_is_refused(refused, tmp_path):
    line = refused(with_sheet_xml(tmp_path / "dim.xlsx", header_row(), dimension="A1:XFD1048576"))
    assert "limit is 30,000,000 cells" in line


def test_zip_bomb_is_refused_by_its_packing_ratio(refused, tmp_path):
    bomb = with_sheet_xml(tmp_path / "bomb.xlsx", header_row(), pad_mb=24)
    assert bomb.stat().st_size < 1024 * 1024
    line = refused(bomb)
    assert "zip bomb" in line and "sheet1.xml" in line


def test_a_read_that_outgrows_its_memory_is_one_line_not_a_dead_process(refused, tmp_path):
    """A cell at ZZ999999 passes the cheap checks; calamine then wants ~22 GB: the child dies of its
    memory limit and the import is refused with one line."""
    far = '<row r="999999"><c r="ZZ999999"><v>1</v></c></row>'
    line = refused(with_sheet_xml(tmp_path / "big.xlsx", header_row() + far), env={"YOOLLA_IMPORT_MEMORY_MB": "512"})
    assert "needs more than 512 MB of memory" in line


def _anna_with_a_deal(engine, monkeypatch) -> tuple[str, int]:
    """A world with anna and her deal, and a one-second busy timeout for the engines made after."""
    from tests.core import world
    from yoolla_tui.core.kernel import db

    with db.session_scope(engine) as session:
        built = world.build(session, n_clients=2)
        deal_id = world.deal_ids(session, built.irina, "W48")["C1"]
    monkeypatch.setenv("YOOLLA_BUSY_TIMEOUT", "1")
    db.get_engine.cache_clear()
    return engine.url.render_as_string(hide_password=False), deal_id


def test_call_log_succeeds_while_an_import_is_being_read(cli, engine, monkeypatch, tmp_path):
    """While the child reads the file, anna logs a call on the same database: it commits (with the
    old BEGIN IMMEDIATE before reading, it waited out the busy timeout); then the import lands."""
    from yoolla_tui.core.calls import deals
    from yoolla_tui.core.calls.importing import isolate
    from yoolla_tui.core.kernel import db
    from yoolla_tui.core.kernel.models import Call, Client
    from yoolla_tui.core.people import users

    url, deal_id = _anna_with_a_deal(engine, monkeypatch)
    original = isolate.wait_child

    def wait_child(pid):
        with db.session_scope(db.get_engine(url)) as session:
            anna = users.get_by_login(session, "anna")
            deals.log_call(session=session, actor=anna, deal_id=deal_id, outcome="no_answer")
        return original(pid)

    monkeypatch.setattr(isolate, "wait_child", wait_child)
    rows = [HEADER] + [[f"Org {i}", f"+7495200{i:04d}", "Москва"] for i in range(2000)]
    cli("import", sheets.xlsx(tmp_path / "big.xlsx", rows))
    with db.session_scope(db.get_engine(url)) as session:
        assert session.scalar(select(func.count(Call.id)).where(Call.deal_id == deal_id)) == 1
        assert session.scalar(select(func.count(Client.id))) == 2 + 2000


def test_a_read_that_spins_past_its_processor_time_is_one_line(refused, tmp_path, monkeypatch):
    """A file that keeps the reader busy (a crafted one, or a parser stuck in a loop) is stopped by
    the child's processor-time limit and refused with one line; the import never hangs forever."""
    from yoolla_tui.core.calls.importing import isolate

    def spin(*_args):
        while True:
            pass

    monkeypatch.setattr(isolate, "_spool", spin)  # the forked child runs this instead of the reader
    line = refused(with_sheet_xml(tmp_path / "slow.xlsx", header_row()), env={"YOOLLA_IMPORT_CPU_SECONDS": "1"})
    assert "took more than 1 s of processor time" in line and "YOOLLA_IMPORT_CPU_SECONDS" in line


def test_call_log_succeeds_while_the_rows_of_an_import_are_checked(cli, engine, monkeypatch, tmp_path):
    """The row pass (phones normalised, cells checked, duplicates within the file found) holds no
    transaction: anna's call log in the middle of it commits at once with a one-second busy
    timeout (when the pass ran inside the import's write transaction, it waited and failed
    "busy"). Then the import lands whole."""
    import time

    from yoolla_tui.core.calls import deals
    from yoolla_tui.core.kernel import db, phones
    from yoolla_tui.core.kernel.models import Call, Client
    from yoolla_tui.core.people import users

    url, deal_id = _anna_with_a_deal(engine, monkeypatch)
    original, waits = phones.normalise, []

    def normalise(text, region):
        if len(waits) < 3:  # three calls, at the 1st, 2nd and 3rd row
            start = time.perf_counter()
            with db.session_scope(db.get_engine(url)) as session:
                anna = users.get_by_login(session, "anna")
                deals.log_call(session=session, actor=anna, deal_id=deal_id, outcome="no_answer")
            waits.append(time.perf_counter() - start)
        return original(text, region)

    monkeypatch.setattr(phones, "normalise", normalise)
    rows = [HEADER] + [[f"Org {i}", f"+7495200{i:04d}", "Москва"] for i in range(500)]
    cli("import", sheets.xlsx(tmp_path / "big.xlsx", rows))
    assert len(waits) == 3 and max(waits) < 0.9, waits
    with db.session_scope(db.get_engine(url)) as session:
        assert session.scalar(select(func.count(Call.id)).where(Call.deal_id == deal_id)) == 3
        assert session.scalar(select(func.count(Client.id))) == 2 + 500
