#!/usr/bin/env bash
# Installs the deployment validators used by deploy/tools/validate.sh into
# ${CIVICFLOW_CACHE:-$HOME/.cache/civicflow}/deploy-tools. Idempotent: a
# second run only checks what is there. Needs Go (>= GO_MIN_VERSION in
# common.sh) and uv (or python3 with venv + pip).
#
#   compose-check     compose-go (Compose Specification reference loader)
#   dockerfile-check  BuildKit's Dockerfile parser + build-check linter
#   kustomize         sigs.k8s.io/kustomize/kustomize/v5
#   kubernetes-validate (PyPI), strict OpenAPI-schema validation
#
# Usage: deploy/tools/install.sh [--quiet]
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

quiet=false
[[ "${1:-}" == "--quiet" ]] && quiet=true
say() { $quiet || echo "install: $*"; }
die() { echo "install: ERROR: $*" >&2; exit 1; }

mkdir -p "$TOOLS_HOME/bin"
# Serialise concurrent installs (e.g. two validate.sh runs on a cold cache).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$TOOLS_HOME/.install.lock"
	flock 9
fi

need_go() {
	command -v go >/dev/null 2>&1 || die "Go >= $GO_MIN_VERSION is required to build the validators (not found on PATH)"
	local have
	have=$(go env GOVERSION | sed 's/^go//')
	if [[ "$(printf '%s\n%s\n' "$GO_MIN_VERSION" "$have" | sort -V | head -n1)" != "$GO_MIN_VERSION" ]]; then
		die "Go >= $GO_MIN_VERSION is required, found $have"
	fi
	go_env
}

build_go_tool() { # name srcdir dest
	local name=$1 src=$2 dest=$3 tmp
	if [[ -x "$dest" ]]; then
		say "$name: cached $dest"
		return
	fi
	need_go
	say "$name: building from deploy/tools/$src with $(go env GOVERSION) ..."
	tmp="$dest.tmp.$$"
	(cd "$DEPLOY_TOOLS_SRC/$src" && go build -trimpath -ldflags='-s -w' -o "$tmp" .)
	mv -f "$tmp" "$dest"
	say "$name: installed $dest"
	# drop builds of older pins/sources
	find "$(dirname "$dest")" -maxdepth 1 -name "$name-*" ! -name "$(basename "$dest")" -delete
}

# 1. compose-check (compose-go, pinned in composecheck/go.mod + go.sum)
build_go_tool compose-check composecheck "$COMPOSE_CHECK_BIN"
$quiet || echo "install:   compose-go $(sed -n 's#^\tgithub.com/compose-spec/compose-go/v2 \(v[^ ]*\).*#\1#p' "$DEPLOY_TOOLS_SRC/composecheck/go.mod")"

# 2. dockerfile-check (BuildKit frontend, pinned in dockerfilecheck/go.mod + go.sum)
build_go_tool dockerfile-check dockerfilecheck "$DOCKERFILE_CHECK_BIN"
$quiet || echo "install:   buildkit $(sed -n 's#^require github.com/moby/buildkit \(v[^ ]*\).*#\1#p' "$DEPLOY_TOOLS_SRC/dockerfilecheck/go.mod")"

# 3. kustomize (go install of the pinned module version; checksums are
#    verified against the Go checksum database)
if [[ -x "$KUSTOMIZE_BIN" ]] && [[ "$("$KUSTOMIZE_BIN" version 2>/dev/null)" == "$KUSTOMIZE_VERSION" ]]; then
	say "kustomize: cached $KUSTOMIZE_BIN"
else
	need_go
	say "kustomize: go install $KUSTOMIZE_MODULE@$KUSTOMIZE_VERSION with $(go env GOVERSION) ..."
	gobin=$(mktemp -d "$TOOLS_HOME/.gobin.XXXXXX")
	GOBIN=$gobin GOFLAGS="-modcacherw -buildvcs=false" \
		go install -trimpath -ldflags='-s -w' "$KUSTOMIZE_MODULE@$KUSTOMIZE_VERSION"
	mv -f "$gobin/kustomize" "$KUSTOMIZE_BIN"
	rmdir "$gobin"
	say "kustomize: installed $KUSTOMIZE_BIN ($("$KUSTOMIZE_BIN" version))"
fi

# 4. kubernetes-validate in its own venv (requirements-validate.txt, hashes required)
if [[ -x "$KV_BIN" && -f "$KV_VENV/.complete" ]]; then
	say "kubernetes-validate: cached $KV_VENV"
else
	rm -rf "$KV_VENV"
	python=$(command -v python3 || true)
	[[ -n "$python" ]] || die "python3 is required for kubernetes-validate"
	if command -v uv >/dev/null 2>&1; then
		say "kubernetes-validate: creating $KV_VENV with $(uv --version) and $python ..."
		uv venv --quiet --python "$python" "$KV_VENV"
		uv pip install --quiet --python "$KV_PYTHON" --require-hashes \
			-r "$DEPLOY_TOOLS_SRC/requirements-validate.txt"
	else
		say "kubernetes-validate: creating $KV_VENV with $python -m venv + pip ..."
		"$python" -m venv "$KV_VENV"
		"$KV_PYTHON" -m pip install --quiet --disable-pip-version-check --require-hashes \
			-r "$DEPLOY_TOOLS_SRC/requirements-validate.txt"
	fi
	touch "$KV_VENV/.complete"
	say "kubernetes-validate: installed $KV_BIN"
fi
$quiet || echo "install:   kubernetes-validate $("$KV_BIN" --version) on $("$KV_PYTHON" --version)"
$quiet || echo "install: OK (cache: $TOOLS_HOME)"
exit 0
