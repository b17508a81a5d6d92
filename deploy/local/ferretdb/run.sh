#!/usr/bin/env bash
# Run FerretDB v1.24 (PostgreSQL handler) in the foreground.
#
# Usage: run.sh <state_dir> <port> <postgresql_url> [extra ferretdb flags...]
#
#   <state_dir>       directory for FerretDB's state.json; created if missing.
#                     Relative paths are taken relative to the caller's cwd.
#   <port>            TCP port to listen on, on 127.0.0.1.
#   <postgresql_url>  the PostgreSQL database that holds the data (one schema
#                     per MongoDB database, one table per collection), e.g.
#                     postgres://ferretdb@127.0.0.1:5433/ferretdb as made by
#                     deploy/local/postgres/run.sh. Without a pool_max_conns
#                     parameter, pool_max_conns=100 is added (see below).
#
# Builds the binary first via install.sh if it is not cached yet (~3-5 min cold;
# install.sh then prints two progress lines on stderr, nothing otherwise).
# The process is exec'ed, so the caller's PID is FerretDB's PID and SIGTERM/SIGINT
# reach it directly.
#
# Environment:
#   CIVICFLOW_FERRETDB_LOG_LEVEL  debug|info|warn|error (default: error; at warn FerretDB
#                                 dumps every error reply, e.g. each DuplicateKeyError or
#                                 the unsupported endSessions sent on client close)
#   plus everything install.sh honours (CIVICFLOW_CACHE, ...).
set -euo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 <state_dir> <port> <postgresql_url> [extra ferretdb flags...]" >&2
    exit 2
fi

state_dir="$1"
port="$2"
postgresql_url="$3"
shift 3

if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "run.sh: invalid port: $port" >&2
    exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bin="$("$here/install.sh" | tail -n 1)"
if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "run.sh: install.sh did not produce a binary" >&2
    exit 1
fi

mkdir -p "$state_dir"
state_dir="$(cd "$state_dir" && pwd)"

# FerretDB 1.24 runs an update or delete as a query whose result holds one pooled connection while the write
# takes a second one. When as many updates run at once as the pool has connections, each waits for its second
# connection forever and FerretDB answers nothing more, reads included, until it is restarted (seen with
# pool_max_conns=4 and 15 concurrent update_one calls). So the pool must be larger than the number of
# operations clients can have in flight at once: FerretDB's default of 50 is not, for 50 concurrent writers.
# FerretDB keeps one pool per PostgreSQL role (each client's own credentials), so this is per service.
if [[ "$postgresql_url" != *pool_max_conns=* ]]; then
    [[ "$postgresql_url" == *\?* ]] && postgresql_url+="&" || postgresql_url+="?"
    postgresql_url+="pool_max_conns=100"
fi

exec "$bin" \
    --handler=postgresql \
    --postgresql-url="$postgresql_url" \
    --state-dir="$state_dir" \
    --listen-addr="127.0.0.1:${port}" \
    --telemetry=disable \
    --debug-addr=- \
    --log-level="${CIVICFLOW_FERRETDB_LOG_LEVEL:-error}" \
    "$@"
