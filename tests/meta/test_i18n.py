"""One translation function from the start: English by default, Russian with YOOLLA_LANG=ru,
and every message the CLI can print has its Russian translation with the same placeholders."""

import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from yoolla_tui.core.kernel import i18n
from yoolla_tui.core.kernel.paths import LOCALE_DIR

PO = LOCALE_DIR / "ru" / "LC_MESSAGES" / "yoolla.po"


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="ru")


def _fields(text: str) -> list[str]:
    return sorted(name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name)


def test_every_translation_keeps_the_placeholders():
    bad = [m.id for m in _catalog() if m.id and m.string and _fields(m.id) != _fields(m.string)]
    assert bad == []


def test_catalogue_is_current_and_complete(tmp_path, repo_root):
    """Every _("…") in the code is in the catalogue and translated (run scripts/update_catalog.sh)."""
    pot = tmp_path / "yoolla.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-k", "_", "-o", str(pot), "yoolla_tui"],
                   cwd=repo_root, check=True, capture_output=True)
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    translated = {m.id for m in _catalog() if m.id and m.string}
    assert sorted(wanted - translated) == []


def test_cli_speaks_russian(cli):
    cli("user", "add", "anna")
    result = cli("user", "add", "boris", user="anna", code=3, env={"YOOLLA_LANG": "ru"})
    english = cli("user", "add", "boris", user="anna", code=3).stderr
    assert result.stderr != english
    assert result.stderr.startswith("Ошибка: anna (manager)")
    assert any("а" <= ch <= "я" for ch in result.stderr)


@pytest.mark.parametrize("value,expected", [("ru_RU.UTF-8", "ru"), ("en_US.UTF-8", "en"), ("C", "en"), ("ru", "ru")])
def test_language_from_environment(monkeypatch, value, expected):
    monkeypatch.delenv("YOOLLA_LANG", raising=False)
    monkeypatch.setenv("LANG", value)
    assert i18n.current_language() == expected


def test_catalogue_has_each_message_once(repo_root):
    """A message translated twice (a merge that kept both sides) leaves one of them dead and the
    other wins by position: each msgid appears once."""
    text = (repo_root / "yoolla_tui/locale/ru/LC_MESSAGES/yoolla.po").read_text(encoding="utf-8")
    ids = re.findall(r'^msgid (".*")$', text, re.M)
    repeated = sorted({m for m in ids if m != '""' and ids.count(m) > 1})
    assert repeated == []
