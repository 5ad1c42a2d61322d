#!/usr/bin/env bash
# Issue #15: the installed package works. In a throw-away Debian 12 root
# (debootstrap minbase, tests/packaging/debian_root.sh), as a new sysadmin
# would:
#  1. dpkg -i the package: the key is created (0600 root), the timer enabled,
#     the reports directory group-readable, /etc files are conffiles;
#  2. the installed `clinic-audit run --offline` (chrooted) gives no `error`
#     that the build tree's agent, auditing the same root with --root, does
#     not also give (the OpenSSL probe found where the package put it);
#     a signed run with --out, `verify` and `status` work;
#  3. agent.conf edited, the timer disabled by the administrator
#     (systemctl --root disable), then an upgrade to a rebuilt package with a
#     bumped version through apt-get with systemd "running" (a recording
#     systemctl): the edit survives, the timer stays disabled, the key is
#     kept, the APT hook queued the post-upgrade unit with --no-block;
#  4. dpkg --purge: nothing left but what Debian policy allows (adduser's
#     backups and lock of the collector's system account, which stays).
# Further packages: every .deb that installer/build-deb.sh builds (one per
# CPack component, e.g. clinic-audit-collector) is installed in step 1,
# upgraded in step 3 and purged in step 4 with the agent; its own checks go
# in extra_package_checks() below (called with "install", "upgrade", "purge").
#
# usage: deb_lifecycle.sh SOURCE_DIR PACKAGE_BUILD_DIR BUILD_TREE_AGENT WORK_DIR
set -euo pipefail
src=$1 pkg_build=$2 tree_agent=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=debian_root.sh
. "$here/debian_root.sh"

# The collector package, as its man page's FIRST START says to bring it up:
# database and regional CA created as its service account, a token created
# as root, the service started as that account; then kept across the
# upgrade, and gone with the purge.
collector_token_listed() { in_root "$root" clinic-audit-collector token list | grep -q packaging; }
extra_package_checks() {
  [ -x "$root/usr/bin/clinic-audit-collector" ] || [ "$1" = purge ] || return 0
  local collector_home=/var/lib/clinic-audit-collector
  case $1 in
    install)
      check "the shipped collector.conf is well-formed and valid" \
        xmllint --noout --schema "$src/collector/config/collector-config.xsd" "$root/etc/clinic-audit/collector.conf"
      check "collector: init --create-ca as its service account" \
        in_root "$root" runuser -u clinic-audit-collector -- clinic-audit-collector init --create-ca
      local owner
      owner=$(awk -F: '$1 == "clinic-audit-collector" { print $3 }' "$root/etc/passwd")
      check "collector: the regional CA key is 0600, owned by the service account" \
        [ "$(stat -c '%a %u' "$root$collector_home/ca.key")" = "600 $owner" ]
      check "collector: token create as root, on the service's database" \
        in_root "$root" clinic-audit-collector token create --site packaging --uses 1
      check "collector: the database stays the service account's" \
        [ "$(stat -c '%u' "$root$collector_home/collector.db")" = "$owner" ]
      in_root "$root" timeout 3 runuser -u clinic-audit-collector -- clinic-audit-collector serve \
        >"$work/collector-serve.log" 2>&1 || true
      check "collector: serve starts as the service account with the shipped configuration" \
        grep -q "listening on" "$work/collector-serve.log"
      ;;
    upgrade)
      check "collector: its database and tokens survive the upgrade" collector_token_listed
      check "collector: the upgrade restarts the service if it runs" \
        grep -q "try-restart clinic-audit-collector.service" "$root/var/log/systemctl-calls"
      ;;
    purge)
      check "collector: purge removed its state directory" [ ! -e "$root$collector_home" ]
      ;;
  esac
}

failures=0
pass() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
not() { ! "$@"; }

