#!/bin/sh
# Starts the compose stack's Kafka (apache/kafka image, in place of its own start script): formats the
# storage on the first start, with the super user's SCRAM credential in the initial metadata, then runs
# the broker on server.properties. The credential stays what it was at the format: a new admin password
# needs a new volume (docker compose down -v).
set -eu
config=/etc/civicflow/kafka/server.properties
admin_password=$(cat /run/secrets/kafka/civicflow-admin)
[ -n "$admin_password" ] || { echo "broker: empty /run/secrets/kafka/civicflow-admin" >&2; exit 1; }
/opt/kafka/bin/kafka-storage.sh format --cluster-id "$CLUSTER_ID" --config "$config" --ignore-formatted \
	--add-scram "SCRAM-SHA-512=[name=civicflow-admin,iterations=8192,password=$admin_password]"
exec /opt/kafka/bin/kafka-server-start.sh "$config"
