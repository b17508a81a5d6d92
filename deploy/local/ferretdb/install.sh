#!/usr/bin/env bash
# Build FerretDB (MongoDB wire protocol over PostgreSQL) from the Go module proxy and cache the binary
# (../go/build.sh does the building). Idempotent: does nothing if the binary already exists.
#
# Output: the absolute path of the binary, as the last line on stdout. Everything else goes to stderr.
#
# Environment:
#   CIVICFLOW_CACHE             cache root (default: $HOME/.cache/civicflow)
#   CIVICFLOW_FERRETDB_VERSION  module version to build (default: v1.24.2)
#   GO                          go binary (default: `go` on PATH, else /usr/local/go/bin/go)
#
# FerretDB embeds build/version/version.txt, which is generated and not part of the module zip; a binary built
# without it panics at start-up (the smoke test's --version catches that). So the copied source gets one.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../go/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/../go/build.sh"

version="${CIVICFLOW_FERRETDB_VERSION:-v1.24.2}"

prepare_source() {
    printf '%s\n' "$version" >"$1/build/version/version.txt"
}

go_build ferretdb github.com/FerretDB/FerretDB "$version" cmd/ferretdb --version
