#!/usr/bin/env bash
# The bash completion (installer/bash-completion/clinic-audit) driven as
# bash-completion drives it: COMP_WORDS/COMP_CWORD set, the function called,
# COMPREPLY read. Subcommands, options, policy ids, check ids, formats.
#   completion.sh SOURCE_DIR AGENT
set -uo pipefail
src=$1 agent=$2
# shellcheck disable=SC1091
. /usr/share/bash-completion/bash_completion
. "$src/installer/bash-completion/clinic-audit"
export PATH="$(dirname "$agent"):$PATH" CLINIC_AUDIT_POLICY_DIR="$src/policies"
failures=0

complete_words() {  # the words typed so far, the last one being completed
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _clinic_audit clinic-audit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {  # expect "WORDS..." -- EXPECTED...
  local words=() expected=()
  while [ "$1" != -- ]; do words+=("$1"); shift; done
  shift
  expected=("$@")
  local got want
  got=$(complete_words "${words[@]}" | paste -sd' ')
  want=$(printf '%s\n' "${expected[@]}" | sort | paste -sd' ')
  if [ "$got" = "$want" ]; then
    echo "ok: clinic-audit ${words[*]:1}<TAB> -> $got"
  else
    echo "FAIL: clinic-audit ${words[*]:1}<TAB>: got '$got', want '$want'" >&2
    failures=$((failures + 1))
  fi
}

expect clinic-audit "" -- run list explain status verify keygen enroll submit version
expect clinic-audit st -- status
expect clinic-audit run --pol -- --policy
expect clinic-audit run --policy api -- apicrypt-v1 apicrypt-v2
expect clinic-audit run --format j -- json junit
expect clinic-audit status --format "" -- nagios prometheus json
expect clinic-audit run --trigger p -- post-upgrade
expect clinic-audit --color=n -- never
expect clinic-audit run --only apicrypt-v1.sudoers. -- apicrypt-v1.sudoers.grants apicrypt-v1.sudoers.no-broader-grant
mapfile -t ids < <("$agent" list 2>/dev/null | cut -f1 | grep '^ekermed\.')
expect clinic-audit explain ekermed. -- "${ids[@]}"
expect clinic-audit status --m -- --max-age
expect clinic-audit --v -- --verbose --version
expect clinic-audit keygen --r -- --rsa --rsa-bits

[ "$failures" -eq 0 ] || { echo "$failures completion case(s) failed" >&2; exit 1; }
echo "completion: all cases passed"
