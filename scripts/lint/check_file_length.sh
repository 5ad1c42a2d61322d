#!/usr/bin/env bash
# CTest lint.file_length (issue #19 item 4): a source file of more than 400
# lines says why at its top, in a comment that starts "Over 400 lines:"
# within its first 10 lines. Anything else that long should be split.
set -euo pipefail
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src"
limit=400
status=0 long=0
while IFS= read -r -d '' file; do
  lines=$(wc -l <"$file")
  [ "$lines" -gt "$limit" ] || continue
  long=$((long + 1))
  if ! head -n 10 "$file" | grep -q 'Over 400 lines:'; then
    echo "$file: $lines lines and no reason at its top (\"// Over 400 lines: why\"): split it or say why"
    status=1
  fi
done < <(find agent checks collector installer tests -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cc' \) \
           -not -path 'tests/fixtures/*' -print0)
[ $status = 0 ] && echo "every source file over $limit lines ($long) says why at its top"
exit $status
