#!/usr/bin/env bash
# Run Jaeger v2 in the foreground with in-memory storage: OTLP/HTTP in, the query API out, both on 127.0.0.1.
#
# Usage: run.sh <otlp_http_port> <query_port>
#
#   <otlp_http_port>  where services export their spans (OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:<port>).
#   <query_port>      Jaeger's HTTP query API (/api/services, /api/traces, ...), read by `civicflow trace`.
#                     The web UI served there is a placeholder page: the UI's assets are not in the Go module.
#
# Builds the binary first via install.sh if it is not cached yet (~4-9 min cold; install.sh then prints two
# progress lines on stderr, nothing otherwise). The process is exec'ed, so the caller's PID is Jaeger's PID and
# SIGTERM/SIGINT reach it directly. The traces live in memory only: they are gone when it stops.
#
# Environment:
#   CIVICFLOW_JAEGER_LOG_LEVEL   debug|info|warn|error (default: warn)
#   CIVICFLOW_JAEGER_MAX_TRACES  traces kept before the oldest is dropped (default: 20000)
#   plus everything install.sh honours (CIVICFLOW_CACHE, ...).
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <otlp_http_port> <query_port>" >&2
    exit 2
fi

for port in "$1" "$2"; do
    if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
        echo "run.sh: invalid port: $port" >&2
        exit 2
    fi
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bin="$("$here/install.sh" | tail -n 1)"
if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "run.sh: install.sh did not produce a binary" >&2
    exit 1
fi

export CIVICFLOW_JAEGER_OTLP_HTTP_PORT="$1" CIVICFLOW_JAEGER_QUERY_PORT="$2"
exec "$bin" --config "$here/config.yaml"
