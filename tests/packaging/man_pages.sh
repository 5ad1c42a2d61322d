#!/usr/bin/env bash
# The man pages: formatted by man-db/groff with every warning shown (any
# warning fails), whatis entries that lexgrog can read, and every subcommand
# of the agent's --help documented in clinic-audit(1).
#   man_pages.sh MAN_DIR AGENT
set -euo pipefail
man_dir=$1 agent=$2
status=0
for page in "$man_dir"/*.[0-9]; do
  warnings=$(MANWIDTH=80 man --warnings=all -l "$page" 2>&1 >/dev/null || true)
  if [ -n "$warnings" ]; then
    echo "${page##*/}: man --warnings:" >&2
    echo "$warnings" >&2
    status=1
  fi
  if ! whatis=$(lexgrog "$page"); then
    echo "${page##*/}: lexgrog cannot parse the NAME section" >&2
    status=1
  else
    echo "$whatis"
  fi
done
# Every subcommand the agent has is documented (DESIGN.md §4, §7).
text=$(MANWIDTH=200 man -l "$man_dir/clinic-audit.1" 2>/dev/null)
for sub in $("$agent" --help 2>/dev/null | awk 'tolower($0) ~ /^subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
  if ! grep -q "clinic-audit $sub" <<<"$text"; then
    echo "clinic-audit.1: subcommand '$sub' is not in the SYNOPSIS" >&2
    status=1
  fi
done
for sub in enroll submit status verify keygen; do
  grep -q "clinic-audit $sub" <<<"$text" || { echo "clinic-audit.1: no $sub" >&2; status=1; }
done
for section in "EXIT STATUS" FILES EXAMPLES; do
  grep -q "^$section" <<<"$text" || { echo "clinic-audit.1: no $section section" >&2; status=1; }
done
# The collector's commands as DESIGN.md §7 fixes them.
collector_text=$(MANWIDTH=200 man -l "$man_dir/clinic-audit-collector.8" 2>/dev/null)
for sub in serve init "token create" "token list" "token revoke" "user add" "user passwd" "user remove" "user token" export verify; do
  grep -q "clinic-audit-collector $sub" <<<"$collector_text" || { echo "clinic-audit-collector.8: no $sub" >&2; status=1; }
done
for section in "EXIT STATUS" FILES EXAMPLES; do
  grep -q "^$section" <<<"$collector_text" || { echo "clinic-audit-collector.8: no $section section" >&2; status=1; }
done
exit $status
