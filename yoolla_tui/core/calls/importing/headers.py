"""Which column is which: Russian and English headers, found under title lines.

Headers are compared folded: lower case, ё as е, without spaces and punctuation, so
"Контактное лицо", "КОНТАКТНОЕ ЛИЦО:" and "контактное-лицо" are one header. A header matches a
field exactly, by a phone/e-mail word inside it ("Контактный телефон"), or by a known prefix
("Телефон (рабочий)", "Наименование организации").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yoolla_tui.core.kernel.errors import BadInput
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.calls.importing.readers import column_letter

FIELDS = ("name", "contact_person", "phone", "email", "city", "note", "last_name", "first_name", "middle_name",
          "do_not_call")
# Parts of a person's name: joined into contact_person (Фамилия Имя Отчество; First Middle Last).
NAME_PARTS = ("last_name", "first_name", "middle_name")
MAP_KEEP = "extra"  # --map "Header=extra": keep the column as an extra attribute
MAP_SKIP = "skip"   # --map "Header=skip": leave the column out
HEADER_SEARCH_ROWS = 20

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("организация", "наименование", "наименованиеорганизации", "название", "названиеорганизации", "компания",
             "клиент", "контрагент", "фирма", "предприятие", "юрлицо", "юридическоелицо", "учреждение",
             "company", "companyname", "organisation", "organization", "org", "name", "client", "clientname",
             "account", "business"),
    "contact_person": ("контактноелицо", "контакт", "контактное", "фио", "лпр", "представитель", "собеседник",
                       "contact", "contactperson", "contactname", "person", "fullname", "полноеимя", "фамилияимяотчество",
                       "personname", "фамилияио", "фиоконтакта"),
    "last_name": ("фамилия", "lastname", "surname", "familyname"),
    "first_name": ("имя", "firstname", "givenname", "forename"),
    "middle_name": ("отчество", "middlename", "patronymic", "secondname"),
    "do_not_call": ("donotcall", "donotcontact", "dnc", "незвонить", "небеспокоить", "donotdisturb", "dontcall",
                    "запретзвонков", "нежелательный", "стоплист"),
    "phone": ("телефон", "тел", "моб", "мобильный", "номер", "номертелефона", "сотовый", "phone", "tel", "telephone",
              "mobile", "phonenumber", "cell", "cellphone"),
    "email": ("email", "почта", "электроннаяпочта", "эпочта", "элпочта", "емейл", "имейл", "емайл", "мейл", "mail"),
    "city": ("город", "населенныйпункт", "нп", "city", "town"),
    "note": ("комментарий", "комментарии", "примечание", "примечания", "заметка", "заметки", "описание", "note",
             "notes", "comment", "comments", "remark", "remarks", "description"),
}
# Words that decide the field wherever they sit in a header ("Контактный телефон" is a phone).
_INSIDE = (("телефон", "phone"), ("phone", "phone"), ("mobile", "phone"), ("email", "email"), ("почта", "email"))

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: object) -> str:
    """The comparable form of a header or a status word."""
    return _NOT_WORD.sub("", str(text).lower().replace("ё", "е"))


@dataclass
class Column:
    index: int             # 0-based position in the row
    header: str            # as written (stripped)
    field: str | None      # a FIELDS name, a status field, or None: kept as an extra attribute
    skip: bool = False

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    def describe(self) -> str:
        return f"{self.letter} ({self.header})" if self.header else self.letter


def _lookup(extra: dict[str, tuple[str, ...]] | None) -> tuple[dict[str, str], list[tuple[str, str]]]:
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    for field, words in {**SYNONYMS, **(extra or {})}.items():
        for word in words:
            key = fold(word)
            exact.setdefault(key, field)
            if len(key) >= 3:
                prefixes.append((key, field))
    prefixes.sort(key=lambda item: -len(item[0]))
    return exact, prefixes


def field_of(header: object, extra: dict[str, tuple[str, ...]] | None = None) -> str | None:
    """The field a header names, or None."""
    key = fold(header)
    if not key:
        return None
    exact, prefixes = _lookup(extra)
    if key in exact:
        return exact[key]
    if extra:
        for word, field in prefixes:
            if field in extra and key.startswith(word):
                return field
    for word, field in _INSIDE:
        if word in key:
            return field
    for word, field in prefixes:
        if key.startswith(word):
            return field
    return None


def find_header(rows: list[tuple[int, list]], extra: dict[str, tuple[str, ...]] | None = None) -> int | None:
    """The index in `rows` of the row that names the most fields (title lines above are skipped).

    A row naming only one field counts only when that field is the phone.
    """
    best, best_score = None, 0
    for position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields = {field_of(cell, extra) for cell in cells if isinstance(cell, str) and cell.strip()} - {None}
        score = len(fields)
        if score == 1 and fields != {"phone"}:
            score = 0
        if score > best_score:
            best, best_score = position, score
    return best


def header_texts(cells: list) -> list[str]:
    return ["" if cell is None else str(cell).strip() for cell in cells]


def build_columns(headers: list[str], overrides: dict[str, str], *, allowed: tuple[str, ...],
                  extra: dict[str, tuple[str, ...]] | None, where: str) -> list[Column]:
    """Columns of the header row with their fields: guessed, then `overrides` (header or letter -> field).

    A field claimed twice keeps its first column; the other is kept as an extra attribute.
    """
    columns = [Column(i, h, field_of(h, extra)) for i, h in enumerate(headers)]
    explicit: dict[int, str] = {}
    for ref, target in overrides.items():
        column = _column_for(columns, ref)
        if column is None:
            seen = ", ".join(c.describe() for c in columns if c.header) or _("none")
            raise BadInput(_("{where}: --map names column {ref!r}, which is not in the header; headers seen: {seen}").format(
                where=where, ref=ref, seen=seen))
        explicit[column.index] = target
    for column in columns:
        target = explicit.get(column.index)
        if target is not None:
            column.field = None if target in (MAP_KEEP, MAP_SKIP) else target
            column.skip = target == MAP_SKIP
        elif column.field in explicit.values() or column.field not in allowed:
            column.field = None  # an explicit mapping wins over a guess
    claimed: set[str] = set()
    for column in columns:
        if column.field in claimed:
            column.field = None  # a field named twice keeps its first column
        elif column.field is not None:
            claimed.add(column.field)
    return columns


def _column_for(columns: list[Column], ref: str) -> Column | None:
    text = ref.strip()
    if re.fullmatch(r"[A-Za-z]{1,3}", text) and not any(fold(c.header) == fold(text) for c in columns):
        index = 0
        for ch in text.upper():
            index = index * 26 + ord(ch) - 64
        return next((c for c in columns if c.index == index - 1), None)
    key = fold(text)
    return next((c for c in columns if key and fold(c.header) == key), None)


def parse_maps(items: list[str] | None, allowed: tuple[str, ...]) -> dict[str, str]:
    """`["Тел. моб=phone", "C=city"]` -> {header or letter: field}; BadInput on a bad item or field."""
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise BadInput(_("--map {item!r}: expected \"Header=field\", e.g. --map \"Тел. моб=phone\"").format(item=item))
        ref, target = (part.strip() for part in item.rsplit("=", 1))
        if not ref:
            raise BadInput(_("--map {item!r}: the header before '=' is empty").format(item=item))
        target = target.lower()
        if target not in allowed + (MAP_KEEP, MAP_SKIP):
            raise BadInput(_("--map {item!r}: unknown field {field!r}; fields: {known}").format(
                item=item, field=target, known=", ".join(allowed + (MAP_KEEP, MAP_SKIP))))
        out[ref] = target
    return out
