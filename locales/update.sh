#!/bin/sh
# Re-extract every user-facing text (code and flows/) and merge it into each catalog.
# Then translate the new, empty entries in locales/en/LC_MESSAGES/messages.po and review the
# machine-converted ones in locales/zh_Hant/LC_MESSAGES/messages.po.
set -eu
cd "$(dirname "$0")/.."
# --no-wrap everywhere (here, in update, and in fill_zh_hant.py): a long text stays one line,
# so a content change shows up as the lines it changed and nothing is re-wrapped.
pybabel extract -F babel.cfg -k N_ -k gettext:2 -k t --no-location --sort-output --no-wrap \
    --project yibao-account-bot -o locales/messages.pot .
# Every language of the registry (bot/core/languages.py) except the source language; a new
# one gets its catalog created here.
langs=$(python -c 'from bot.core import languages as l; print(*(x.code for x in l.LANGUAGES if x != l.DEFAULT))')
for lang in $langs; do
    if [ -f "locales/$lang/LC_MESSAGES/messages.po" ]; then
        pybabel update -i locales/messages.pot -d locales -l "$lang" --no-fuzzy-matching \
            --ignore-obsolete --no-wrap
    else
        pybabel init -i locales/messages.pot -d locales -l "$lang" --no-wrap
    fi
done
# Creates zh_Hant if missing; fills its empty entries with OpenCC (hand corrections are kept).
python locales/fill_zh_hant.py
