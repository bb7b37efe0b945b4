"""Write the shipped document templates: yoolla_tui/data/documents/{proposal,invoice,contract,spec}.docx.

    .venv/bin/python scripts/make_document_templates.py

The .docx files are committed; run this again only to change the shipped layout. An administrator
edits a copy in Word or LibreOffice instead (see README, "Documents"). The fields are docxtpl's
Jinja: {{ seller.name }}, {{ client.name }}, {{ contact }}, {{ deal.id }}, {{ manager.name }},
{{ doc.number }}, {{ dates.long }}, {{ totals.total }}, {{ totals.vat_line }}, {{ totals.in_words }},
and the table of `lines` (n, title, qty, unit, price, amount) between {%tr for %} rows.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parents[1] / "yoolla_tui" / "data" / "documents"


def _new() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(1.5)
    # Fixed core properties: the generated files do not change from one run to the next.
    doc.core_properties.author = "Yoolla"
    doc.core_properties.title = ""
    return doc


def _p(doc, text: str = "", *, bold: bool = False, size: int | None = None, center: bool = False):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _lines_table(doc, with_prices: bool = True) -> None:
    """The lines: a header, the docxtpl row loop, and the total under the amounts."""
    headers = ["№", "Товары (работы, услуги)", "Кол-во", "Ед.", "Цена", "Сумма"]
    cells = ["{{ line.n }}", "{{ line.title }}", "{{ line.qty }}", "{{ line.unit }}", "{{ line.price }}", "{{ line.amount }}"]
    if not with_prices:
        headers, cells = headers[:4], cells[:4]
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(headers):
        table.rows[0].cells[i].text = text
        for run in table.rows[0].cells[i].paragraphs[0].runs:
            run.bold = True
    table.rows[1].cells[0].text = "{%tr for line in lines %}"
    for i, text in enumerate(cells):
        table.rows[2].cells[i].text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"


def _totals(doc) -> None:
    right = _p(doc, "Итого: {{ totals.total }} руб.", bold=True)
    right.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    vat = _p(doc, "{{ totals.vat_line }}")
    vat.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    total = _p(doc, "Всего к оплате: {{ totals.total }} руб.", bold=True)
    total.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _p(doc, "Всего наименований {{ lines|length }}, на сумму {{ totals.total }} руб.")
    _p(doc, "{{ totals.in_words }}", bold=True)


def _requisites(doc) -> None:
    _p(doc, "Реквизиты сторон", bold=True)
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text = ("Исполнитель: {{ seller.name }}\nИНН {{ seller.inn }}{% if seller.kpp %}, КПП {{ seller.kpp }}{% endif %}\n"
                                   "{{ seller.address }}\nР/с {{ seller.account }}\n{{ seller.bank }}, БИК {{ seller.bik }}"
                                   "{% if seller.corr_account %}, к/с {{ seller.corr_account }}{% endif %}\n\n"
                                   "_______________ {{ seller.director }}")
    table.rows[0].cells[1].text = ("Заказчик: {{ client.name }}\n{% if client.city %}{{ client.city }}\n{% endif %}"
                                   "{{ contact }}\n{{ client.phone }}\n{{ client.email }}\n\n\n\n_______________ {{ contact }}")


def invoice() -> Document:
    doc = _new()
    bank = doc.add_table(rows=3, cols=3)
    bank.style = "Table Grid"
    bank.rows[0].cells[0].text = "{{ seller.bank }}\nБанк получателя"
    bank.rows[0].cells[1].text = "БИК\nСч. №"
    bank.rows[0].cells[2].text = "{{ seller.bik }}\n{{ seller.corr_account }}"
    bank.rows[1].cells[0].text = "ИНН {{ seller.inn }}    КПП {{ seller.kpp }}"
    bank.rows[1].cells[1].text = "Сч. №"
    bank.rows[1].cells[2].text = "{{ seller.account }}"
    bank.rows[2].cells[0].text = "{{ seller.name }}\nПолучатель"
    _p(doc)
    _p(doc, "Счёт на оплату № {{ doc.number }} от {{ dates.long }}", bold=True, size=14)
    _p(doc, "Поставщик (исполнитель): {{ seller.name }}, ИНН {{ seller.inn }}{% if seller.kpp %}, КПП {{ seller.kpp }}{% endif %}, "
            "{{ seller.address }}{% if seller.phone %}, тел. {{ seller.phone }}{% endif %}")
    _p(doc, "Покупатель (заказчик): {{ client.name }}{% if client.city %}, {{ client.city }}{% endif %}"
            "{% if contact %}, контактное лицо: {{ contact }}{% endif %}")
    _p(doc, "Основание: сделка № {{ deal.id }} ({{ deal.campaign }})")
    _lines_table(doc)
    _totals(doc)
    _p(doc, "Оплата данного счёта означает согласие с условиями поставки. Счёт действителен к оплате "
            "в течение {{ dates.pay_days }} банковских дней.")
    _p(doc)
    _p(doc, "Руководитель _______________ {{ seller.director }}        Менеджер _______________ {{ manager.name }}")
    return doc


def proposal() -> Document:
    doc = _new()
    _p(doc, "{{ seller.name }}", bold=True)
    _p(doc, "{{ seller.address }}{% if seller.phone %}, тел. {{ seller.phone }}{% endif %}"
            "{% if seller.email %}, {{ seller.email }}{% endif %}")
    _p(doc)
    _p(doc, "Коммерческое предложение № {{ doc.number }} от {{ dates.long }}", bold=True, size=14, center=True)
    _p(doc, "Кому: {{ client.name }}{% if contact %}, {{ contact }}{% endif %}")
    _p(doc, "{% if contact %}Уважаемый(ая) {{ contact }}!{% else %}Добрый день!{% endif %}")
    _p(doc, "Благодарим за интерес к нашему предложению. {{ seller.name }} предлагает вам:")
    _lines_table(doc)
    _p(doc, "{% if totals.has_total %}Итого: {{ totals.total }} руб. ({{ totals.in_words }}). {{ totals.vat_line }}"
            "{% else %}Стоимость — по запросу.{% endif %}", bold=True)
    _p(doc, "Предложение действительно до {{ dates.valid_until }}.")
    _p(doc)
    _p(doc, "С уважением,\n{{ manager.name }}\n{{ seller.name }}{% if seller.phone %}, {{ seller.phone }}{% endif %}")
    return doc


def contract() -> Document:
    doc = _new()
    _p(doc, "Договор № {{ doc.number }}", bold=True, size=14, center=True)
    _p(doc, "{{ seller.city }}                                                                        {{ dates.long }}")
    _p(doc, "{{ seller.name }}, в лице {{ seller.director }}, именуемое в дальнейшем «Исполнитель», с одной стороны, "
            "и {{ client.name }}{% if contact %}, в лице {{ contact }}{% endif %}, именуемое в дальнейшем «Заказчик», "
            "с другой стороны, заключили настоящий договор о нижеследующем.")
    _p(doc, "1. Предмет договора", bold=True)
    _p(doc, "1.1. Исполнитель оказывает Заказчику услуги, перечисленные ниже, а Заказчик принимает и оплачивает их.")
    _lines_table(doc)
    _p(doc, "2. Цена и порядок расчётов", bold=True)
    _p(doc, "2.1. Цена договора: {{ totals.total }} руб. ({{ totals.in_words }}). {{ totals.vat_line }}")
    _p(doc, "2.2. Заказчик оплачивает услуги в течение {{ dates.pay_days }} банковских дней на основании счёта Исполнителя.")
    _p(doc, "3. Срок действия", bold=True)
    _p(doc, "3.1. Договор вступает в силу с {{ dates.long }} и действует до полного исполнения сторонами обязательств.")
    _requisites(doc)
    return doc


def spec() -> Document:
    doc = _new()
    _p(doc, "Спецификация № {{ doc.number }} от {{ dates.long }}", bold=True, size=14, center=True)
    _p(doc, "к сделке № {{ deal.id }} ({{ deal.campaign }}) между {{ seller.name }} (Исполнитель) "
            "и {{ client.name }} (Заказчик)", center=True)
    _lines_table(doc)
    _totals(doc)
    _p(doc, "Менеджер: {{ manager.name }}")
    _requisites(doc)
    return doc


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in (("proposal", proposal), ("invoice", invoice), ("contract", contract), ("spec", spec)):
        path = OUT / f"{name}.docx"
        make().save(path)
        print(path)


if __name__ == "__main__":
    import argparse

    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    main()
