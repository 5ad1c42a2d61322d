#!/usr/bin/env bash
# CTest lint.format and lint.tidy (issue #19 item 4): new findings only.
# The tree was not formatted nor tidied as a whole (that would rewrite files
# other branches edit); what changed since the commit in
# scripts/lint/baseline must be clean:
#   format  clang-format on the lines changed since the baseline
#           (clang-format-diff on `git diff -M`: a moved file is checked on
#           the lines its move changed, not as a new file)
#   tidy    clang-tidy on the lines changed since the baseline (.cpp files,
#           with BUILD_DIR/compile_commands.json)
# Exits 77 (CTest: skipped) outside a git checkout, when the baseline commit
# is not in this clone (a shallow CI clone), or when the tool is missing.
# Usage: lint_changes.sh format|tidy [BUILD_DIR]
set -euo pipefail
mode=$1 build_dir=${2:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
cd "$src"
skip() { echo "lint.$mode skipped: $*"; exit 77; }
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "not a git checkout"
baseline=$(sed -n 's/^\([0-9a-f]\{40\}\).*/\1/p' scripts/lint/baseline | head -1)
[ -n "$baseline" ] || { echo "scripts/lint/baseline holds no commit id"; exit 1; }
git cat-file -e "$baseline^{commit}" 2>/dev/null || skip "baseline $baseline is not in this clone"
# The files, committed or not, that differ from the baseline (renames are
# followed: a moved file is checked on its changed lines only).
# (The pathspec names both sides of a rename, so that git pairs them.)
sources=('*.cpp' '*.hpp' '*.h' '*.cc' ':!tests/fixtures/**' ':!build/**')
mapfile -t files < <(git diff --name-only --diff-filter=ACMR -M "$baseline" -- "${sources[@]}")
if [ ${#files[@]} -eq 0 ]; then echo "lint.$mode: nothing changed since $baseline"; exit 0; fi

case "$mode" in
  format)
    format_diff=$(command -v clang-format-diff-14 || command -v clang-format-diff || true)
    [ -n "$format_diff" ] || skip "clang-format-diff not installed (scripts/deps/lint.list)"
    # The changes clang-format would make to the changed lines, as a diff.
    out=$(git diff -U0 -M --no-color "$baseline" -- "${sources[@]}" | "$format_diff" -p1 -style file 2>&1) || true
    if [ -z "$out" ]; then
      echo "lint.format: ${#files[@]} changed files, their changed lines are formatted"; exit 0
    fi
    echo "$out"
    echo "lint.format: the lines above, changed since $baseline, are not formatted (.clang-format);"
    echo "  fix them with: git diff -U0 -M $baseline | $(basename "$format_diff") -p1 -style file -i"
    exit 1
    ;;
  tidy)
    command -v clang-tidy >/dev/null || skip "clang-tidy not installed (scripts/deps/lint.list)"
    tidy_diff=$(command -v clang-tidy-diff-14.py || command -v clang-tidy-diff || true)
    [ -n "$tidy_diff" ] || skip "clang-tidy-diff not installed"
    [ -f "$build_dir/compile_commands.json" ] || skip "no $build_dir/compile_commands.json"
    # Only translation units of the build (headers are checked through them).
    mapfile -t units < <(printf '%s\n' "${files[@]}" | grep -E '\.(cpp|cc)$' || true)
    if [ ${#units[@]} -eq 0 ]; then echo "lint.tidy: no changed .cpp since $baseline"; exit 0; fi
    # gcc's compile commands name warnings clang does not know.
    out=$(git diff -U0 -M "$baseline" -- "${sources[@]}" |
          python3 "$tidy_diff" -p1 -regex '.*\.(cpp|cc)' -path "$build_dir" -j 2 -quiet \
            -extra-arg=-Wno-unknown-warning-option -extra-arg=-Wno-ignored-optimization-argument 2>&1) || true
    findings=$(printf '%s\n' "$out" | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' || true)
    if [ -z "$findings" ]; then
      echo "lint.tidy: ${#units[@]} changed .cpp files, no finding on their changed lines"; exit 0
    fi
    printf '%s\n' "$out"
    echo "lint.tidy: findings above on lines changed since $baseline (.clang-tidy)"
    exit 1
    ;;
  *) echo "usage: $0 format|tidy [BUILD_DIR]" >&2; exit 64 ;;
esac
