"""Realistic call lists, as offices send them: for the demo, the benchmarks and the tests.

`n` distinct clients (Russian organisations, phones in the mixed formats people type, some
typed by Excel as numbers, some cells with two numbers or an extension), plus about 5% rows
repeating an earlier client with the phone written differently, and about 3% junk rows (no
phone, "нет", a short number). Title lines sit above the header, as in exports. Importing a
generated list inserts exactly `n` clients.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Iterator

HEADER = ["№", "Наименование организации", "Контактное лицо", "Телефон", "E-mail", "Город", "Примечание", "ИНН"]
TITLE_LINES = [["Список клиентов на 23.11"], ["Выгрузка из 1С: Предприятие, менеджер Орлова И. В."], []]

_FORMS = ["ООО", "ООО", "ООО", "АО", "ИП", "ЗАО", "ПАО", "ГБУ"]
_WORDS = ["Альфа", "Вектор", "Гранит", "Дельта", "Заря", "Исток", "Кедр", "Лидер", "Меридиан", "Нева", "Орион",
          "Прогресс", "Радуга", "Сигма", "Темп", "Уран", "Феникс", "Элара", "Юпитер", "Янтарь", "Северный ветер",
          "Стройинвест", "Техснаб", "Промресурс", "Инфосервис", "Медиа-Групп", "Агроторг", "Логистика Плюс", "Ёлка",
          "Волга", "Байкал", "Сибирь", "Урал-Сервис", "Альянс", "Династия", "Триумф", "Профи", "Эталон", "Пионер"]
_TRADES = ["", "", "", " Строй", " Трейд", " Консалт", " Мед", " Агро", " Авто", " Софт", " Печать"]
_SURNAMES = ["Иванов", "Смирнова", "Ковалёв", "Морозова", "Соколов", "Лебедева", "Новиков", "Фёдорова", "Кузнецов",
             "Попова", "Волков", "Алексеева", "Семёнов", "Павлова", "Голубев", "Виноградова", "Богданов", "Воробьёва"]
_INITIALS = ["П. С.", "О. В.", "А. И.", "Е. П.", "Д. О.", "Н. Ю.", "А. И.", "М. А.", "И. Н.", "Т. Г."]
_CITIES = ["Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Самара", "Тверь",
           "Ярославль", "Пермь"]
_CODES = ["495", "499", "812", "843", "343", "383", "831", "846", "916", "903", "926", "985", "915", "967"]
_NOTES = ["", "", "", "", "звонить после 14:00", "бухгалтерия", "был на семинаре в 2025", "просили КП", "секретарь"]
_JUNK = [("", ""), ("нет", ""), ("123-45", ""), ("не указан", ""), ("+7 (000) 000-00-00", ""), ("", "Итого")]


def _phone_text(code: str, number: str, style: int, rng: random.Random):
    a, b, c = number[:3], number[3:5], number[5:]
    if style == 0:
        return f"+7 ({code}) {a}-{b}-{c}"
    if style == 1:
        return f"8 {code} {number}"
    if style == 2:
        return f"8{code}{number}"
    if style == 3:
        return f"7-{code}-{a}-{b}-{c}"
    if style == 4:
        return f"({code}) {a}-{b}-{c}"
    if style == 5:
        return f"{code}{number}"
    if style == 6:
        return int(f"7{code}{number}")  # Excel stored it as a number
    if style == 7:
        return f"8 ({code}) {a}-{b}-{c} доб. {rng.randint(10, 999)}"
    other = f"9{rng.randint(10, 89)}{rng.randint(1000000, 9999999)}"
    return f"{code} {a}-{b}-{c}, {other[:3]} {other[3:6]}-{other[6:8]}-{other[8:]}"


def generate(n: int, *, seed: int = 1, duplicates: float = 0.05, junk: float = 0.03) -> Iterator[list]:
    """Data rows (no header): `n` distinct clients, plus duplicates and junk mixed in."""
    rng = random.Random(seed)
    step = 7_654_321  # coprime with 10**7: i -> a distinct 7-digit number per code, no set to keep
    recent: list[tuple[str, str, str]] = []
    index = 0
    for i in range(n):
        which = i % len(_CODES)
        code = _CODES[which]
        number = f"{((i // len(_CODES)) * step + 1_234_567 + which * 3_141_593) % 10_000_000:07d}"
        style = rng.choices(range(9), weights=(20, 16, 10, 8, 10, 8, 14, 6, 8))[0]
        name = f"{rng.choice(_FORMS)} «{rng.choice(_WORDS)}{rng.choice(_TRADES)}»"
        if rng.random() < .3:
            name = f"{name[:-1]} {rng.randint(1, 99)}»"
        person = f"{rng.choice(_SURNAMES)} {rng.choice(_INITIALS)}" if rng.random() < .85 else ""
        index += 1
        yield [index, name, person, _phone_text(code, number, style, rng),
               f"info{i + 1}@example.ru" if rng.random() < .6 else "", rng.choice(_CITIES), rng.choice(_NOTES),
               str(7700000000 + i) if rng.random() < .4 else ""]
        if style == 7:
            pass  # an extension is part of the key: its repeat would be another client
        elif len(recent) < 64:
            recent.append((name, code, number))
        else:
            recent[rng.randrange(64)] = (name, code, number)
        if recent and rng.random() < duplicates:
            dup_name, dup_code, dup_number = rng.choice(recent)
            index += 1
            yield [index, dup_name.upper() if rng.random() < .5 else dup_name, "",
                   _phone_text(dup_code, dup_number, rng.randrange(7), rng), "", rng.choice(_CITIES), "повтор", ""]
        if rng.random() < junk:
            phone, name = rng.choice(_JUNK)
            index += 1
            yield [index, name or rng.choice(["", "ООО «Без телефона»", "уточнить"]), "", phone, "", "", "", ""]


def write_csv(path: str | Path, n: int, *, seed: int = 1, encoding: str = "cp1251", delimiter: str = ";",
              titles: bool = True) -> Path:
    """A generated list as an office's CSV export (cp1251, `;` by default)."""
    path = Path(path)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        if titles:
            writer.writerows(TITLE_LINES)
        writer.writerow(HEADER)
        writer.writerows(generate(n, seed=seed))
    return path


def write_xlsx(path: str | Path, n: int, *, seed: int = 1, titles: bool = True, sheet: str = "Клиенты") -> Path:
    """A generated list as an .xlsx (openpyxl, write-only: fine for 100k rows)."""
    from openpyxl import Workbook

    path = Path(path)
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    if titles:
        for line in TITLE_LINES:
            ws.append(line)
    ws.append(HEADER)
    for row in generate(n, seed=seed):
        ws.append(row)
    book.save(path)
    return path
