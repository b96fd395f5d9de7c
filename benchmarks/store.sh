#!/usr/bin/env bash
# Store benchmark (not a test): the trainings store at 100,000 rows on SQLite and on PostgreSQL, in one run.
# Starts a private PostgreSQL cluster (Debian's postgresql) on a loopback port for the run and removes it after.
# Options pass through: --rows N --runs N
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is missing: apt-get install postgresql" >&2; exit 1; }
dir=$(mktemp -d /tmp/portal-store-bench-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
echo "bench" > "$dir/pw"
as_pg "$bin/initdb" -D "$dir/data" -U portal --pwfile "$dir/pw" --auth=scram-sha-256 -E UTF8 --locale=C >/dev/null
# Durable settings as a server would have them (fsync on): the figures compare stores, not a tuned-down cluster.
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null; rm -rf "$dir"' EXIT
PGPASSWORD=bench "$bin/createdb" -h 127.0.0.1 -p "$port" -U portal bench
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
dotnet build benchmarks/Store -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/store
/tmp/portal-bench-build/store/Store --postgres "Host=127.0.0.1;Port=$port;Database=bench;Username=portal;Password=bench" "$@"