[ "$(id -u)" -eq 0 ] || { echo "packaging test: needs root (chroot, dpkg in a root)" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/v1" "$work/v2"
root=$work/root
cleanup() { rm -rf "$root"; }
trap cleanup EXIT

# --- the packages: as built, and rebuilt with a bumped version ------------
mapfile -t debs1 < <("$src/installer/build-deb.sh" "$pkg_build" "$work/v1")
version=$(dpkg-deb -f "${debs1[0]}" Version)
upstream=${version%-*}
mapfile -t debs2 < <("$src/installer/build-deb.sh" "$pkg_build" "$work/v2" "$upstream+upgradetest")
agent_deb1=$(printf '%s\n' "${debs1[@]}" | grep '/clinic-audit_')
agent_deb2=$(printf '%s\n' "${debs2[@]}" | grep '/clinic-audit_')
version2=$(dpkg-deb -f "$agent_deb2" Version)
dpkg --compare-versions "$version2" gt "$version" || { echo "rebuilt version $version2 is not newer than $version" >&2; exit 1; }
echo "packages: ${debs1[*]##*/} -> ${debs2[*]##*/}"

# --- the root ---------------------------------------------------------------
mapfile -t depends < <(for d in "${debs1[@]}"; do deb_depends "$d"; done | grep -v -x -F -f <(for d in "${debs1[@]}"; do dpkg-deb -f "$d" Package; done) | sort -u)
tarball=$(debian_root_tarball "${depends[@]}")
debian_root_unpack "$tarball" "$root"
snapshot() {
  (cd "$root" && find . -xdev -path ./proc -prune -o -path ./tmp -prune -o -path ./dev -prune -o -print | LC_ALL=C sort)
}
snapshot >"$work/before.list"
mkdir -p "$root/tmp/debs"
cp "${debs1[@]}" "${debs2[@]}" "$root/tmp/debs/"
chroot_path() { printf '/tmp/debs/%s\n' "${1##*/}"; }
mapfile -t packages < <(for d in "${debs1[@]}"; do dpkg-deb -f "$d" Package; done)
mapfile -t in_root_debs1 < <(for d in "${debs1[@]}"; do chroot_path "$d"; done)
mapfile -t in_root_debs2 < <(for d in "${debs2[@]}"; do chroot_path "$d"; done)

# --- 1. first installation (no systemd running) ----------------------------
in_root "$root" dpkg -i "${in_root_debs1[@]}" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i ${debs1[*]##*/}"; exit 1; }
pass "dpkg -i ${debs1[*]##*/}"
conffiles=$(in_root "$root" dpkg-query -W -f='${Conffiles}\n' clinic-audit | awk 'NF { print $1 }' | sort)
expected_conffiles=$(printf '%s\n' /etc/apt/apt.conf.d/99clinic-audit /etc/clinic-audit/agent.conf /etc/cron.d/clinic-audit)
check "conffiles are agent.conf, the cron file and the APT hook" [ "$conffiles" = "$expected_conffiles" ]
check "the signing key was created by postinst (0600 root:root)" [ "$(stat -c '%a %u %g' "$root/etc/clinic-audit/agent.key" 2>/dev/null)" = "600 0 0" ]
check "the agent certificate was created" [ -s "$root/etc/clinic-audit/agent.crt" ]
check "the timer is enabled on first install" [ -L "$root/etc/systemd/system/timers.target.wants/clinic-audit.timer" ]
# Numeric ids: the names are the root's, not this machine's.
group_id=$(awk -F: '$1 == "clinic-audit" { print $3 }' "$root/etc/group")
check "the system group clinic-audit exists" [ -n "$group_id" ]
check "the reports directory is readable by the group clinic-audit" [ "$(stat -c '%a %u %g' "$root/var/lib/clinic-audit/reports")" = "2750 0 $group_id" ]
check "the probe is installed where the agent looks for it" [ -x "$root/usr/libexec/clinic-audit/clinic-audit-openssl-probe" ]
key_sum=$(sha256sum <"$root/etc/clinic-audit/agent.key")
extra_package_checks install

# --- 2. the installed agent audits the machine ------------------------------
set +e
in_root "$root" clinic-audit run --offline --format json >"$work/installed.json" 2>"$work/installed.err"
installed_code=$?
"$tree_agent" run --offline --root "$root" --format json >"$work/tree.json" 2>"$work/tree.err"
tree_code=$?
set -e
echo "installed run exit $installed_code, build-tree run (--root) exit $tree_code"
check "installed run produced a report" jq -e '.results | length > 0' "$work/installed.json" >/dev/null
check "build-tree run produced a report" jq -e '.results | length > 0' "$work/tree.json" >/dev/null
jq -r '.results[] | select(.status == "error") | .check_id' "$work/installed.json" | sort >"$work/installed.errors"
jq -r '.results[] | select(.status == "error") | .check_id' "$work/tree.json" | sort >"$work/tree.errors"
only_installed=$(comm -23 "$work/installed.errors" "$work/tree.errors")
if [ -z "$only_installed" ]; then
  pass "no error in the installed run that the build tree does not also give ($(wc -l <"$work/installed.errors") errors in both)"
else
  fail "errors only in the installed run: $(echo "$only_installed" | paste -sd' ')"
  jq -r '.results[] | select(.status == "error") | "\(.check_id): \(.summary)"' "$work/installed.json" >&2
fi
seclevel=$(jq -r '.results[] | select(.check_id == "apicrypt-v2.openssl.seclevel") | .status' "$work/installed.json")
check "apicrypt-v2.openssl.seclevel is evaluated by the installed agent (status: ${seclevel:-absent})" [ -n "$seclevel" ] && [ "$seclevel" != error ]
check "the installed agent names the installed probe nowhere as missing" not grep -q "clinic-audit-openssl-probe" "$work/installed.json"
# Issue #19 item 5: the agent and its probe start without loading a C++
# shared library (cmake/StaticCxxRuntime.cmake); the runs above are theirs.
for bin in usr/bin/clinic-audit usr/libexec/clinic-audit/clinic-audit-openssl-probe; do
  needed=$(readelf -d "$root/$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd' ')
  check "/$bin needs libc and no libstdc++, libgcc_s, libfmt or libpugixml (NEEDED: ${needed:-none read})" \
    eval 'grep -q "libc\.so\.6" <<<"$needed" && ! grep -qE "libstdc\+\+|libgcc_s|libfmt|libpugixml" <<<"$needed"'
done

set +e
in_root "$root" clinic-audit run --offline --trigger timer --quiet --format json --format xml --out /var/lib/clinic-audit/reports >/dev/null 2>"$work/signed.err"
signed_code=$?
set -e
check "signed run with --out exits with a verdict (0, 1 or 2; got $signed_code)" [ "$signed_code" -le 2 ]
check "the report and its signature are in /var/lib/clinic-audit/reports" compgen -G "$root/var/lib/clinic-audit/reports/*.json.p7s" >/dev/null
check "clinic-audit verify accepts the stored reports" in_root "$root" clinic-audit verify --ca /etc/clinic-audit/agent.crt /var/lib/clinic-audit/reports
# The monitoring user: unprivileged, in the group clinic-audit.
status_as() { in_root "$root" setpriv --reuid=65534 --regid=65534 "$@" clinic-audit status --format nagios; }
set +e
member_out=$(status_as --groups="$group_id")
member_code=$?
outsider_out=$(status_as --clear-groups)
outsider_code=$?
set -e
member_ok() { [ "$member_code" -le 2 ] && [[ $member_out == "CLINIC-AUDIT "* ]]; }
outsider_ok() { [ "$outsider_code" -eq 3 ] && [[ $outsider_out == *"group clinic-audit"* ]]; }
check "status as an unprivileged member of clinic-audit renders the report (exit $member_code: ${member_out%%$'\n'*})" member_ok
check "status as a user outside the group is UNKNOWN, saying why (exit $outsider_code)" outsider_ok

# --- 3. site edits, administrator's choices, upgrade through apt ------------
sed -i 's|<reports keep="30"/>|<reports keep="7"/>\n  <!-- site edit kept across upgrades -->|' "$root/etc/clinic-audit/agent.conf"
conf_sum=$(sha256sum <"$root/etc/clinic-audit/agent.conf")
systemctl --root="$root" disable clinic-audit.timer >/dev/null 2>&1
check "systemctl --root disable removed the timer link" [ ! -e "$root/etc/systemd/system/timers.target.wants/clinic-audit.timer" ]
# systemd "running" in the root: a systemctl that records its arguments.
mkdir -p "$root/run/systemd/system"
cat >"$root/usr/bin/systemctl" <<'STUB'
#!/bin/sh
echo "$*" >>/var/log/systemctl-calls
exit 0
STUB
chmod 0755 "$root/usr/bin/systemctl"
start=$(date +%s)
in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${in_root_debs2[@]}" </dev/null >"$work/upgrade.log" 2>&1 ||
  { cat "$work/upgrade.log"; fail "apt-get install ${debs2[*]##*/}"; exit 1; }
elapsed=$(( $(date +%s) - start ))
check "upgraded to $version2" [ "$(in_root "$root" dpkg-query -W -f='${Version}' clinic-audit)" = "$version2" ]
check "the edited agent.conf survived the upgrade" [ "$(sha256sum <"$root/etc/clinic-audit/agent.conf")" = "$conf_sum" ]
check "no .dpkg-new/.dpkg-old left beside agent.conf" [ -z "$(find "$root/etc/clinic-audit" -name '*.dpkg-*')" ]
check "the timer the administrator disabled stays disabled" [ ! -e "$root/etc/systemd/system/timers.target.wants/clinic-audit.timer" ]
check "the signing key was kept" [ "$(sha256sum <"$root/etc/clinic-audit/agent.key")" = "$key_sum" ]
check "the APT hook queued the post-upgrade audit without waiting" grep -qx "start --no-block clinic-audit-post-upgrade.service" "$root/var/log/systemctl-calls"
check "apt did not wait for an audit (${elapsed}s)" [ "$elapsed" -lt 30 ]
check "no audit ran inside dpkg (no post-upgrade report)" not grep -lq '"post-upgrade"' "$root"/var/lib/clinic-audit/reports/*.json
extra_package_checks upgrade
rm -f "$root/usr/bin/systemctl" "$root/var/log/systemctl-calls"
rmdir "$root/run/systemd/system" "$root/run/systemd" 2>/dev/null || true

# --- 4. purge -------------------------------------------------------------
in_root "$root" dpkg --purge "${packages[@]}" >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge ${packages[*]}"; }
extra_package_checks purge
snapshot >"$work/after.list"
# What Debian policy lets a purge leave: dpkg's and apt's own records and
# logs; the system group (Policy 9.2: accounts are left to the admin) and the
# backups passwd tools make of /etc/group; the directories deb-systemd-helper
# keeps its state in (init-system-helpers', shared by every unit package).
allowed='^\./(var/lib/dpkg/|var/log/(dpkg\.log|apt/|alternatives\.log)|var/cache/(apt|debconf)/|var/lib/apt/|etc/(group|gshadow|passwd|shadow)-$|run/adduser$|var/lib/systemd(/deb-systemd-helper-(enabled|masked))?$|etc/systemd(/system)?$|etc/ld\.so\.cache$)'
echo "new after purge, allowed: $(comm -13 "$work/before.list" "$work/after.list" | grep -E "$allowed" | paste -sd' ')"
leftovers=$(comm -13 "$work/before.list" "$work/after.list" | grep -Ev "$allowed" || true)
if [ -z "$leftovers" ]; then
  pass "dpkg --purge left nothing Debian policy does not allow"
else
  fail "left after purge:"
  echo "$leftovers" >&2
fi
missing=$(comm -23 "$work/before.list" "$work/after.list" || true)
check "purge removed nothing that was there before (${missing:-none})" [ -z "$missing" ]

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "packaging lifecycle: all checks passed"
