#!/bin/sh
# CTest i18n.catalog_complete: fails unless every language of LINGUAS is
# 100 % translated (no untranslated, no fuzzy message, formats checked by
# msgfmt --check) and covers every message the sources hold today (a fresh
# xgettext extraction, compared with msgcmp).
# check-catalog.sh SOURCE_DIR WORK_DIR
set -eu
src=$1
work=$2
mkdir -p "$work"
sh "$src/po/extract.sh" "$src" "$work/current.pot"
status=0
for lang in $(grep -v '^#' "$src/po/LINGUAS"); do
  po="$src/po/$lang.po"
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1) || { echo "$stats"; status=1; continue; }
  echo "$lang: $stats"
  case $stats in
    *untranslated*|*fuzzy*) echo "$lang: not 100 % translated" >&2; status=1 ;;
  esac
  # Every msgid of the sources has a (non-fuzzy, non-empty) translation.
  if ! LC_ALL=C msgcmp "$po" "$work/current.pot"; then
    echo "$lang: messages of the sources missing from $po (run: cmake --build BUILD --target pot)" >&2
    status=1
  fi
done
exit $status
