#!/bin/sh
# Writes the secrets docker-compose.yml reads into var/compose/secrets, once; existing ones are kept.
# var/ is ignored by git and by .dockerignore, so no secret reaches the repository or an image.
#
#   sh deploy/compose/generate-secrets.sh && docker compose up --build
#
#   kafka/<principal>   SCRAM passwords: civicflow-admin (the super user), controller (the controller
#                       listener's PLAIN user) and every principal of deploy/kafka/setup.sh
#   mongo/<user>        MongoDB passwords: root, and one user per service
#   mongodb-uri/<svc>   each service's MONGODB_URI, with its own credentials (rewritten every run)
#   keys/<name>         field-encryption keys, CIVICFLOW_KEYS_<NAME>: k1:<base64url of 32 random bytes>
#   insights/operator_token   the operators' bearer token for the insights API (INSIGHTS_OPERATOR_TOKEN)
#
# Only the top directory is private (0700): compose mounts each file into containers that run as other
# users (Kafka 1000, MongoDB 999, the services 10001) with its host permissions, so the files are 0644.
# Delete a file to make that secret anew; Kafka's admin and MongoDB's users are written when their
# volumes are first initialised, so a new one of those also needs `docker compose down -v`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${CIVICFLOW_COMPOSE_SECRETS:-$here/../../var/compose/secrets}
services="intake identity routing notify insights"

# 48 hex digits: nothing to escape in a URI, a JAAS option or kafka-configs' [password=...].
password() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
key() { printf 'k1:%s' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; }
write() { # file: stdin into it, readable inside the containers
	cat >"$1.new"
	chmod 0644 "$1.new"
	mv "$1.new" "$1"
}
keep() { # file generator
	[ -s "$1" ] || "$2" | write "$1"
}

umask 022
mkdir -p "$dir"
chmod 0700 "$dir"
mkdir -p "$dir/kafka" "$dir/mongo" "$dir/mongodb-uri" "$dir/keys" "$dir/insights"
for principal in civicflow-admin controller $(sh "$here/../kafka/setup.sh" principals); do
	keep "$dir/kafka/$principal" password
done
for user in root $services; do
	keep "$dir/mongo/$user" password
done
for name in applicant identity_token contact pseudonym agency_pseudonym profile correspondence; do
	keep "$dir/keys/$name" key
done
keep "$dir/insights/operator_token" password
for service in $services; do
	printf 'mongodb://civicflow-%s:%s@mongo:27017/civicflow_%s?authSource=civicflow_%s' \
		"$service" "$(cat "$dir/mongo/$service")" "$service" "$service" | write "$dir/mongodb-uri/$service"
done
echo "compose secrets: $(cd "$dir" && pwd)"
