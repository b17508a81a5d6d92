# shellcheck shell=bash
# Build a Go command from a module on the Go module proxy and cache the binary: what deploy/local/ferretdb/install.sh
# and deploy/local/jaeger/install.sh share. Sourced by them; they call go_build.
#
#   go_build NAME MODULE VERSION PACKAGE SMOKE_ARG [LDFLAGS]
#
# builds ./PACKAGE of MODULE@VERSION into $CIVICFLOW_CACHE/NAME-VERSION/NAME (default cache root
# $HOME/.cache/civicflow), runs the binary with SMOKE_ARG before publishing it, and prints its absolute path as
# the last line on stdout; everything else (progress, errors) goes to stderr. Idempotent: does nothing if the
# binary exists. A function `prepare_source DIR`, if the caller defines one, runs on the copied source first.
#
# Why not `go install MODULE/PACKAGE@VERSION`? Neither module builds that way (FerretDB needs a generated file
# that is not in the module zip, Jaeger's go.mod has a replace directive, which `go install` refuses), so the
# module source is copied to a temporary directory and built there.
#
# Environment: GO (default: `go` on PATH, else /usr/local/go/bin/go); GOMODCACHE, GOCACHE, GOPROXY as usual.

go_build_log() { printf 'install.sh: %s\n' "$*" >&2; }

go_build() {
    local name="$1" module="$2" version="$3" package="$4" smoke_arg="$5" ldflags="${6:-}"
    local cache_root="${CIVICFLOW_CACHE:-$HOME/.cache/civicflow}"
    local dest_dir="$cache_root/$name-$version"
    local dest="$dest_dir/$name"

    if [[ -x "$dest" ]]; then
        printf '%s\n' "$dest"
        return 0
    fi
    mkdir -p "$dest_dir"

    # Serialise concurrent installs (e.g. parallel test workers) on one lock file.
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$dest_dir/.install.lock"
        flock 9
        if [[ -x "$dest" ]]; then # another process finished the build while we waited
            printf '%s\n' "$dest"
            return 0
        fi
    fi

    local go_bin="${GO:-}"
    if [[ -z "$go_bin" ]]; then
        if command -v go >/dev/null 2>&1; then
            go_bin="$(command -v go)"
        elif [[ -x /usr/local/go/bin/go ]]; then
            go_bin=/usr/local/go/bin/go
        else
            go_build_log "no Go toolchain found (set GO=/path/to/go); $name $version needs Go >= 1.24.6"
            return 1
        fi
    fi

    # Never download a toolchain, never consult a go.work, build a static pure-Go binary.
    export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
    export GOFLAGS="-mod=mod -buildvcs=false"

    GO_BUILD_WORK="$(mktemp -d "${TMPDIR:-/tmp}/civicflow-$name-build.XXXXXX")"
    GO_BUILD_TMP_BIN="$dest_dir/.$name.tmp.$$"
    trap 'chmod -R u+w "$GO_BUILD_WORK" 2>/dev/null || true; rm -rf "$GO_BUILD_WORK" "$GO_BUILD_TMP_BIN"' EXIT
    local build_log="$GO_BUILD_WORK/build.log" tmp_bin="$GO_BUILD_TMP_BIN"

    go_build_log "building $name $version with $("$go_bin" version 2>/dev/null || echo "$go_bin") (a cold build takes minutes)..."
    local start=$SECONDS mod_json mod_dir
    # Outside any module, so `go mod download` works in module-less mode.
    mod_json="$(cd "$GO_BUILD_WORK" && "$go_bin" mod download -json "$module@$version" 2>>"$build_log")" ||
        _go_build_fail "$build_log" "go mod download $module@$version failed: ${mod_json:-}" || return 1
    mod_dir="$(printf '%s\n' "$mod_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
    [[ -n "$mod_dir" && -d "$mod_dir" ]] ||
        _go_build_fail "$build_log" "could not find the module directory in: $mod_json" || return 1

    local src="$GO_BUILD_WORK/src"
    cp -R "$mod_dir" "$src"
    chmod -R u+w "$src" # the module cache is read-only
    if declare -F prepare_source >/dev/null; then
        prepare_source "$src"
    fi

    (cd "$src" && "$go_bin" build -trimpath -ldflags "$ldflags" -o "$tmp_bin" "./$package") >>"$build_log" 2>&1 ||
        _go_build_fail "$build_log" "go build ./$package failed" || return 1
    # Smoke-test before publishing: a binary that cannot start is never cached.
    "$tmp_bin" "$smoke_arg" >>"$build_log" 2>&1 ||
        _go_build_fail "$build_log" "the built binary fails to run '$smoke_arg'" || return 1

    mv -f "$tmp_bin" "$dest"
    go_build_log "built $dest in $((SECONDS - start))s"
    printf '%s\n' "$dest"
}

_go_build_fail() {
    go_build_log "$2"
    if [[ -s "$1" ]]; then
        go_build_log "last lines of the build log:"
        tail -n 40 "$1" >&2
    fi
    return 1
}
