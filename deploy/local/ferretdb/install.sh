#!/usr/bin/env bash
# Build FerretDB (MongoDB wire protocol over PostgreSQL) from the Go module proxy
# and cache the binary. Idempotent: does nothing if the binary already exists.
#
# Output: the absolute path of the binary, as the last line on stdout.
# Everything else (progress, errors) goes to stderr.
#
# Environment:
#   CIVICFLOW_CACHE             cache root (default: $HOME/.cache/civicflow)
#   CIVICFLOW_FERRETDB_VERSION  module version to build (default: v1.24.2)
#   GO                          go binary (default: `go` on PATH, else /usr/local/go/bin/go)
#   GOMODCACHE / GOCACHE / GOPROXY are honoured as usual.
#
# Why not `go install .../cmd/ferretdb@v1.24.2`? FerretDB embeds
# build/version/version.txt, which is generated and not part of the module
# zip; a binary built without it panics at start-up. So we copy the module
# source to a temp dir, write version.txt, and `go build` there.
set -euo pipefail

version="${CIVICFLOW_FERRETDB_VERSION:-v1.24.2}"
cache_root="${CIVICFLOW_CACHE:-$HOME/.cache/civicflow}"
dest_dir="$cache_root/ferretdb-$version"
dest="$dest_dir/ferretdb"

log() { printf 'install.sh: %s\n' "$*" >&2; }

if [[ -x "$dest" ]]; then
    printf '%s\n' "$dest"
    exit 0
fi

mkdir -p "$dest_dir"

# Serialise concurrent installs (e.g. parallel test workers) on one lock file.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$dest_dir/.install.lock"
    flock 9
    if [[ -x "$dest" ]]; then # another process finished the build while we waited
        printf '%s\n' "$dest"
        exit 0
    fi
fi

go_bin="${GO:-}"
if [[ -z "$go_bin" ]]; then
    if command -v go >/dev/null 2>&1; then
        go_bin="$(command -v go)"
    elif [[ -x /usr/local/go/bin/go ]]; then
        go_bin=/usr/local/go/bin/go
    else
        log "no Go toolchain found (set GO=/path/to/go); FerretDB $version needs Go >= 1.24"
        exit 1
    fi
fi

# Never download a toolchain, never consult a go.work, build a static pure-Go binary.
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"

work="$(mktemp -d "${TMPDIR:-/tmp}/civicflow-ferretdb-build.XXXXXX")"
tmp_bin="$dest_dir/.ferretdb.tmp.$$"
cleanup() {
    chmod -R u+w "$work" 2>/dev/null || true
    rm -rf "$work" "$tmp_bin"
}
trap cleanup EXIT

build_log="$work/build.log"
fail() {
    log "$1"
    if [[ -s "$build_log" ]]; then
        log "last lines of the build log:"
        tail -n 40 "$build_log" >&2
    fi
    exit 1
}

log "building FerretDB $version with $("$go_bin" version 2>/dev/null || echo "$go_bin") (cold build takes ~3-5 min)..."
start=$SECONDS

cd "$work" # outside any module, so `go mod download` works in module-less mode
mod_json="$("$go_bin" mod download -json "github.com/FerretDB/FerretDB@$version" 2>>"$build_log")" ||
    fail "go mod download github.com/FerretDB/FerretDB@$version failed: ${mod_json:-}"
mod_dir="$(printf '%s\n' "$mod_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[[ -n "$mod_dir" && -d "$mod_dir" ]] || fail "could not find the module directory in: $mod_json"

src="$work/src"
cp -R "$mod_dir" "$src"
chmod -R u+w "$src" # the module cache is read-only
printf '%s\n' "$version" >"$src/build/version/version.txt"

(cd "$src" && "$go_bin" build -o "$tmp_bin" ./cmd/ferretdb) >>"$build_log" 2>&1 ||
    fail "go build ./cmd/ferretdb failed"

# Smoke-test before publishing: a bad version.txt makes the binary panic here.
"$tmp_bin" --version >>"$build_log" 2>&1 || fail "built binary fails to run --version"

mv -f "$tmp_bin" "$dest"
log "built $dest in $((SECONDS - start))s"
printf '%s\n' "$dest"
