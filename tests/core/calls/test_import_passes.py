"""The import's passes (issue 24): the rows are checked with no database at all, and only the last
pass writes, matching against the base as it is then. What happens between the passes (another
operator adds the same client, the campaign is closed) is met, never a crash or a lost row."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import dump
from tests.fixtures import sheets
from yoolla_tui.core.calls import campaigns, clients
from yoolla_tui.core.calls.importing import plan_import, read_book, read_rows, rows, run_import, write_import
from yoolla_tui.core.kernel import db
from yoolla_tui.core.kernel.errors import Conflict
from yoolla_tui.core.kernel.models import Client, Deal, ImportBatch, ImportRejectedRow, User
from yoolla_tui.core.people import users

HEADER = ["Организация", "Телефон", "Город"]


@pytest.fixture
def team(engine, admin):
    with db.session_scope(engine) as s:
        users.add_user(session=s, actor=admin, login="anna", full_name="Анна Смирнова", role="manager")
        campaigns.create(session=s, actor=admin, name="Seminar", week="2026-W48")


def _read(engine, admin, path, **options):
    """The first two passes as `yoolla import` runs them: a read snapshot, then no database."""
    book = read_book(path)
    with db.read_scope(engine) as s:
        job = plan_import(session=s, actor=s.get(User, admin.id), path=path, book=book, **options)
    read_rows(job)
    return job, book


def _write(engine, admin, job, **kw):
    with db.session_scope(engine) as s:
        return write_import(session=s, actor=s.get(User, admin.id), job=job, **kw)


def test_checking_the_rows_touches_no_database(engine, admin, tmp_path, team, monkeypatch):
    """read_rows is given no session; a query during it would need one. With the engine made
    unusable meanwhile, the row pass still completes, and the write then lands."""
    path = sheets.xlsx(tmp_path / "list.xlsx", [HEADER] + [[f"Org {i}", f"+7495300{i:04d}", "Москва"] for i in range(50)])
    book = read_book(path)
    with db.read_scope(engine) as s:
        job = plan_import(session=s, actor=s.get(User, admin.id), path=path, book=book, campaign="Seminar", manager="anna")

    def no_database(*_a, **_k):
        raise AssertionError("the row pass touched the database")

    with monkeypatch.context() as m:
        m.setattr(type(engine), "connect", no_database)
        m.setattr(type(engine), "begin", no_database)
        read_rows(job)
    assert job.loader.counts.read == 50
    result = _write(engine, admin, job)
    book.close()
    assert (result["inserted"], result["added_to_campaign"]) == (50, 50)


def test_a_client_added_between_the_passes_is_a_duplicate_not_a_clash(engine, admin, tmp_path, team):
    """Another operator adds АО Гранит while the file is checked: the write matches her client (one
    client, one deal on the campaign) instead of failing on the unique phone."""
    path = sheets.xlsx(tmp_path / "list.xlsx", [HEADER, ["ООО Вектор", "+7 495 123-45-67", "Москва"],
                                                ["АО Гранит", "+7 916 123-45-67", "Тверь"]])
    job, book = _read(engine, admin, path, campaign="Seminar", manager="anna")
    with db.session_scope(engine) as s:
        granit = clients.add_client(session=s, actor=s.get(User, admin.id), name="Гранит (добавлен вручную)",
                                    phone="+7 916 123-45-67").id
    result = _write(engine, admin, job)
    book.close()
    assert (result["inserted"], result["duplicates_in_base"], result["added_to_campaign"]) == (1, 1, 2)
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count(Client.id))) == 2
        on_campaign = set(s.scalars(select(Deal.client_id)))
        assert granit in on_campaign and len(on_campaign) == 2
        assert s.get(Client, granit).name == "Гранит (добавлен вручную)"  # hers is kept, not overwritten


def test_a_client_added_between_the_passes_is_matched_when_the_list_is_short(engine, admin, tmp_path, team):
    """Against a base many times the list's size the write looks the list's phones up instead of
    reading the whole base; a client added meanwhile is still found."""
    base = [HEADER] + [[f"База {i}", f"+7495400{i:04d}", ""] for i in range(200)]
    with db.session_scope(engine) as s:
        run_import(session=s, actor=admin, path=sheets.xlsx(tmp_path / "base.xlsx", base))
    path = sheets.xlsx(tmp_path / "list.xlsx", [HEADER, ["База 7 снова", "+7 495 400-00-07", ""],
                                                ["Новый", "+7 916 500-00-01", ""], ["Вписан", "+7 916 500-00-02", ""]])
    job, book = _read(engine, admin, path)
    assert len(job.loader.seen) * rows.LOOKUP_SHARE < 200
    with db.session_scope(engine) as s:
        clients.add_client(session=s, actor=s.get(User, admin.id), name="Вписан вручную", phone="+7 916 500-00-02")
    result = _write(engine, admin, job)
    book.close()
    assert (result["inserted"], result["duplicates_in_base"]) == (1, 2)
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count(Client.id))) == 200 + 2


def test_a_campaign_closed_between_the_passes_is_refused_and_nothing_is_written(engine, admin, tmp_path, team):
    path = sheets.xlsx(tmp_path / "list.xlsx", [HEADER, ["ООО Вектор", "+7 495 123-45-67", "Москва"]])
    job, book = _read(engine, admin, path, campaign="Seminar", manager="anna")
    with db.session_scope(engine) as s:
        campaigns.close(session=s, actor=s.get(User, admin.id), ref="Seminar")
    before = dump(engine)
    with pytest.raises(Conflict, match="closed"):
        _write(engine, admin, job)
    book.close()
    assert dump(engine) == before


def test_rows_past_the_memory_spool_wait_in_a_file_and_all_land_in_order(engine, admin, tmp_path, team, monkeypatch):
    """With chunks of 7 rows and 20 kept in memory, 100 rows spill to the temporary file; every
    one is inserted, the duplicates and rejects are counted, the dry run's preview is the first
    new rows of the file, and the rejected rows are kept with the batch."""
    monkeypatch.setattr(rows, "CHUNK", 7)
    monkeypatch.setattr(rows, "SPOOL_ROWS", 20)
    data = [[f"Org {i:03d}", f"+7495600{i:04d}", ""] for i in range(100)]
    data[50][1] = data[10][1]       # a duplicate within the file
    data[60][1] = "12-34"           # not a phone
    path = sheets.xlsx(tmp_path / "list.xlsx", [HEADER] + data)
    job, book = _read(engine, admin, path)
    assert job.loader.kept.file is not None  # it did spill
    with db.session_scope(engine) as s:
        preview = write_import(session=s, actor=s.get(User, admin.id), job=job, dry_run=True, preview=3)["preview"]
    assert [p["name"] for p in preview] == ["Org 000", "Org 001", "Org 002"]
    job, book2 = _read(engine, admin, path)
    result = _write(engine, admin, job)
    book.close(), book2.close()
    assert (result["read"], result["inserted"], result["duplicates_within_file"], result["rejected"]) == (100, 98, 1, 1)
    with db.session_scope(engine) as s:
        names = set(s.scalars(select(Client.name)))
        assert names == {f"Org {i:03d}" for i in range(100)} - {"Org 050", "Org 060"}
        assert s.scalar(select(func.count()).select_from(ImportRejectedRow)) == 1
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 1  # the dry run left no batch


def test_a_full_temporary_folder_is_one_line_and_nothing_is_written(cli, engine, tmp_path, monkeypatch):
    """Rows past the memory spool go to a temporary file; when the folder is full the import stops
    with one line naming the folder and TMPDIR, and the database is unchanged."""
    import errno
    import tempfile

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rows, "CHUNK", 7)
    monkeypatch.setattr(rows, "SPOOL_ROWS", 20)
    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    path = sheets.xlsx(tmp_path / "list.xlsx", [HEADER] + [[f"Org {i}", f"+7495700{i:04d}", ""] for i in range(60)])
    before = dump(engine)
    result = cli("import", str(path), code=2)
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "No space left on device" in result.stderr and "TMPDIR" in result.stderr and "nothing was imported" in result.stderr
    assert dump(engine) == before
