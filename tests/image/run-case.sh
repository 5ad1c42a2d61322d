#!/bin/sh
# One step on a case of the image fixture, in a private mount namespace (the
# overlay vanishes with it; the cached base stays clean):
#
#   run-case.sh BASE WORK configure CASE      configure-clinic.sh on a fresh overlay
#   run-case.sh BASE WORK agent ARG...        clinic-audit (CLINIC_AUDIT) ARG... --root IMAGE
#   run-case.sh BASE WORK apply FILE          FILE run literally by the image's own
#                                             /bin/sh -e, chrooted into the image: the
#                                             remediation as a technician pastes it
#
# BASE is the extracted image (read-only lower layer); WORK keeps the case's
# upper layer between steps.
set -eu
BASE=$1 WORK=$2 STEP=$3
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$STEP" = configure ]; then rm -rf "$WORK"; fi
mkdir -p "$WORK/upper" "$WORK/work" "$WORK/merged"
exec unshare --mount --fork sh -eu -c '
  BASE=$1 WORK=$2 STEP=$3 HERE=$4; shift 4
  IMAGE=$WORK/merged
  mount -t overlay overlay -o "lowerdir=$BASE,upperdir=$WORK/upper,workdir=$WORK/work" "$IMAGE"
  case $STEP in
    configure) "$HERE/configure-clinic.sh" "$IMAGE" "$1" ;;
    agent) exec "$CLINIC_AUDIT" "$@" --root "$IMAGE" ;;
    apply)
      mount --rbind /dev "$IMAGE/dev"
      mount -t proc proc "$IMAGE/proc"
      # No systemd runs in an offline image: systemctl verbs that act on the
      # service manager (daemon-reload, restart, --now...) are recorded and
      # skipped; the others (enable, unmask...) run for real on the image.
      # In this namespace only: a tmpfs over /usr/local/sbin, first in PATH.
      mount -t tmpfs tmpfs "$IMAGE/usr/local/sbin"
      cat >"$IMAGE/usr/local/sbin/systemctl" <<'"'WRAP'"'
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
      chmod 0755 "$IMAGE/usr/local/sbin/systemctl"
      exec chroot "$IMAGE" /usr/bin/env -i PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 /bin/sh -e <"$1" ;;
    *) echo "run-case.sh: unknown step $STEP" >&2; exit 64 ;;
  esac
' sh "$BASE" "$WORK" "$STEP" "$HERE" "$@"
