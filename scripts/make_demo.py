"""Make the demo files: run from the repository root, commit what it writes.

    python scripts/make_demo.py

- clients.xlsx: the list `yoolla demo` imports — 300 Russian organisations under title lines,
  phones in mixed formats (some stored by Excel as numbers, some with an extension or a second
  number), about 5% repeats written differently and about 3% junk rows.
- export.csv, customers.xlsx: the README's examples of a cp1251 CSV that needs `--map` and of a
  people list of US numbers.
- week47.xlsx: last week's workbook in the shape of the office's old weekly workbook, for the migration path: one sheet per
  demo manager (by full name or login), their status words, and an "Итоги" sheet.

      yoolla campaign create "Семинар 2026-W47" --week 2026-W47
      yoolla import yoolla_tui/data/demo/week47.xlsx --sheets-as-managers --campaign "Семинар 2026-W47"
"""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from yoolla_tui.core.calls.importing import samples

HERE = Path(__file__).resolve().parents[1] / "yoolla_tui" / "data" / "demo"
SEED = 48
LIST_SIZE = 300

SHEETS = ["Анна Смирнова", "boris", "Вера Попова"]
HEADER = ["Организация", "Контактное лицо", "Телефон", "E-mail", "Статус", "Текущее значение", "Качество", "Сумма"]
# (status, current value, quality, amount) as people typed them, ё and case as they come.
STORIES = [
    ("", "недозвон", "", ""), ("", "Недозвон", "", ""), ("", "перезвонить", "", ""), ("", "клиент", "", ""),
    ("Счет выставлен", "клиент", "", "15 000"), ("счёт выставлен", "", "", ""), ("Счет оплачен", "клиент", "", "18000"),
    ("Счет оплачен", "", "понравилась услуга", "24000"), ("Отказ", "отказался", "", ""), ("", "отказался", "", ""),
    ("", "Черный список", "", ""), ("", "чёрный список", "", ""), ("Счет оплачен", "", "не понравилась услуга", "15000"),
    ("", "", "", ""),
]


def make_workbook(path: Path, rng: random.Random) -> None:
    rows = list(samples.generate(60, seed=SEED + 1, duplicates=0, junk=0))
    book = Workbook()
    book.remove(book.active)
    for index, title in enumerate(SHEETS):
        ws = book.create_sheet(title)
        ws.append([f"Неделя 47, менеджер: {title}"])
        ws.append(HEADER)
        ws[2][0].font = Font(bold=True)
        for row, story in zip(rows[index * 14:(index + 1) * 14], rng.sample(STORIES, len(STORIES))):
            phone = row[3] if not isinstance(row[3], str) or "доб" not in row[3] else row[3].split(" доб")[0]
            ws.append([row[1], row[2], phone, row[4], *story])
    totals = book.create_sheet("Итоги")
    totals.append(["Воронка недели 47"])
    totals.append(["Этап", "Анна Смирнова", "boris", "Вера Попова", "Всего"])
    for stage in ("Позвонили", "Согласились", "Счет выставлен", "Счет оплачен", "Пришли"):
        counts = [rng.randint(1, 14) for _ in SHEETS]
        totals.append([stage, *counts, sum(counts)])
    book.save(path)


def make_export_csv(path: Path) -> None:
    """An accounting program's export: cp1251, `;`, a phone column named «Тел. моб.» that the
    importer does not know by itself (the README's `--map` example)."""
    rows = [
        ["Контрагент", "Контактное лицо", "Тел. моб.", "Город"],
        ["ООО Ромашка", "Петрова Анна", "8 (921) 345-67-80", "Санкт-Петербург"],
        ["ООО Лютик", "Сидоров Олег", "+7 913 222-33-44", "Новосибирск"],
        ["АО Северный ветер", "Ким Виктор", "8 914 555 66 77", "Владивосток"],
    ]
    path.write_bytes(("\r\n".join(";".join(row) for row in rows) + "\r\n").encode("cp1251"))


def make_customers(path: Path) -> None:
    """A people list from an English CRM: First_Name, Last_Name, Phone_Number written without
    +code (US numbers), and a Do_Not_Contact column."""
    book = Workbook()
    ws = book.active
    ws.title = "Customers"
    ws.append(["First_Name", "Last_Name", "Phone_Number", "Email", "Do_Not_Contact"])
    for first, last, phone, email, dnc in [
        ("John", "Smith", "(212) 555-0147", "john.smith@example.com", "N"),
        ("Mary", "Johnson", "415.555.0199", "mary.j@example.com", "N"),
        ("Robert", "Brown", "312 555 0123", "", "Y"),
        ("Linda", "Davis", "617-555-0175", "linda.davis@example.com", "N"),
    ]:
        ws.append([first, last, phone, email, dnc])
    book.save(path)


if __name__ == "__main__":
    import argparse

    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    samples.write_xlsx(HERE / "clients.xlsx", LIST_SIZE, seed=SEED)
    make_workbook(HERE / "week47.xlsx", random.Random(SEED))
    make_export_csv(HERE / "export.csv")
    make_customers(HERE / "customers.xlsx")
    print("wrote", *(HERE / name for name in ("clients.xlsx", "week47.xlsx", "export.csv", "customers.xlsx")))
