#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for the tests that need a real database (the ledger's PostgreSQL
# store): Debian's `postgresql` package (installed with apt-get when missing), a cluster owned by
# this user under ~/.cache/bulwark/postgres, listening on 127.0.0.1 only, password authentication.
# Idempotent: a running cluster is reused. Prints the connection URL (the only thing on stdout) and
# writes it to $state_dir/url (mode 0600), where tests read it.
#
# PostgreSQL refuses to run as root. As root the server runs either as the `postgres` user (when it
# can reach the data directory) or, since root's home is usually private, inside a user namespace
# that maps root to an unprivileged id: the files stay root's, the server sees a non-root owner.
set -euo pipefail

state_dir="${BULWARK_PG_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bulwark/postgres}"
port="${BULWARK_PG_PORT:-55432}"
data_dir="$state_dir/data"
url_file="$state_dir/url"
password_file="$state_dir/password"

log() { echo "setup-postgres: $*" >&2; }

find_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$dir" && -x "$dir/initdb" ]] && echo "$dir"
}

bin="$(find_bin || true)"
if [[ -z "$bin" ]]; then
  if [[ "$(id -u)" -ne 0 ]]; then
    log "PostgreSQL is not installed and installing it needs root: apt-get install postgresql"
    exit 1
  fi
  log "installing Debian's postgresql package"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 || {
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
  }
  bin="$(find_bin)" || { log "postgresql installed but no initdb under /usr/lib/postgresql"; exit 1; }
fi

mkdir -p "$state_dir"
chmod 700 "$state_dir"

# How to run the server's programs: directly, as `postgres`, or in a user namespace (see above).
as_server=()
if [[ "$(id -u)" -eq 0 ]]; then
  if id postgres >/dev/null 2>&1 && runuser -u postgres -- test -x "$state_dir" 2>/dev/null; then
    as_server=(runuser -u postgres --)
    mkdir -p "$data_dir"
    chown postgres:postgres "$data_dir"
  elif unshare --user --map-user=1000 --map-group=1000 true 2>/dev/null; then
    as_server=(unshare --user --map-user=1000 --map-group=1000 --)
  else
    log "running as root, the postgres user cannot reach $state_dir and user namespaces are unavailable; set BULWARK_PG_DIR to a directory the postgres user can reach"
    exit 1
  fi
fi

run() { "${as_server[@]}" "$@"; }

write_url() {
  local password
  password="$(cat "$password_file")"
  umask 077
  echo "postgresql://bulwark:${password}@127.0.0.1:${port}/postgres" >"$url_file"
  cat "$url_file"
}

if [[ ! -f "$data_dir/PG_VERSION" ]]; then
  log "creating a cluster in $data_dir (port $port)"
  umask 077
  mkdir -p "$data_dir"
  [[ "${as_server[0]:-}" == runuser ]] && chown postgres:postgres "$data_dir"
  chmod 700 "$data_dir"
  head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$password_file"
  pwfile="$state_dir/initdb-password"
  cp "$password_file" "$pwfile"
  [[ "${as_server[0]:-}" == runuser ]] && chown postgres:postgres "$pwfile"
  run "$bin/initdb" -D "$data_dir" -U bulwark --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 --no-instructions >&2
  rm -f "$pwfile"
  cat >>"$data_dir/postgresql.conf" <<CONF

# bulwark test cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data_dir'
max_connections = 50
CONF
fi

if run "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
  log "already running"
else
  log "starting the server"
  run "$bin/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w -t 60 start >&2 || {
    log "the server did not start; its log:"
    tail -n 20 "$data_dir/server.log" >&2 || true
    exit 1
  }
fi

write_url
