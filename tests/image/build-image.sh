#!/bin/sh
# Builds (once) the Debian 12 image the integration tests audit (issue #17):
# a debootstrap minbase root with the real packages of a MedShakeEHR +
# Apicrypt + e-KerMed host, no daemon started (policy-rc.d says 101).
#
#   tests/image/build-image.sh            prints the path of the cached tarball
#
# Cached as /var/cache/clinic-audit-tests/image/debian12-<hash>.tar.zst, the
# hash covering the suite, the package list and the recipe version: rebuilt
# when missing or when one of them changes.
# Packages come from the mirror apt already uses (/etc/apt/sources.list*);
# downloaded .debs are kept in the same cache directory for rebuilds.
# Needs root (debootstrap, chroot). Takes about 4-6 minutes cold.
set -eu

CACHE=${CLINIC_AUDIT_IMAGE_CACHE:-/var/cache/clinic-audit-tests/image}
SUITE=bookworm
PACKAGES="systemd systemd-sysv dbus apache2 libapache2-mod-php8.2 php8.2-cli sudo spamassassin postfix openssl ca-certificates"

# The cache key: what goes into the image. Bump RECIPE when the steps below change.
RECIPE=1
HASH=$(printf '%s\n' "$RECIPE" "$SUITE" "$PACKAGES" | sha256sum | cut -c1-16)
TARBALL="$CACHE/debian12-$HASH.tar.zst"
if [ -s "$TARBALL" ]; then
  echo "$TARBALL"
  exit 0
fi

mkdir -p "$CACHE/debs"
# One builder at a time: CTest may start two image tests together.
exec 9>"$CACHE/.lock"
flock 9
if [ -s "$TARBALL" ]; then echo "$TARBALL"; exit 0; fi

# The Debian mirror apt uses here (deb822 .sources first, then one-line lists).
MIRROR=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$MIRROR" ]; then
  MIRROR=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' \
             /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 || true)
fi
[ -n "$MIRROR" ] || { echo "build-image.sh: no Debian mirror in /etc/apt/sources.list*" >&2; exit 1; }

WORK=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ROOT="$WORK/root"
echo "build-image.sh: debootstrap $SUITE from $MIRROR" >&2
debootstrap --variant=minbase --cache-dir="$CACHE/debs" "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
  tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }

# No daemon may start while packages are installed (invoke-rc.d(8), policy-rc.d).
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
echo "deb $MIRROR $SUITE main" >"$ROOT/etc/apt/sources.list"
printf 'postfix postfix/main_mailer_type select Local only\npostfix postfix/mailname string clinic.example\n' \
  >"$ROOT/tmp/debconf.seed"
cp "$CACHE"/debs/*.deb "$ROOT/var/cache/apt/archives/" 2>/dev/null || true

# Mounts in a private namespace: they vanish with it, whatever happens.
unshare --mount --fork sh -eu -c '
  ROOT=$1; shift
  mount -t proc proc "$ROOT/proc"
  mount --rbind /dev "$ROOT/dev"
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 sh -eu -c "
    debconf-set-selections /tmp/debconf.seed
    apt-get -qq update
    apt-get -qq install -y --no-install-recommends $*
  "
' sh "$ROOT" $PACKAGES >"$WORK/apt.log" 2>&1 || { tail -n 40 "$WORK/apt.log" >&2; exit 1; }

cp -n "$ROOT"/var/cache/apt/archives/*.deb "$CACHE/debs/" 2>/dev/null || true
rm -f "$ROOT"/var/cache/apt/archives/*.deb "$ROOT/tmp/debconf.seed"
rm -rf "$ROOT"/var/lib/apt/lists/*
# A fixed machine identity for the reports.
echo 0123456789abcdef0123456789abcdef >"$ROOT/etc/machine-id"
echo clinic-image >"$ROOT/etc/hostname"

tar --numeric-owner --xattrs --acls -C "$ROOT" -cf - . | zstd -q -T2 -3 -o "$WORK/image.tar.zst"
rm -rf "$CACHE"/debian12-*.tar.zst "$CACHE"/debian12-*.root
mv "$WORK/image.tar.zst" "$TARBALL"
echo "$TARBALL"
