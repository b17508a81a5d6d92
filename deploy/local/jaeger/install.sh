#!/usr/bin/env bash
# Build Jaeger v2 (`cmd/jaeger`, an OpenTelemetry Collector distribution with Jaeger's storage and query
# extensions) from the Go module proxy and cache the binary. Idempotent: does nothing if the binary exists.
#
# Output: the absolute path of the binary, as the last line on stdout.
# Everything else (progress, errors) goes to stderr.
#
# Environment:
#   CIVICFLOW_CACHE           cache root (default: $HOME/.cache/civicflow)
#   CIVICFLOW_JAEGER_VERSION  module version to build (default: v1.76.0, released together with v2.13.0)
#   GO                        go binary (default: `go` on PATH, else /usr/local/go/bin/go)
#   GOMODCACHE / GOCACHE / GOPROXY are honoured as usual.
#
# Why not `go install github.com/jaegertracing/jaeger/cmd/jaeger@v1.76.0`? Jaeger's go.mod has a replace
# directive (github.com/Shopify/sarama), which `go install pkg@version` refuses. So we copy the module source
# to a temp dir and `go build` there, as ../ferretdb/install.sh does.
set -euo pipefail

version="${CIVICFLOW_JAEGER_VERSION:-v1.76.0}"
cache_root="${CIVICFLOW_CACHE:-$HOME/.cache/civicflow}"
dest_dir="$cache_root/jaeger-$version"
dest="$dest_dir/jaeger"

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
        log "no Go toolchain found (set GO=/path/to/go); Jaeger $version needs Go >= 1.24.6"
        exit 1
    fi
fi

# Never download a toolchain, never consult a go.work, build a static pure-Go binary.
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"

work="$(mktemp -d "${TMPDIR:-/tmp}/civicflow-jaeger-build.XXXXXX")"
tmp_bin="$dest_dir/.jaeger.tmp.$$"
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

log "building Jaeger $version with $("$go_bin" version 2>/dev/null || echo "$go_bin") (cold build takes ~4-9 min)..."
start=$SECONDS

cd "$work" # outside any module, so `go mod download` works in module-less mode
mod_json="$("$go_bin" mod download -json "github.com/jaegertracing/jaeger@$version" 2>>"$build_log")" ||
    fail "go mod download github.com/jaegertracing/jaeger@$version failed: ${mod_json:-}"
mod_dir="$(printf '%s\n' "$mod_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[[ -n "$mod_dir" && -d "$mod_dir" ]] || fail "could not find the module directory in: $mod_json"

src="$work/src"
cp -R "$mod_dir" "$src"
chmod -R u+w "$src" # the module cache is read-only

# Jaeger's Makefile stamps the version with -ldflags (scripts/makefiles/BuildInfo.mk); without it
# `jaeger version` reports an empty one. The module zip carries no git metadata, so no commit.
ldflags="-X github.com/jaegertracing/jaeger/internal/version.latestVersion=$version"
(cd "$src" && "$go_bin" build -trimpath -ldflags "$ldflags" -o "$tmp_bin" ./cmd/jaeger) >>"$build_log" 2>&1 ||
    fail "go build ./cmd/jaeger failed"

"$tmp_bin" version >>"$build_log" 2>&1 || fail "built binary fails to run 'version'"

mv -f "$tmp_bin" "$dest"
log "built $dest in $((SECONDS - start))s"
printf '%s\n' "$dest"
