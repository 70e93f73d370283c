#!/bin/sh
# Re-extract every user-facing text (code and flows/) and merge it into each catalog.
# Then translate the new, empty entries in locales/en/LC_MESSAGES/messages.po and review the
# machine-converted ones in locales/zh_Hant/LC_MESSAGES/messages.po.
set -eu
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k N_ -k gettext:2 -k t --no-location --sort-output \
    --project yibao-account-bot -o locales/messages.pot .
for lang in en zh_Hant; do
    if [ -f "locales/$lang/LC_MESSAGES/messages.po" ]; then
        pybabel update -i locales/messages.pot -d locales -l "$lang" --no-fuzzy-matching \
            --ignore-obsolete
    fi
done
# Creates zh_Hant if missing; fills its empty entries with OpenCC (hand corrections are kept).
python locales/fill_zh_hant.py
