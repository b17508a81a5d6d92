#!/usr/bin/env bash
# Find the server binaries of Debian's `postgresql` package, installing the package once if they are missing.
#
# Output: the bin dir (/usr/lib/postgresql/<major>/bin, the highest major) as the LAST stdout line; progress and
# apt's output go to stderr. Idempotent; concurrent calls are serialised with flock.
#
# The install needs root, or password-less sudo (`sudo -n`). It is non-interactive and creates no "main"
# cluster: Debian's package would otherwise create one on port 5432 and start it as a system service, which
# CivicFlow does not use (run.sh runs its own server under var/).
#
# Env: CIVICFLOW_CACHE (cache root, holds the lock file; default ~/.cache/civicflow).
set -euo pipefail

log() { printf 'install.sh: %s\n' "$*" >&2; }

bin_dir() {
    local found
    found="$(printf '%s\n' /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)"
    [[ -x "$found" && -x "${found%/postgres}/initdb" && -x "${found%/postgres}/pg_isready" ]] || return 1
    printf '%s\n' "${found%/postgres}"
}

if bin_dir; then
    exit 0
fi

lock_dir="${CIVICFLOW_CACHE:-$HOME/.cache/civicflow}"
mkdir -p "$lock_dir"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$lock_dir/.postgres-install.lock"
    flock 9
    if bin_dir; then # another call installed it while we waited
        exit 0
    fi
fi

as_root=()
if [[ $EUID -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
        log "PostgreSQL is not installed and installing it needs root: run 'sudo apt-get install postgresql'"
        exit 1
    fi
    as_root=(sudo -n)
fi

# postgresql-common reads createcluster.d/ (included by its createcluster.conf); this drop-in stops the
# package from creating (and so from starting) a "main" cluster. It is removed again after the install.
no_main_cluster=/etc/postgresql-common/createcluster.d/00-civicflow-install.conf
"${as_root[@]}" mkdir -p "${no_main_cluster%/*}"
printf 'create_main_cluster = false\n' | "${as_root[@]}" tee "$no_main_cluster" >/dev/null
trap '"${as_root[@]}" rm -f "$no_main_cluster"' EXIT

apt_install() {
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        postgresql >&2
}

log "installing Debian's postgresql package (once)..."
start=$SECONDS
# A fresh machine may have no package lists yet: update them only when the first try fails.
if ! apt_install; then
    log "retrying after apt-get update"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 >&2
    apt_install
fi

if ! bin_dir; then
    log "apt-get installed postgresql, but no /usr/lib/postgresql/<major>/bin/postgres was found"
    exit 1
fi
log "installed in $((SECONDS - start))s"
