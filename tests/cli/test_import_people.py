"""Issue 18: people lists from anywhere. An English office export and a Russian ФИО list, with a
do-not-call column and phones written in groups; --region auto; the hint when the region is
forced wrong; a non-zero exit when nothing could be imported; the rejected-rows file in the
current directory when the input's folder is read-only."""

import csv
import os

import pytest
from sqlalchemy import select

from tests.conftest import dump
from tests.fixtures import sheets
from yoolla_tui.core.kernel import db
from yoolla_tui.core.calls.importing import service
from yoolla_tui.core.kernel.models import Client, Deal

US_HEADER = ["CustomerID", "First_Name", "Last_Name", "Phone_Number", "Address", "Paying Customer", "Do_Not_Contact"]
US_ROWS = [
    US_HEADER,
    [1, "John", "Smith", "876|678|3469", "12 Hope Rd", "Yes", "No"],
    [2, "Mary", "Jones", "212.736.5000", "5th Ave", "No", "Y"],
    [3, "Ann", "Lee", "718/555/0123", "", "Yes", "TRUE"],
    [4, "Bob", "Ray", "201 555 0147", "", "No", ""],
    [5, "Eve", "Stone", "(650) 253-0000", "", "No", "N"],
    [6, "Tom", "Hardy", "212 736 5003 / 646 253 0001", "", "Yes", 1],    # two numbers: the second is kept
    [7, "Kim", "Park", "2025550173", "", "No", "FALSE"],
    [8, "Lou", "Reed", "5105550123", "", "No", 0],
    [9, "Sam", "Hill", "", "", "No", "No"],                                # no phone
    [10, "Ada", "King", "646 555 0199", "", "No", "maybe"],              # unreadable do-not-call answer
    [11, "Joe", "Black", "876 678 3469", "", "No", "No"],                # the same number as row 1
    [12, "", "", "212 736 5009", "", "No", "No"],                         # nobody: no name at all
]


def _us_list(tmp_path):
    return sheets.xlsx(tmp_path / "customers.xlsx", US_ROWS, sheet="Sheet1")


def _clients(engine) -> dict[str, Client]:
    with db.session_scope(engine) as s:
        return {c.phone: c for c in s.scalars(select(Client))}


def test_english_people_list_imports_people_with_their_do_not_call(cli, engine, tmp_path):
    out = cli.json("import", _us_list(tmp_path))
    assert (out["read"], out["inserted"], out["do_not_call"], out["rejected"], out["duplicates"]) == (12, 8, 3, 3, 1)
    assert (out["region"], out["region_auto"]) == ("US", True)
    stored = _clients(engine)
    assert sorted(stored) == ["+12015550147", "+12025550173", "+12127365000", "+12127365003", "+15105550123",
                              "+16502530000", "+17185550123", "+18766783469"]
    john = stored["+18766783469"]
    assert (john.name, john.contact_person, john.phone_raw, john.do_not_call) == ("John Smith", "John Smith", "876|678|3469", False)
    assert john.extra == {"CustomerID": "1", "Address": "12 Hope Rd", "Paying Customer": "Yes"}
    assert sorted(c.name for c in stored.values() if c.do_not_call) == ["Ann Lee", "Mary Jones", "Tom Hardy"]
    mary = stored["+12127365000"]
    assert (mary.dnc_reason, mary.dnc_at is not None) == ("do-not-call in customers.xlsx", True)
    assert stored["+12127365003"].extra["phone_2"] == "646 253 0001"
    with (tmp_path / "customers.rejected.csv").open(encoding="utf-8-sig") as fh:
        rejected = {row[0]: row[-1] for row in csv.reader(fh, delimiter=";")}
    assert rejected == {"row": "reason", "10": "no phone",
                        "11": "'maybe' in column G (Do_Not_Contact) is not a do-not-call answer: write yes or no "
                              "(да/нет, Y/N, 1/0, TRUE/FALSE) or leave it empty",
                        "13": "no organisation name (nor contact person)"}


