"""Header recognition: Russian and English, any case, spacing, punctuation and ё/е; the header
row found under title lines; --map overrides."""

import pytest

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.calls.importing.headers import FIELDS, build_columns, field_of, find_header, fold, parse_maps


@pytest.mark.parametrize("header,field", [
    ("Организация", "name"), ("КОМПАНИЯ", "name"), ("Наименование", "name"), ("Клиент", "name"),
    ("Наименование организации", "name"), ("Company", "name"), ("Organisation", "name"),
    ("Контактное лицо", "contact_person"), ("контактное  лицо:", "contact_person"), ("ФИО", "contact_person"),
    ("Contact person", "contact_person"),
    ("Телефон", "phone"), ("Тел.", "phone"), ("тел", "phone"), ("Моб.", "phone"), ("Моб. тел.", "phone"),
    ("Контактный телефон", "phone"), ("Телефон (рабочий)", "phone"), ("Phone", "phone"), ("Mobile", "phone"),
    ("E-mail", "email"), ("e-mail", "email"), ("Email", "email"), ("Почта", "email"), ("Электронная почта", "email"),
    ("Город", "city"), ("City", "city"), ("Населённый пункт", "city"),
    ("Комментарий", "note"), ("Примечание", "note"), ("Примечания", "note"), ("Notes", "note"),
    ("ИНН", None), ("№ п/п", None), ("", None),
])
def test_field_of(header, field):
    assert field_of(header) == field


def test_fold_ignores_case_spacing_punctuation_and_yo():
    assert fold("  Населённый-пункт: ") == fold("населенный пункт") == "населенныйпункт"


def test_header_row_found_under_title_lines():
    rows = [(1, ["Список клиентов на 23.11", "", ""]), (2, ["", "", ""]), (3, ["Выгрузка: отдел продаж", "", ""]),
            (4, ["Организация", "Тел.", "Город"]), (5, ["ООО Вектор", "8 495 123-45-67", "Москва"])]
    assert find_header(rows) == 3


def test_a_title_naming_one_field_is_not_a_header():
    rows = [(1, ["Клиенты", "", ""]), (2, ["Организация", "Телефон", ""])]
    assert find_header(rows) == 1
    assert find_header([(1, ["Клиенты"]), (2, ["ООО Вектор"])]) is None
    assert find_header([(1, ["Телефон"]), (2, ["8 495 123-45-67"])]) == 0


def test_header_beyond_twenty_rows_is_not_searched():
    rows = [(n, [f"строка {n}"]) for n in range(1, 21)] + [(21, ["Организация", "Телефон"])]
    assert find_header(rows) is None


def test_map_overrides_a_guess_and_a_field_named_twice_keeps_the_first():
    columns = build_columns(["Организация", "Телефон", "Моб. тел.", "Юр. лицо"], parse_maps(["Моб. тел.=phone", "D=name"], FIELDS),
                            allowed=FIELDS, extra=None, where="f.xlsx")
    assert [(c.letter, c.field) for c in columns] == [("A", None), ("B", None), ("C", "phone"), ("D", "name")]
    columns = build_columns(["Телефон", "Моб."], {}, allowed=FIELDS, extra=None, where="f.xlsx")
    assert [c.field for c in columns] == ["phone", None]


def test_map_skip_and_extra():
    columns = build_columns(["Организация", "Телефон", "Город"], parse_maps(["Город=skip", "Организация=extra"], FIELDS),
                            allowed=FIELDS, extra=None, where="f.xlsx")
    assert [(c.field, c.skip) for c in columns] == [(None, False), ("phone", False), (None, True)]


@pytest.mark.parametrize("item,message", [
    ("Телефон", "expected \"Header=field\""), ("=phone", "the header before '=' is empty"),
    ("Телефон=fone", "unknown field 'fone'; fields: name, contact_person, phone, email, city, note, last_name, first_name, middle_name, do_not_call, extra, skip"),
])
def test_parse_maps_refuses(item, message):
    with pytest.raises(BadInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_maps([item], FIELDS)
