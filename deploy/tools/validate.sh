#!/usr/bin/env bash
# Validates CivicFlow's deployment files with real validators, no Docker
# daemon or cluster needed (tools: deploy/tools/install.sh, run first here):
#
#   1. compose      compose-check: docker-compose.yml against the Compose
#                   Specification (schema, interpolation, consistency such
#                   as depends_on targets), build contexts and Dockerfiles exist
#   2. dockerfiles  dockerfile-check: services/*/Dockerfile with BuildKit's
#                   parser and build-check lint rules
#   3. kustomize    kustomize build deploy/k8s/base
#   4. k8s schema   kubernetes-validate --strict on every rendered object,
#                   for each Kubernetes version in K8S_SCHEMA_VERSIONS
#                   (unknown fields fail; an unknown kind/apiVersion fails too)
#   5. policy       deploy_policy.py: hardening, probes, resources, object
#                   references, compose/Dockerfile/k8s agreement
#
# Usage: deploy/tools/validate.sh [--compose FILE] [--k8s DIR] [--repo DIR]
#   defaults: <repo>/docker-compose.yml, <repo>/deploy/k8s/base, <repo>
# Exits non-zero if any check fails, after running all of them.
set -uo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

repo=$REPO_ROOT
compose_file=
k8s_dir=
while [[ $# -gt 0 ]]; do
	case $1 in
	--compose) compose_file=$2; shift 2 ;;
	--k8s) k8s_dir=$2; shift 2 ;;
	--repo) repo=$2; shift 2 ;;
	-h | --help) sed -n '2,21p' "$0"; exit 0 ;;
	*) echo "validate: unknown argument $1" >&2; exit 2 ;;
	esac
done
repo=$(cd "$repo" && pwd)
compose_file=${compose_file:-$repo/docker-compose.yml}
k8s_dir=${k8s_dir:-$repo/deploy/k8s/base}

bash "$DEPLOY_TOOLS_SRC/install.sh" --quiet || { echo "validate: FAILED to install the validators" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
start=$(date +%s%N)
step() { echo; echo "== $*"; }
ok() { echo "-- ok: $*"; }
bad() { echo "-- FAILED: $*"; failed+=("$1"); }

step "compose: $compose_file"
compose_args=(-f "$compose_file" --project-directory "$(dirname "$compose_file")")
if "$COMPOSE_CHECK_BIN" "${compose_args[@]}" 2>&1; then
	"$COMPOSE_CHECK_BIN" "${compose_args[@]}" -print >"$work/compose.yaml" 2>/dev/null
	ok compose
else
	bad compose
fi

step "dockerfiles: $repo/services/*/Dockerfile"
shopt -s nullglob
dockerfiles=("$repo"/services/*/Dockerfile)
shopt -u nullglob
if [[ ${#dockerfiles[@]} -eq 0 ]]; then
	echo "no services/*/Dockerfile found"
	bad dockerfiles
elif "$DOCKERFILE_CHECK_BIN" "${dockerfiles[@]}" 2>&1; then
	ok dockerfiles
else
	bad dockerfiles
fi

step "kustomize build $k8s_dir ($("$KUSTOMIZE_BIN" version))"
if "$KUSTOMIZE_BIN" build "$k8s_dir" >"$work/k8s.yaml" 2>"$work/kustomize.err"; then
	echo "rendered $(grep -c '^kind:' "$work/k8s.yaml") objects"
	ok kustomize
else
	cat "$work/kustomize.err"
	rm -f "$work/k8s.yaml"
	bad kustomize
fi

if [[ -f "$work/k8s.yaml" ]]; then
	kv_args=(--strict --quiet)
	for v in $K8S_SCHEMA_VERSIONS; do kv_args+=(-k "$v"); done
	step "kubernetes-validate $("$KV_BIN" --version) ${kv_args[*]}"
	"$KV_BIN" "${kv_args[@]}" "$work/k8s.yaml" >"$work/kv.out" 2>&1
	rc=$?
	sed "s#$work/k8s.yaml#rendered#" "$work/kv.out"
	# kubernetes-validate only *warns* (exit 0) when it has no schema for a
	# kind/apiVersion, e.g. a typo such as apps/v2: treat that as failure.
	if [[ $rc -eq 0 ]] && ! grep -q '^WARN' "$work/kv.out"; then
		echo "$(grep -c '^kind:' "$work/k8s.yaml") objects valid against Kubernetes $K8S_SCHEMA_VERSIONS"
		ok kubernetes-validate
	else
		bad kubernetes-validate
	fi

	step "policy: deploy_policy.py"
	policy_args=(--k8s "$work/k8s.yaml" --repo "$repo")
	[[ -f "$work/compose.yaml" ]] && policy_args+=(--compose "$work/compose.yaml")
	if "$KV_PYTHON" "$DEPLOY_TOOLS_SRC/deploy_policy.py" "${policy_args[@]}" 2>&1; then
		ok policy
	else
		bad policy
	fi
fi

elapsed_ms=$((($(date +%s%N) - start) / 1000000))
elapsed=$((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000)))
echo
if [[ ${#failed[@]} -gt 0 ]]; then
	echo "validate: FAILED (${failed[*]}) in ${elapsed}s"
	exit 1
fi
echo "validate: OK (compose, dockerfiles, kustomize, kubernetes-validate, policy) in ${elapsed}s"
