# Sourced by .ci/run (and by hand: `. .ci/postgres.sh`): starts a private, throwaway
# PostgreSQL cluster on 127.0.0.1 for the sync tests against PostgreSQL (tests/sync.rs) and
# exports AKTOVKA_TEST_POSTGRES with its URL. The cluster lives in a temp dir, listens on
# loopback only (port $AKTOVKA_PG_PORT, default 54329) with trust auth, and is stopped and
# removed on exit. Debian's server binaries are installed when missing. PostgreSQL refuses
# to run as root, so as root the cluster runs as the `postgres` user the package creates.

pg_bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pg_bin="$(pg_bin_dir)"
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
  pg_sudo=""
  if [ "$(id -u)" -ne 0 ]; then pg_sudo="sudo"; fi
  $pg_sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $pg_sudo apt-get install -y --no-install-recommends postgresql
  pg_bin="$(pg_bin_dir)"
fi
"$pg_bin/postgres" --version

pg_port="${AKTOVKA_PG_PORT:-54329}"
pg_dir="$(mktemp -d /tmp/aktovka-pg.XXXXXX)"
pg_as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$pg_dir"
  pg_as=(runuser -u postgres --)
fi
"${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U aktovka --auth=trust --no-locale -E UTF8 >"$pg_dir/initdb.log"
# Loopback only, the socket in the temp dir (not the system cluster's), room for the tests
# that run in parallel (each with a server process and its connection pool).
"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=300" start

aktovka_pg_stop() {
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap aktovka_pg_stop EXIT

export AKTOVKA_TEST_POSTGRES="postgres://aktovka@127.0.0.1:$pg_port/postgres"
echo "PostgreSQL on $AKTOVKA_TEST_POSTGRES"
