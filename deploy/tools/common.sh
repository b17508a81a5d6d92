# shellcheck shell=bash
# shellcheck disable=SC2034  # sourced: the variables are used by install.sh, validate.sh, selftest.sh
# Shared settings of deploy/tools/install.sh and deploy/tools/validate.sh.
# Every validator is pinned here or in a lock file next to it; changing a pin
# (or a lock file) changes the install path, so the next run reinstalls.

# kustomize (built from the Go module proxy with the local Go toolchain).
KUSTOMIZE_MODULE=sigs.k8s.io/kustomize/kustomize/v5
KUSTOMIZE_VERSION=v5.8.1
# compose-go (compose-check) and BuildKit (dockerfile-check) are pinned in
# composecheck/go.mod + go.sum and dockerfilecheck/go.mod + go.sum.
# kubernetes-validate and its dependencies are pinned, with hashes, in
# requirements-validate.txt.
# Kubernetes versions whose OpenAPI schemas the rendered base must satisfy.
K8S_SCHEMA_VERSIONS="1.31.0 1.37.0"
# Oldest Go that builds all of the above (dockerfilecheck/go.mod).
GO_MIN_VERSION=1.26.8

DEPLOY_TOOLS_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$DEPLOY_TOOLS_SRC/../.." && pwd)
CIVICFLOW_CACHE=${CIVICFLOW_CACHE:-$HOME/.cache/civicflow}
TOOLS_HOME=$CIVICFLOW_CACHE/deploy-tools

_fingerprint() { (cd "$DEPLOY_TOOLS_SRC" && cat "$@") | sha256sum | cut -c1-12; }

COMPOSE_CHECK_BIN=$TOOLS_HOME/bin/compose-check-$(_fingerprint composecheck/go.mod composecheck/go.sum composecheck/main.go)
DOCKERFILE_CHECK_BIN=$TOOLS_HOME/bin/dockerfile-check-$(_fingerprint dockerfilecheck/go.mod dockerfilecheck/go.sum dockerfilecheck/main.go)
KUSTOMIZE_BIN=$TOOLS_HOME/bin/kustomize-$KUSTOMIZE_VERSION
KV_VENV=$TOOLS_HOME/kubernetes-validate-$(_fingerprint requirements-validate.txt)
KV_BIN=$KV_VENV/bin/kubernetes-validate
KV_PYTHON=$KV_VENV/bin/python

# Go builds use a module and build cache inside the CivicFlow cache, the
# local toolchain only, and leave the module cache deletable.
go_env() {
	export GOPATH="$CIVICFLOW_CACHE/go"
	export GOMODCACHE="$CIVICFLOW_CACHE/go/pkg/mod"
	export GOCACHE="$CIVICFLOW_CACHE/go/build-cache"
	export GOFLAGS="-modcacherw -buildvcs=false -mod=readonly"
	export GOTOOLCHAIN=local
	export CGO_ENABLED=0
}