def test_do_not_call_clients_never_go_on_the_campaign(cli, engine, tmp_path):
    cli("user", "add", "anna")
    cli("campaign", "create", "Spring", "--week", "2026-W48")
    out = cli.json("import", _us_list(tmp_path), "--campaign", "Spring", "--manager", "anna")
    assert (out["inserted"], out["added_to_campaign"], out["skipped_do_not_call"]) == (8, 5, 3)
    with db.session_scope(engine) as s:
        on_campaign = set(s.scalars(select(Client.name).join(Deal, Deal.client_id == Client.id)))
    assert on_campaign == {"John Smith", "Bob Ray", "Eve Stone", "Kim Park", "Lou Reed"}


def test_a_do_not_call_column_marks_clients_already_in_the_base(cli, engine, tmp_path):
    cli("client", "add", "Mary's shop", "--phone", "+1 212 736 5000")
    out = cli.json("import", _us_list(tmp_path))
    assert (out["inserted"], out["duplicates_in_base"], out["do_not_call"]) == (7, 1, 3)
    mary = _clients(engine)["+12127365000"]
    assert (mary.name, mary.do_not_call, mary.dnc_reason) == ("Mary's shop", True, "do-not-call in customers.xlsx")


RU_ROWS = [
    ["Список на обзвон"], [],
    ["ФИО", "Телефон", "Город", "Не звонить"],
    ["Иванов Пётр Сергеевич", "8 (916) 123-45-67", "Москва", "нет"],
    ["Петрова Анна Ивановна", "8|916|765|43|21", "Тверь", "да"],
    ["Сидоров Олег", "8.495.123.45.67", "", "Да"],
    ["Кузнецова Мария", "+7 903 111-22-33 / 8 903 111 22 44", "", ""],    # two numbers
    ["Орлов Игорь", "9161112233", "", "НЕТ"],
    ["Без телефона", "", "", "нет"],
    ["Смирнов Иван", "8 916 555-66-77", "", "потом"],                      # unreadable answer
    ["Дубль", "+7 916 123 45 67", "", "нет"],                               # the same number as the first row
]


def test_russian_fio_list_with_do_not_call(cli, engine, tmp_path):
    out = cli.json("import", sheets.text(tmp_path / "обзвон.csv", RU_ROWS, encoding="cp1251"))
    assert (out["read"], out["inserted"], out["do_not_call"], out["rejected"], out["duplicates"]) == (8, 5, 2, 2, 1)
    assert out["region"] == "RU"
    stored = _clients(engine)
    assert {p: (c.name, c.contact_person, c.do_not_call) for p, c in stored.items()} == {
        "+79161234567": ("Иванов Пётр Сергеевич", "Иванов Пётр Сергеевич", False),
        "+79167654321": ("Петрова Анна Ивановна", "Петрова Анна Ивановна", True),
        "+74951234567": ("Сидоров Олег", "Сидоров Олег", True),
        "+79031112233": ("Кузнецова Мария", "Кузнецова Мария", False),
        "+79161112233": ("Орлов Игорь", "Орлов Игорь", False)}
    assert stored["+79031112233"].extra == {"phone_2": "8 903 111 22 44"}
    assert stored["+79167654321"].dnc_reason == "do-not-call in обзвон.csv"


def test_russian_name_parts_join_surname_first(cli, engine, tmp_path):
    rows = [["Фамилия", "Имя", "Отчество", "Мобильный", "Организация", "Не беспокоить"],
            ["Иванов", "Пётр", "Сергеевич", "+7 916 123-45-67", "", "0"],
            ["Петрова", "Анна", "", "8 916 765 43 21", "ООО Вектор", "1"]]
    out = cli.json("import", sheets.xlsx(tmp_path / "люди.xlsx", rows))
    assert (out["inserted"], out["do_not_call"], out["rejected"], out["region"]) == (2, 1, 0, "RU")
    stored = _clients(engine)
    assert (stored["+79161234567"].name, stored["+79161234567"].contact_person) == ("Иванов Пётр Сергеевич", "Иванов Пётр Сергеевич")
    assert (stored["+79167654321"].name, stored["+79167654321"].contact_person, stored["+79167654321"].do_not_call) == \
        ("ООО Вектор", "Петрова Анна", True)


def test_english_middle_name_goes_between(cli, engine, tmp_path):
    rows = [["Last name", "First name", "Middle name", "Phone"], ["Smith", "John", "Paul", "212 736 5000"]]
    cli.json("import", sheets.xlsx(tmp_path / "people.xlsx", rows))
    assert _clients(engine)["+12127365000"].name == "John Paul Smith"


