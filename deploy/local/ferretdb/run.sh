#!/usr/bin/env bash
# Run FerretDB v1.24 (SQLite backend) in the foreground.
#
# Usage: run.sh <data_dir> <port> [extra ferretdb flags...]
#
#   <data_dir>  directory for the SQLite files (one <db>.sqlite per database)
#               and FerretDB's state.json; created if missing. Relative paths
#               are taken relative to the caller's cwd.
#   <port>      TCP port to listen on, on 127.0.0.1.
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

if [[ $# -lt 2 ]]; then
    echo "usage: $0 <data_dir> <port> [extra ferretdb flags...]" >&2
    exit 2
fi

data_dir="$1"
port="$2"
shift 2

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

mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"

# --sqlite-url is a file: URI of a directory and must end with '/'.
# Percent-encode the characters that would otherwise break URI parsing.
uri_path="${data_dir//%/%25}"
uri_path="${uri_path// /%20}"
uri_path="${uri_path//\#/%23}"
uri_path="${uri_path//\?/%3F}"

exec "$bin" \
    --handler=sqlite \
    --sqlite-url="file:${uri_path}/" \
    --state-dir="$data_dir" \
    --listen-addr="127.0.0.1:${port}" \
    --telemetry=disable \
    --debug-addr=- \
    --log-level="${CIVICFLOW_FERRETDB_LOG_LEVEL:-error}" \
    "$@"
