#!/bin/sh
# xgettext over the agent's and the check types' sources (tests excluded):
# extract.sh SOURCE_DIR OUTPUT.pot
# Keywords: _ and N_ (GNU convention), tr/trn (i18n/i18n.hpp: translated
# fmt formats, positional arguments).
set -eu
src=$1
out=$2
cd "$src"
find agent checks i18n \( -name tests -o -name bench \) -prune -o \( -name '*.cpp' -o -name '*.hpp' \) -print \
  | LC_ALL=C sort > "$out.files"
xgettext --from-code=UTF-8 --language=C++ \
  --keyword=_ --keyword=N_ --keyword=NC_:1c,2 --keyword=tr:1 --keyword=trn:1,2 \
  --add-comments=TRANSLATORS: --sort-by-file --no-wrap \
  --package-name=clinic-audit --msgid-bugs-address=dev@clinic-audit.invalid \
  --files-from="$out.files" -o "$out.tmp"
rm -f "$out.files"
# The header's creation date changes at every run: keep the file stable when
# nothing else changed.
if [ -f "$out" ] && diff -q -I '^"POT-Creation-Date' "$out" "$out.tmp" >/dev/null 2>&1; then
  rm -f "$out.tmp"
else
  mv "$out.tmp" "$out"
fi
