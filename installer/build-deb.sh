#!/usr/bin/env bash
# Builds the Debian package(s) of clinic-audit.
#   installer/build-deb.sh BUILD_DIR [OUT_DIR [VERSION]]
# BUILD_DIR is configured once: compiler and linker flags from
# dpkg-buildflags(1) with DEB_BUILD_MAINT_OPTIONS=hardening=+all
# (_FORTIFY_SOURCE, -fstack-protector-strong, -z relro -z now, PIE,
# -fcf-protection), build type None as debhelper's cmake build uses, so
# that those flags alone apply. Binaries are stripped by CPack. VERSION
# overrides the package version (the packaging test's upgrade).
# Prints the paths of the .deb files on the last lines.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "$1")
out=$(realpath -m "${2:-$1}")
version=${3:-}

if [ ! -f "$build/CMakeCache.txt" ]; then
  # -ffile-prefix-map maps the current directory: configure from the sources.
  cd "$src"
  export DEB_BUILD_MAINT_OPTIONS=hardening=+all
  eval "$(dpkg-buildflags --export=sh)"
  # CMake has no CPPFLAGS: prepend them to the compiler flags.
  export CFLAGS="$CPPFLAGS $CFLAGS" CXXFLAGS="$CPPFLAGS $CXXFLAGS"
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ "${launcher[@]}" -DCMAKE_STRIP="$src/installer/strip-for-deb.sh" \
    -DCA_BUILD_TESTS=OFF -DCA_BUILD_BENCH=OFF -DCA_FUZZ=OFF -DCA_SANITIZE=OFF >/dev/null
fi
cmake --build "$build" -j "${CA_BUILD_JOBS:-2}" >/dev/null
mkdir -p "$out"
args=(--config "$build/CPackConfig.cmake" -B "$out")
[ -n "$version" ] && args+=(-D "CPACK_PACKAGE_VERSION=$version")
# CPack leaves its staging tree in OUT_DIR/_CPack_Packages.
cpack "${args[@]}" >"$out/cpack.log" 2>&1 || { cat "$out/cpack.log" >&2; exit 1; }
rm -rf "$out/_CPack_Packages"
sed -n 's/^CPack: - package: \(.*\) generated\.$/\1/p' "$out/cpack.log"
