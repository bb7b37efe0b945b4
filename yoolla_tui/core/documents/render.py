"""Filling a .docx template with a deal's data (docxtpl), and a PDF beside it where LibreOffice
is installed (`soffice --headless --convert-to pdf`).

The template of a kind is `<documents folder>/templates/<kind>.docx` when an administrator put
one there (a copy of the shipped one, edited in Word or LibreOffice), else the shipped
`yoolla_tui/data/documents/<kind>.docx`. The fields a template may use are `context`'s keys.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

from yoolla_tui.core.documents.words import amount_in_words, rubles
from yoolla_tui.core.kernel import files, reference
from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.paths import DATA_DIR

SHIPPED = DATA_DIR / "documents"
TITLES = reference.DOCUMENT_TITLES
MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
          "ноября", "декабря")
PAY_DAYS = 5
VALID_DAYS = 14
PDF_TIMEOUT_SECONDS = 120


def template_path(kind: str, folder: Path) -> Path:
    own = folder / "templates" / f"{kind}.docx"
    return own if own.exists() else SHIPPED / f"{kind}.docx"


def long_date(day: date) -> str:
    """24 ноября 2026 г."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."


def context(*, kind: str, number: int, day: date, seller: dict, vat: int | None, client: dict, deal: dict,
            manager: dict, lines: list[dict]) -> dict:
    """What a template sees. `lines`: dicts with title, qty, unit, price_cents; amounts follow."""
    shown, total = [], 0
    for n, line in enumerate(lines, start=1):
        amount = line["price_cents"] * line["qty"] if line.get("price_cents") is not None else None
        total += amount or 0
        shown.append({"n": n, "title": line["title"], "qty": line["qty"], "unit": line.get("unit", "усл."),
                      "price": rubles(line.get("price_cents")), "amount": rubles(amount)})
    if vat is None:
        vat_cents, vat_line = None, "Без налога (НДС)"
    else:
        vat_cents = round(total * vat / (100 + vat))
        vat_line = f"В том числе НДС ({vat}%): {rubles(vat_cents)} руб."
    return {
        "doc": {"kind": kind, "title": TITLES[kind], "number": number, "year": day.year},
        "seller": {key: seller.get(key) or "" for key in ("name", "inn", "kpp", "ogrn", "account", "bank", "bik",
                                                          "corr_account", "address", "city", "phone", "email",
                                                          "director")},
        "client": client,
        "contact": client.get("contact") or "",
        "deal": deal,
        "manager": manager,
        "lines": shown,
        "totals": {"total": rubles(total), "total_cents": total, "has_total": total > 0, "vat": rubles(vat_cents),
                   "vat_rate": vat, "vat_line": vat_line, "in_words": amount_in_words(total)},
        "dates": {"today": day.strftime("%d.%m.%Y"), "long": long_date(day),
                  "valid_until": (day + timedelta(days=VALID_DAYS)).strftime("%d.%m.%Y"), "pay_days": PAY_DAYS},
    }


_ENVIRONMENT = None


def _environment():
    """One Jinja environment whose compiled templates are kept by their source: a template's
    parts compile once per process instead of once per document (half the time of making one)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        from jinja2 import Environment

        class Cached(Environment):
            compiled: dict = {}

            def from_string(self, source, globals=None, template_class=None):
                if globals is not None or template_class is not None or not isinstance(source, str):
                    return super().from_string(source, globals, template_class)
                found = self.compiled.get(source)
                if found is None:
                    if len(self.compiled) > 64:  # edited templates must not grow it for ever
                        self.compiled.clear()
                    found = self.compiled[source] = super().from_string(source)
                return found

        # autoescape: a client named "A & B" must not break the document's XML.
        _ENVIRONMENT = Cached(autoescape=True)
    return _ENVIRONMENT


def render(template: Path, values: dict, target: Path) -> None:
    """Fill `template` with `values` into `target` (written whole, or not at all)."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with files.atomic(target) as part:  # kernel/files.py: whole or not at all, the user's umask
            document = DocxTemplate(str(template))
            document.render(values, jinja_env=_environment(), autoescape=True)
            document.save(str(part))
    except TemplateError as exc:
        raise BadInput(_("template {path} cannot be filled: {error}").format(path=template, error=exc))


def pdf_converter() -> str | None:
    """LibreOffice's `soffice` (or `libreoffice`) on PATH, else None: the PDF is then skipped."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: Path) -> Path | None:
    """A PDF beside `docx` through LibreOffice; None when it is not installed or fails (the .docx
    is the document; the PDF is a convenience)."""
    exe = pdf_converter()
    if exe is None:
        return None
    try:
        subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", str(docx.parent), str(docx)],
                       capture_output=True, timeout=PDF_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    pdf = docx.with_suffix(".pdf")
    return pdf if pdf.exists() else None
