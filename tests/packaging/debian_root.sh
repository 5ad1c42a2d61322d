# Sourced by the packaging tests: a throw-away Debian 12 root.
#
# debian_root_tarball PACKAGES...  prints the path of a cached tarball of
#   `debootstrap --variant=minbase bookworm` plus PACKAGES (the runtime
#   dependencies of the package under test, so that dpkg -i needs no
#   network), made from the mirror apt already uses. Cached under
#   /var/cache/clinic-audit-tests/packaging/, named by a hash of the package
#   list; rebuilt when missing. A cold build takes about 2 minutes.
# debian_root_unpack TARBALL DIR  unpacks it.
# in_root DIR CMD...  runs CMD chrooted in DIR, with a private /proc in
#   private mount and PID namespaces (nothing stays mounted, no process
#   outlives the call).

ca_packaging_cache=${CA_PACKAGING_CACHE:-/var/cache/clinic-audit-tests/packaging}

# The first http(s) URI of a source for bookworm's main component, from
# /etc/apt/sources.list (one-line format) or sources.list.d/*.sources (deb822).
debian_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" && $0 ~ / bookworm / && / main/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' "$f"
  done | head -n1 | grep . && return 0
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas are separated by blank lines.
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        uri = ""; suite = 0; main = 0; deb = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
          if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) suite = 1
          if ($i ~ /^Components:/ && $i ~ /[ \t]main([ \t]|$)/) main = 1
          if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
        }
        if (uri != "" && suite && main && deb) { print uri; exit }
      }' "$f"
  done | head -n1 | grep .
}

debian_root_tarball() {
  local include hash tarball work mirror
  include=$(printf '%s\n' "$@" | sort -u | paste -sd, -)
  hash=$(printf 'bookworm minbase %s\n' "$include" | sha256sum | cut -c1-16)
  tarball=$ca_packaging_cache/bookworm-minbase-$hash.tar
  mkdir -p "$ca_packaging_cache"
  (
    # One builder at a time (ctest -j, dev and asan runs).
    flock 9
    if [ -s "$tarball" ]; then exit 0; fi
    # A build killed half-way (its debootstrap had /proc mounted inside).
    for stale in "$ca_packaging_cache"/build.*; do
      [ -d "$stale" ] || continue
      umount -R "$stale/root/proc" 2>/dev/null || true
      rm -rf --one-file-system "$stale"
    done
    mirror=$(debian_mirror) || { echo "no bookworm main source in /etc/apt/sources.list*" >&2; exit 1; }
    work=$(mktemp -d "$ca_packaging_cache/build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "packaging: debootstrap --variant=minbase bookworm from $mirror (include: ${include:-none})" >&2
    debootstrap --variant=minbase ${include:+--include="$include"} bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
      { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
    # No cached package files in the image: smaller, and apt in the root
    # must not depend on them.
    rm -rf "$work/root/var/cache/apt/archives/"*.deb
    tar --numeric-owner -C "$work/root" -cf "$work/root.tar" .
    mv "$work/root.tar" "$tarball"
  ) 9>"$ca_packaging_cache/.lock" || return 1
  printf '%s\n' "$tarball"
}

debian_root_unpack() {
  mkdir -p "$2"
  tar --numeric-owner -C "$2" -xf "$1"
}

in_root() {
  local root=$1
  shift
  unshare --mount --pid --fork --mount-proc="$root/proc" --propagation private \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root TERM=dumb \
    chroot "$root" "$@"
}

# The runtime dependencies a .deb declares (first alternative, no version),
# virtual packages (libspdlog1.10-fmt9) replaced by the installed package
# that provides them: debootstrap --include resolves real packages only.
deb_depends() {
  local name
  { dpkg-deb -f "$1" Depends; dpkg-deb -f "$1" Pre-Depends; } | tr ',' '\n' |
    sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' -e 's/:any$//' | grep . | sort -u |
    while read -r name; do
      if [ -n "$(apt-cache show --no-all-versions "$name" 2>/dev/null)" ]; then
        echo "$name"
      else
        dpkg-query -W -f='${Package} ${Provides}\n' | tr -d ',' |
          awk -v v="$name" '!found { for (i = 2; i <= NF; i++) if ($i == v) { print $1; found = 1 } }'
      fi
    done | sort -u
}
