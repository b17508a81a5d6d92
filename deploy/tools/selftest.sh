#!/usr/bin/env bash
# Proves that deploy/tools/validate.sh rejects broken deployment files: runs it
# on the pristine files (must pass), then on copies in a temp dir that each
# carry one deliberate mistake (each must fail, with the expected message).
#
# Usage: deploy/tools/selftest.sh      (about 2-3 s per case, warm)
# shellcheck disable=SC2016,SC2001  # perl substitutions single-quoted on purpose; sed indents output
set -uo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$DEPLOY_TOOLS_SRC/install.sh" --quiet || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

fresh() { # copy the deployment files into $tmp/case
	rm -rf "$tmp/case"
	mkdir -p "$tmp/case/deploy/k8s" "$tmp/case/services"
	cp "$REPO_ROOT/docker-compose.yml" "$tmp/case/"
	cp -r "$REPO_ROOT/deploy/k8s/base" "$tmp/case/deploy/k8s/"
	cp -r "$REPO_ROOT/deploy/kafka" "$tmp/case/deploy/"
	for d in "$REPO_ROOT"/services/*/; do
		[[ -f "$d/Dockerfile" ]] || continue
		mkdir -p "$tmp/case/services/$(basename "$d")"
		cp "$d/Dockerfile" "$tmp/case/services/$(basename "$d")/"
	done
}

expect() { # name expected-regex file perl-substitution
	local name=$1 want=$2 file=$3 subst=$4 out rc
	fresh
	perl -0pi -e "$subst" "$tmp/case/$file"
	if cmp -s "$tmp/case/$file" "$REPO_ROOT/$file"; then
		echo "not ok - $name: the mutation did not change $file"
		failed=$((failed + 1))
		return
	fi
	out=$(bash "$DEPLOY_TOOLS_SRC/validate.sh" --repo "$tmp/case" 2>&1)
	rc=$?
	if [[ $rc -ne 0 ]] && grep -Eq -- "$want" <<<"$out"; then
		echo "ok - $name: rejected: $(grep -E -m1 -- "$want" <<<"$out" | cut -c1-160)"
		passed=$((passed + 1))
	else
		echo "not ok - $name: rc=$rc, expected /$want/ in:"
		sed 's/^/    /' <<<"$out"
		failed=$((failed + 1))
	fi
}

fresh
if out=$(bash "$DEPLOY_TOOLS_SRC/validate.sh" --repo "$tmp/case" 2>&1); then
	echo "ok - pristine copy passes"
	passed=$((passed + 1))
else
	echo "not ok - pristine copy fails:"
	sed 's/^/    /' <<<"$out"
	failed=$((failed + 1))
fi

# Compose
expect "compose: misspelled key" "healthchek: key not allowed" \
	docker-compose.yml 's/(\n  mongo:\n(?:.*\n)*?    )healthcheck:/$1healthchek:/'
expect "compose: depends_on an undefined service" "undefined service" \
	docker-compose.yml 's/\n    jaeger:\n      condition/\n    jaegr:\n      condition/'
expect "compose: bad depends_on condition" "condition value must be one of" \
	docker-compose.yml 's/condition: service_healthy/condition: service_ready/'
expect "compose: missing Dockerfile" "Dockerfile .* does not exist" \
	docker-compose.yml 's#services/routing/Dockerfile#services/routng/Dockerfile#'
# Dockerfiles
expect "dockerfile: unknown instruction" "unknown instruction" \
	services/intake/Dockerfile 's/^EXPOSE /EXPOSES /m'
expect "dockerfile: bad RUN --mount type" "unsupported mount type" \
	services/notify/Dockerfile 's/type=cache/type=cahce/'
# Kubernetes
expect "k8s: unknown field (strict schema)" "did not validate.*readinessProbe" \
	deploy/k8s/base/intake.yaml 's/          readinessProbe:\n            httpGet:/          readinessProbe:\n            httpGett:/'
expect "k8s: wrong type" "did not validate.*replicas" \
	deploy/k8s/base/routing.yaml 's/replicas: 1/replicas: one/'
expect "k8s: unknown apiVersion" "WARN.*apps/v2" \
	deploy/k8s/base/identity.yaml 's#apiVersion: apps/v1#apiVersion: apps/v2#'
expect "k8s: kustomization lists a missing file" "notfy.yaml: no such file" \
	deploy/k8s/base/kustomization.yaml 's/  - notify.yaml/  - notfy.yaml/'
expect "k8s policy: writable root filesystem" "readOnlyRootFilesystem must be true" \
	deploy/k8s/base/notify.yaml 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
expect "k8s policy: wrong readiness path" "readinessProbe must GET /health/ready" \
	deploy/k8s/base/routing.yaml 's#path: /health/ready#path: /healthz#'
expect "k8s policy: missing ConfigMap" "references missing ConfigMap" \
	deploy/k8s/base/identity.yaml 's/name: civicflow-identity-config/name: civicflow-identity-cfg/'
expect "k8s policy: Kafka without TLS" "KAFKA_SECURITY_PROTOCOL must be 'SASL_SSL'" \
	deploy/k8s/base/configmap.yaml 's/KAFKA_SECURITY_PROTOCOL: "SASL_SSL"/KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT"/'
expect "k8s policy: another service's principal" "KAFKA_SASL_USERNAME must be 'civicflow-routing'" \
	deploy/k8s/base/routing.yaml 's/value: civicflow-routing\n/value: civicflow-intake\n/'
expect "k8s policy: a field key the service may not hold" "field keys must be exactly \\['agency_pseudonym', 'applicant', 'correspondence'\\] \\(has \\['agency_pseudonym', 'contact', 'correspondence'\\]" \
	deploy/k8s/base/routing.yaml 's/CIVICFLOW_KEYS_APPLICANT\n(\s+)path: civicflow_keys_applicant/CIVICFLOW_KEYS_CONTACT\n$1path: civicflow_keys_contact/'
expect "k8s policy: a real value in a Secret" "KAFKA_SASL_PASSWORD must be 'dev-only-not-a-secret'" \
	deploy/k8s/base/secret.yaml 's/KAFKA_SASL_PASSWORD: "dev-only-not-a-secret"/KAFKA_SASL_PASSWORD: "hunter2"/'
expect "k8s policy: a secret in a ConfigMap" "MONGODB_URI is a secret" \
	deploy/k8s/base/configmap.yaml 's/(  CIVICFLOW_ENV: "prod")/$1\n  MONGODB_URI: "mongodb:\/\/mongo"/'
expect "k8s policy: a writable root filesystem in the Job" "job/kafka-setup.*readOnlyRootFilesystem must be true" \
	deploy/k8s/base/kafka-setup.yaml 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
expect "k8s policy: a principal without a password for the set-up" "no password file for agency-muenchen-kvr" \
	deploy/k8s/base/secret.yaml 's/  agency-muenchen-kvr: "dev-only-not-a-secret"\n//'
expect "compose policy: another service's principal" "KAFKA_SASL_USERNAME must be 'civicflow-notify'" \
	docker-compose.yml 's/KAFKA_SASL_USERNAME: civicflow-notify/KAFKA_SASL_USERNAME: civicflow-intake/'
expect "compose policy: a secret in the environment" "environment MONGODB_URI is a secret" \
	docker-compose.yml 's/(  CIVICFLOW_SECRETS_DIR: \/run\/secrets)/$1\n  MONGODB_URI: mongodb:\/\/mongo:27017/'

echo
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
