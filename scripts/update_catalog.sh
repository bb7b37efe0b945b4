#!/usr/bin/env bash
# Re-extract every _("…") string and merge it into the Russian catalogue.
# New strings arrive untranslated (English is shown until someone fills them in);
# tests/meta/test_i18n.py lists CLI messages that still lack a translation.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k _ --no-location --sort-output --omit-header -o yoolla_tui/locale/yoolla.pot yoolla_tui
if [[ -f yoolla_tui/locale/ru/LC_MESSAGES/yoolla.po ]]; then
    pybabel update -i yoolla_tui/locale/yoolla.pot -d yoolla_tui/locale -D yoolla -l ru --no-fuzzy-matching --omit-header
else
    pybabel init -i yoolla_tui/locale/yoolla.pot -d yoolla_tui/locale -D yoolla -l ru
fi
