#!/bin/sh
# apply-in-root.sh ROOT FILE
# Runs FILE literally with sh -e as root, chrooted into the hand-made fixture
# tree ROOT (issue #17 item 2: remediations applied as a technician pastes
# them, every absolute path landing inside ROOT). The trees hold only
# configuration, so in a private mount namespace the host's /usr is laid under
# ROOT's own /usr (overlay: ROOT's files win, writes there are thrown away)
# (and under its /lib, /bin... when it has them) with the merged-/usr links,
# /dev and /proc. systemctl verbs that need a
# running systemd (daemon-reload, restart, --now) are recorded, not run;
# enable/unmask/mask run for real on ROOT's /etc. What this script adds to ROOT
# (empty mount points, /bin-style links) is removed afterwards.
set -eu
ROOT=$1 FILE=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
added=
for d in usr dev proc clinic-audit-harness; do
  if [ ! -e "$ROOT/$d" ]; then mkdir "$ROOT/$d"; added="$added $d"; fi
done
for d in bin sbin lib lib64; do
  if [ ! -e "$ROOT/$d" ] && [ ! -L "$ROOT/$d" ]; then ln -s "usr/$d" "$ROOT/$d"; added="$added $d"; fi
done
status=0
unshare --mount --fork sh -eu -c '
  ROOT=$1 FILE=$2 TMP=$3
  # /usr, and any of /bin /sbin /lib /lib64 the tree has as a real
  # directory (e.g. /lib/systemd/system), get the host programs beneath.
  for d in usr bin sbin lib lib64; do
    [ -d "$ROOT/$d" ] && [ ! -L "$ROOT/$d" ] || continue
    host=/usr/$d; [ "$d" = usr ] && host=/usr
    mkdir -p "$TMP/$d.upper" "$TMP/$d.work"
    mount -t overlay overlay -o "lowerdir=$ROOT/$d:$host,upperdir=$TMP/$d.upper,workdir=$TMP/$d.work" "$ROOT/$d"
  done
  mount --rbind /dev "$ROOT/dev"
  mount -t proc proc "$ROOT/proc"
  mount -t tmpfs tmpfs "$ROOT/clinic-audit-harness"
  cat >"$ROOT/clinic-audit-harness/systemctl" <<"WRAP"
#!/bin/sh
set -e
args=
live=
for a do
  case $a in
    --now) live=1; continue ;;
    daemon-reload|daemon-reexec|start|stop|restart|reload|try-restart|reload-or-restart|kill) live=1 ;;
  esac
  args="$args $a"
done
case " $args " in *" enable "*|*" disable "*|*" mask "*|*" unmask "*) /usr/bin/systemctl $args ;; esac
if [ -n "$live" ]; then echo "harness: systemctl $* needs a running systemd: recorded, not run" >&2; fi
WRAP
  chmod 0755 "$ROOT/clinic-audit-harness/systemctl"
  cp "$FILE" "$ROOT/clinic-audit-harness/remediation.sh"
  exec chroot "$ROOT" /usr/bin/env -i PATH=/clinic-audit-harness:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
    /bin/sh -e /clinic-audit-harness/remediation.sh
' sh "$ROOT" "$FILE" "$TMP" || status=$?
for d in $added; do
  if [ -L "$ROOT/$d" ]; then rm -f "$ROOT/$d"; else rmdir "$ROOT/$d" 2>/dev/null || true; fi
done
exit $status
