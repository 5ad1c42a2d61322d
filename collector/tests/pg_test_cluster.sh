#!/usr/bin/env bash
# A private PostgreSQL for the collector's tests (issue #11 item 11): Debian's
# postgresql binaries, a cluster copied from a cached initdb template into a
# temporary directory, listening only on a Unix socket inside it; never the
# system service. Usage: pg_test_cluster.sh start|stop STATE_DIR
#   start: writes STATE_DIR/url (libpq URI of an empty database "collector")
#   stop:  pg_ctl stop -m fast, removes STATE_DIR
set -euo pipefail
action=$1 state=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cache=/var/cache/clinic-audit-tests/collector
template=$cache/pg-template-$(basename "$(dirname "$bin")")
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $action in
  start)
    if [ ! -f "$template/PG_VERSION" ]; then
      mkdir -p "$cache"
      rm -rf "$template.tmp"
      mkdir -p "$template.tmp"
      [ "$(id -u)" = 0 ] && chown postgres: "$template.tmp"
      as_postgres "$bin/initdb" -D "$template.tmp" -A trust -U postgres -E UTF8 --no-sync >/dev/null
      mv "$template.tmp" "$template"
    fi
    rm -rf "$state"
    mkdir -p "$state"
    cp -a "$template" "$state/data"
    mkdir -p "$state/sock"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$state"
    chmod 0700 "$state/data"
    as_postgres "$bin/pg_ctl" -D "$state/data" -l "$state/log" -w -t 60 \
      -o "-k $state/sock -c listen_addresses= -c max_connections=200 -c shared_buffers=32MB" start >/dev/null
    as_postgres "$bin/psql" -h "$state/sock" -U postgres -d postgres -qAt -c "CREATE DATABASE collector" >/dev/null
    echo "postgresql:///collector?host=$state/sock&user=postgres" > "$state/url"
    ;;
  stop)
    if [ -f "$state/data/postmaster.pid" ]; then
      as_postgres "$bin/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$state"
    ;;
  *) echo "usage: $0 start|stop STATE_DIR" >&2; exit 64 ;;
esac
