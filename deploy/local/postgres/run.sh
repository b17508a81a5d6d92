#!/usr/bin/env bash
# Run a local PostgreSQL server (Debian's package) in the FOREGROUND, as the store behind FerretDB.
#
#   run.sh <data_dir> <port> <roles_dir>
#
# - finds (or installs once) the server binaries with install.sh;
# - as root, runs the server as the unprivileged `postgres` user (PostgreSQL refuses to run as root);
# - keeps the cluster in <data_dir>/data when `postgres` can reach <data_dir>, else (a checkout under a 0700
#   home or a `mktemp -d` directory) in ~postgres/civicflow/<hash of data_dir>/data, with <data_dir>/data a
#   symbolic link to it;
# - on first start runs initdb, creates the role and database FerretDB uses (`ferretdb`, owned by it) and
#   adds ferretdb.sql to that database (GIN indexes beside FerretDB's own, see there);
# - on every start (in single-user mode, before the server listens) gives each file in <roles_dir> a role of its
#   name with the file's content as password: `ferretdb` owns the database and is a member of every other role
#   (the store's operator); every other role owns the schema of its name (a MongoDB database, to FerretDB) and
#   reaches no other schema (roles.sql). FerretDB passes each client's user and password on (authMechanism=PLAIN);
# - writes <data>/civicflow.conf (the server settings below) and <data>/civicflow_hba.conf on every start: every
#   TCP connection authenticates with a password (SCRAM-SHA-256), none is trusted;
# - then exec's the server, so the pid you hold IS the postmaster. SIGINT is a fast clean shutdown; SIGTERM is
#   a clean shutdown too, but "smart": it waits until every session (FerretDB's pool too) has ended.
# It listens on 127.0.0.1:<port> only; its unix socket is in the private (0700) directory above the data (that
# path must stay under 108 bytes, or the server refuses to start).
set -euo pipefail

usage() { echo "usage: $0 <data_dir> <port> <roles_dir>" >&2; exit 2; }
[[ $# -eq 3 ]] || usage
[[ -d "$3" ]] || { echo "run.sh: no roles directory $3" >&2; exit 2; }
roles_dir="$(cd "$3" && pwd -P)"
[[ "$2" =~ ^[0-9]+$ ]] && (($2 > 0 && $2 < 65536)) || usage
port="$2"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
bin="$("$here/install.sh" | tail -n 1)"
[[ -x "$bin/postgres" ]] || { echo "run.sh: install.sh did not return a bin dir" >&2; exit 1; }

mkdir -p "$1"
data_dir="$(cd "$1" && pwd -P)"
base="$data_dir"
run_as=()
if ((EUID == 0)); then
    # setpriv exec's the program in place (runuser and su fork and wait), so the pid stays the server's.
    run_as=(setpriv --reuid=postgres --regid=postgres --init-groups --)
    if "${run_as[@]}" test -x "${data_dir%/*}/"; then
        chown postgres:postgres "$data_dir"
    else
        pg_home="$(getent passwd postgres | cut -d: -f6)"
        base="$pg_home/civicflow/$(printf '%s' "$data_dir" | sha256sum | cut -c1-16)"
        install -d -o postgres -g postgres -m 0755 "$pg_home/civicflow"
        install -d -o postgres -g postgres -m 0700 "$base"
        ln -sfn "$base/data" "$data_dir/data"
    fi
fi
chmod 0700 "$base"
pgdata="$base/data"
as_postgres() { "${run_as[@]}" "$@"; }

if [[ ! -f "$pgdata/PG_VERSION" ]]; then
    # Initialise beside the final place and move it there only when complete, so an interrupted first
    # start is simply redone.
    fresh="$base/data.init"
    rm -rf "$fresh"
    # C collation compares strings byte by byte, as MongoDB does without a collation (FerretDB accepts
    # C, POSIX, C.UTF8 and en_US.UTF8 with UTF8).
    as_postgres "$bin/initdb" --pgdata="$fresh" --username=postgres --encoding=UTF8 --locale=C \
        --auth-local=peer --auth-host=scram-sha-256 --no-instructions
    # Single-user mode runs the statements without a listening server (here each line is one statement).
    as_postgres "$bin/postgres" --single -D "$fresh" -c exit_on_error=true postgres >/dev/null <<'SQL'
CREATE ROLE ferretdb LOGIN
CREATE DATABASE ferretdb OWNER ferretdb
SQL
    as_postgres "$bin/postgres" --single -j -D "$fresh" -c exit_on_error=true ferretdb >/dev/null \
        <"$here/ferretdb.sql"
    printf "\ninclude = 'civicflow.conf'\n" | as_postgres tee -a "$fresh/postgresql.conf" >/dev/null
    mv "$fresh" "$pgdata"
fi

as_postgres tee "$pgdata/civicflow_hba.conf" >/dev/null <<'HBA'
# Written by deploy/local/postgres/run.sh on every start. Only the OS user postgres reaches the server without a
# password, over the private unix socket; everything over TCP proves a role's password (SCRAM-SHA-256).
local all postgres peer
host all all 127.0.0.1/32 scram-sha-256
HBA

as_postgres tee "$pgdata/civicflow.conf" >/dev/null <<CONF
# Written by deploy/local/postgres/run.sh on every start (included by postgresql.conf); edits are overwritten.
listen_addresses = '127.0.0.1'
port = $port
hba_file = '${pgdata//\'/\'\'}/civicflow_hba.conf'
password_encryption = 'scram-sha-256'
unix_socket_directories = '${base//\'/\'\'}'
# A small server on a 2-core machine shared with Kafka, FerretDB and four services. FerretDB keeps a pool per role
# (each client's own credentials), each of up to 100 connections (deploy/local/ferretdb/run.sh says why so many):
# five roles (four services and the operator), and the rest for psql and health checks.
max_connections = 520
shared_buffers = 128MB
effective_cache_size = 1GB
work_mem = 8MB
# Parallel workers only compete with the rest of the stack for the same two cores.
max_parallel_workers_per_gather = 0
# FerretDB scans whole collections for filters it cannot push down; JIT would compile each such query
# (tens to hundreds of ms) once a scan is costed high enough, which a local collection reaches quickly.
jit = off
# FerretDB's statements name the field as a parameter (_jsonb->\$1 @> \$2). A generic plan cannot match that to an
# index on _jsonb->'field', and PostgreSQL keeps a generic plan once custom ones stop being cheaper, e.g. for a
# collection that was small when the statement was first run: plan each execution with its values instead.
plan_cache_mode = force_custom_plan
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
CONF

# The roles, in single-user mode (no server listens yet); passwords go in on stdin, never on a command line.
{
    cat "$here/roles.sql"
    for file in "$roles_dir"/*; do
        role="$(basename "$file")"
        [[ "$role" =~ ^[a-z][a-z0-9_]{0,62}$ ]] || { echo "run.sh: $role is not a role name" >&2; exit 2; }
        password="$(cat "$file")"
        [[ "$password" =~ ^[A-Za-z0-9_-]{16,}$ ]] || { echo "run.sh: the password of $role is not url-safe" >&2; exit 2; }
        printf "SELECT pg_temp.civicflow_role('%s', '%s');\n\n" "$role" "$password"
    done
} | as_postgres "$bin/postgres" --single -j -D "$pgdata" -c exit_on_error=true ferretdb >/dev/null

echo "run.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') data in $pgdata, on 127.0.0.1:$port"
exec "${run_as[@]}" "$bin/postgres" -D "$pgdata"