def test_region_auto_is_said_in_the_summary(cli, tmp_path):
    result = cli("import", _us_list(tmp_path))
    assert "Phones read for region US (decided from the numbers; --region XX to force it)" in result.stdout
    assert "marked do-not-call" in result.stdout


def test_a_fixed_region_still_works(cli, tmp_path):
    out = cli.json("import", _us_list(tmp_path), "--region", "US")
    assert (out["inserted"], out["region"], out["region_auto"]) == (8, "US", False)


def test_region_forced_wrong_gives_the_fix_in_one_line_and_exits_non_zero(cli, engine, tmp_path):
    rows = [["First_Name", "Last_Name", "Phone_Number"]] + [[f"N{i}", "Doe", f"212 736 {5000 + i}"] for i in range(19)] + \
           [["Al", "Doe", ""], ["Bo", "Doe", "12"]]
    path = sheets.xlsx(tmp_path / "us.xlsx", rows)
    result = cli("import", path, "--region", "RU", code=2)
    hint = "19 of 21 phones are not valid for RU; they look like US numbers: --region US"
    assert hint in result.stdout
    assert result.stderr == f"Error: all 21 rows were rejected; nothing was imported. {hint}\n"
    assert (tmp_path / "us.rejected.csv").exists()
    assert f"Rejected rows with their reasons: {tmp_path / 'us.rejected.csv'}" in result.stdout.replace("\n", "")
    assert cli.json("import", "show", "1")["rejected"] == 21
    assert cli.json("import", path)["inserted"] == 19


def test_every_row_rejected_exits_non_zero_after_writing_the_rejected_file(cli, engine, tmp_path):
    path = sheets.xlsx(tmp_path / "junk.xlsx", [["Организация", "Телефон"], ["А", "нет"], ["Б", "12"]])
    result = cli("import", path, "--format", "json", code=2)
    assert '"rejected": 2' in result.stdout
    assert result.stderr.startswith("Error: all 2 rows were rejected; nothing was imported.")
    with (tmp_path / "junk.rejected.csv").open(encoding="utf-8-sig") as fh:
        assert [row[0] for row in csv.reader(fh, delimiter=";")] == ["row", "2", "3"]


def test_rejected_file_goes_to_the_current_directory_when_the_input_folder_is_read_only(cli, tmp_path, monkeypatch):
    folder, here = tmp_path / "readonly", tmp_path / "here"
    folder.mkdir()
    here.mkdir()
    path = sheets.xlsx(folder / "list.xlsx", [["Организация", "Телефон"], ["ООО Вектор", "8 495 123-45-67"], ["Мусор", "нет"]])
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root writes anywhere: make the folder read-only as everyone else sees it
        real = os.access
        monkeypatch.setattr(service.os, "access", lambda p, mode: False if os.path.realpath(p) == str(folder) else real(p, mode))
    monkeypatch.chdir(here)
    try:
        result = cli("import", path)
    finally:
        folder.chmod(0o755)
    assert (here / "list.rejected.csv").exists() and not (folder / "list.rejected.csv").exists()
    assert f"Rejected rows with their reasons: {here / 'list.rejected.csv'}" in result.stdout.replace("\n", "")


@pytest.mark.parametrize("value", ["да", "нет", "Y", "n", "TRUE", "false", "1", "0", ""])
def test_do_not_call_answers(cli, engine, tmp_path, value):
    path = sheets.xlsx(tmp_path / "one.xlsx", [["Организация", "Телефон", "DNC"], ["ООО Вектор", "8 495 123-45-67", value]])
    before = value.lower() in ("да", "y", "true", "1")
    out = cli.json("import", path)
    assert (out["inserted"], out["do_not_call"]) == (1, int(before))
    assert _clients(engine)["+74951234567"].do_not_call is before


def test_dry_run_of_a_people_list_changes_nothing(cli, engine, tmp_path):
    before = dump(engine)
    out = cli.json("import", _us_list(tmp_path), "--dry-run")
    assert (out["inserted"], out["do_not_call"]) == (8, 3)
    assert dump(engine) == before
