#!/usr/bin/env bash
# Run a single-node Apache Kafka (KRaft, combined broker+controller) in the
# FOREGROUND as a plain JVM process. The caller backgrounds it and keeps the pid.
#
#   run.sh <data_dir> <broker_port> <controller_port> <secrets_dir>
#
# - resolves the jars on first use (install.sh, cached per Kafka version);
# - writes <data_dir>/server.properties (mode 0600) on every start;
# - generates a cluster id once (<data_dir>/cluster.id) and formats the storage
#   only when <data_dir>/logs/meta.properties does not exist yet, or when it was
#   formatted with another admin password (or none: before authentication);
#   a local broker's data is then started afresh;
# - then exec's java, so the pid you hold IS the broker (SIGTERM = clean stop).
#
# Clients authenticate with SASL/SCRAM-SHA-512 on the broker port (in clear:
# it listens on loopback only); the authorizer denies whatever no ACL allows.
# <secrets_dir>/civicflow-admin holds the password of the super user, whose
# SCRAM credential is written when the storage is formatted (the broker also
# uses it for itself); <secrets_dir>/controller the password of the controller
# listener's PLAIN user (KRaft cannot use SCRAM there: the credentials live in
# the metadata the controller serves). Everyone else's users and ACLs are made
# once the broker is up (civicflow.local.kafka_access).
#
# Env: KAFKA_HEAP_OPTS (default "-Xms256m -Xmx768m"),
#      KAFKA_JVM_PERFORMANCE_OPTS (default: G1 + C1-only JIT, see below),
#      KAFKA_JVM_OPTS (extra JVM flags), JAVA (java command),
#      KAFKA_EXTRA_PROPERTIES (lines appended to server.properties; a repeated
#      key overrides the default above it),
#      plus install.sh's CIVICFLOW_CACHE / MVN.
# Prefer the same ports for the same data_dir (see the warning below).
set -euo pipefail

usage() { echo "usage: $0 <data_dir> <broker_port> <controller_port> <secrets_dir>" >&2; exit 2; }
[[ $# -eq 4 ]] || usage
is_port() { [[ "$1" =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )); }
is_port "$2" && is_port "$3" || usage
[[ "$2" != "$3" ]] || { echo "run.sh: broker and controller ports must differ" >&2; exit 2; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
mkdir -p "$1"
data_dir="$(cd "$1" && pwd -P)"
broker_port="$2"
controller_port="$3"
java_cmd="${JAVA:-java}"
admin_password="$(cat "$4/civicflow-admin")"
controller_password="$(cat "$4/controller")"
[[ -n "$admin_password" && -n "$controller_password" ]] || { echo "run.sh: empty password in $4" >&2; exit 2; }

lib="$("$here/install.sh" | tail -n1)"
[[ -d "$lib" ]] || { echo "run.sh: install.sh did not return a lib dir" >&2; exit 1; }
cp="$lib/*"

# The controller endpoint is also recorded in the metadata log at format time.
# A single node still starts on other ports (tested), but warn about it.
ports_file="$data_dir/ports"
if [[ -f "$data_dir/logs/meta.properties" && -f "$ports_file" ]]; then
  old_ports="$(cat "$ports_file")"
  if [[ "$old_ports" != "$broker_port $controller_port" ]]; then
    echo "run.sh: warning: $data_dir was formatted with ports '$old_ports'" \
         "(broker controller), now '$broker_port $controller_port'" >&2
  fi
fi

props="$data_dir/server.properties"
umask 077
cat > "$props" <<PROPS
# Written by deploy/local/kafka/run.sh on each start; edits are overwritten.
process.roles=broker,controller
node.id=1
listeners=CLIENT://127.0.0.1:${broker_port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=CLIENT://127.0.0.1:${broker_port}
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=CLIENT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:${controller_port}
log.dirs=${data_dir}/logs

# Who: SCRAM-SHA-512 for every client, PLAIN for the controller listener (see above).
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="civicflow-admin" password="${admin_password}";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="${controller_password}" user_controller="${controller_password}";
# What: only what an ACL allows (civicflow.shared.security.access), for everyone but the two super users.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:civicflow-admin;User:controller

num.partitions=3
# Topics exist because the set-up made them, never because a client named one.
auto.create.topics.enable=false
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

# Small footprint / fast start for a local broker (default is 50 partitions,
# which costs ~1.5 s on every start and slows the first consumer group).
offsets.topic.num.partitions=5
num.network.threads=2
num.io.threads=4
log.cleaner.dedupe.buffer.size=33554432
PROPS
if [[ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]]; then
  printf '\n# From KAFKA_EXTRA_PROPERTIES\n%s\n' "$KAFKA_EXTRA_PROPERTIES" >> "$props"
fi

# The admin's SCRAM credential is part of the formatted metadata: a new password needs a new format.
scram_file="$data_dir/admin.sha256"
admin_digest="$(printf '%s' "$admin_password" | sha256sum | cut -c1-64)"
if [[ -f "$data_dir/logs/meta.properties" && "$(cat "$scram_file" 2>/dev/null)" != "$admin_digest" ]]; then
  echo "run.sh: $data_dir was formatted without this admin credential: starting its data afresh" >&2
  rm -rf "$data_dir/logs"
fi

cluster_id_file="$data_dir/cluster.id"
if [[ ! -f "$data_dir/logs/meta.properties" ]]; then
  if [[ ! -s "$cluster_id_file" ]]; then
    "$java_cmd" -XX:TieredStopAtLevel=1 -cp "$cp" kafka.tools.StorageTool random-uuid > "$cluster_id_file.tmp"
    mv "$cluster_id_file.tmp" "$cluster_id_file"
  fi
  cluster_id="$(tr -d '[:space:]' < "$cluster_id_file")"
  "$java_cmd" -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$here/log4j2.properties" \
    -Dkafka.logs.dir="$data_dir" -cp "$cp" \
    kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$props" \
    --add-scram "SCRAM-SHA-512=[name=civicflow-admin,password=${admin_password}]" >&2
  echo "$broker_port $controller_port" > "$ports_file"
  echo "$admin_digest" > "$scram_file"
fi

# -XX:TieredStopAtLevel=1 (C1 JIT only) roughly halves start-up CPU time and
# trims RSS; peak throughput is lower, which does not matter for local/CI use.
# Set KAFKA_JVM_PERFORMANCE_OPTS="-XX:+UseG1GC" to get the full JIT back.
perf_opts="${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1}"

# shellcheck disable=SC2086  # heap/JVM opts are deliberately word-split
exec "$java_cmd" ${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m} ${perf_opts} \
  -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$here/log4j2.properties" \
  -Dkafka.logs.dir="$data_dir" \
  ${KAFKA_JVM_OPTS:-} \
  -cp "$cp" kafka.Kafka "$props"
