#!/usr/bin/env bash
# CTest lint.format and lint.tidy (issue #19 item 4).
#   format  every tracked C++ source is as clang-format leaves it
#           (.clang-format; the whole tree was formatted at once, 2 s)
#   tidy    clang-tidy on the lines changed since the commit in
#           scripts/lint/baseline (.cpp files, with
#           BUILD_DIR/compile_commands.json): the tree is not tidied as a
#           whole, so only new findings fail
# Exits 77 (CTest: skipped) outside a git checkout, when the tool is missing,
# or (tidy) when the baseline commit is not in this clone (a shallow clone).
# Usage: lint_changes.sh format|tidy [BUILD_DIR]
set -euo pipefail
mode=$1 build_dir=${2:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
cd "$src"
skip() { echo "lint.$mode skipped: $*"; exit 77; }
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "not a git checkout"
sources=('*.cpp' '*.hpp' '*.h' '*.cc' ':!tests/fixtures/**' ':!build/**')
if [ "$mode" = format ]; then
  command -v clang-format >/dev/null || skip "clang-format not installed (scripts/deps/lint.list)"
  mapfile -t tracked < <(git ls-files -- "${sources[@]}")
  out=$(clang-format --dry-run --Werror -style=file "${tracked[@]}" 2>&1) && {
    echo "lint.format: ${#tracked[@]} files, all formatted"; exit 0
  }
  printf '%s\n' "$out" | head -60
  echo "lint.format: the files above are not formatted (.clang-format); fix them with:"
  echo "  git ls-files -- '*.cpp' '*.hpp' | xargs clang-format -i"
  exit 1
fi
baseline=$(sed -n 's/^\([0-9a-f]\{40\}\).*/\1/p' scripts/lint/baseline | head -1)
[ -n "$baseline" ] || { echo "scripts/lint/baseline holds no commit id"; exit 1; }
git cat-file -e "$baseline^{commit}" 2>/dev/null || skip "baseline $baseline is not in this clone"
# The files, committed or not, that differ from the baseline (renames are
# followed: a moved file is checked on its changed lines only).
# (The pathspec names both sides of a rename, so that git pairs them.)
mapfile -t files < <(git diff --name-only --diff-filter=ACMR -M "$baseline" -- "${sources[@]}")
if [ ${#files[@]} -eq 0 ]; then echo "lint.$mode: nothing changed since $baseline"; exit 0; fi

case "$mode" in
  tidy)
    command -v clang-tidy >/dev/null || skip "clang-tidy not installed (scripts/deps/lint.list)"
    tidy_diff=$(command -v clang-tidy-diff-14.py || command -v clang-tidy-diff || true)
    [ -n "$tidy_diff" ] || skip "clang-tidy-diff not installed"
    [ -f "$build_dir/compile_commands.json" ] || skip "no $build_dir/compile_commands.json"
    # Only translation units of this build (headers are checked through
    # them): a file only another preset compiles (the bench programs) has no
    # compile command here, and clang-tidy would not find its includes.
    mapfile -t compiled < <(python3 -c 'import json,sys; [print(e["file"]) for e in json.load(open(sys.argv[1]))]' \
                              "$build_dir/compile_commands.json" | sort -u)
    mapfile -t units < <(printf '%s\n' "${files[@]}" | grep -E '\.(cpp|cc)$' | sed "s|^|$src/|" |
                           grep -x -F -f <(printf '%s\n' "${compiled[@]}") | sed "s|^$src/||" || true)
    if [ ${#units[@]} -eq 0 ]; then echo "lint.tidy: no changed .cpp of this build since $baseline"; exit 0; fi
    # gcc's compile commands name warnings clang does not know.
    # The diff keeps both sides of a rename (pathspec `sources`) so that a
    # moved file is judged on its changed lines; -regex keeps the units.
    unit_regex=$(printf '%s\n' "${units[@]}" | python3 -c 'import re,sys; print("(" + "|".join(re.escape(l.strip()) for l in sys.stdin) + ")")')
    out=$(git diff -U0 -M "$baseline" -- "${sources[@]}" |
          python3 "$tidy_diff" -p1 -regex "$unit_regex" -path "$build_dir" -j 2 -quiet \
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
