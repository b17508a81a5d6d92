#!/bin/sh
# The compose stack's dev TLS material, made once by the kafka-tls service with the JRE's keytool (in the
# Kafka image): a CA whose private key never leaves this container's /tmp, and the broker's key with a
# certificate for the names kafka and localhost signed by it.
#   /etc/kafka/tls/broker.p12, keystore-password   (volume kafka-tls: the broker alone, mode 0400)
#   /etc/civicflow/kafka-ca/ca.crt                  (volume kafka-ca: every client, KAFKA_SSL_CAFILE)
# New ones: docker compose down -v.
set -eu
tls=/etc/kafka/tls
ca=/etc/civicflow/kafka-ca
owner=${TLS_OWNER:-appuser:appuser}
if [ -s "$tls/broker.p12" ] && [ -s "$ca/ca.crt" ]; then
	echo "tls: present"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
store() { # keystore: keytool on it
	keystore=$1
	shift
	keytool "$@" -keystore "$work/$keystore" -storetype PKCS12 -storepass "$password"
}
pair() { # keystore alias dname [keytool options]
	keystore=$1 alias=$2 dname=$3
	shift 3
	store "$keystore" -genkeypair -alias "$alias" -dname "$dname" -keyalg EC -groupname secp256r1 -validity 825 "$@"
}
pair ca.p12 ca "CN=CivicFlow dev CA" -ext bc:c=ca:true -ext ku:c=keyCertSign,cRLSign
pair broker.p12 broker "CN=kafka"
store ca.p12 -exportcert -rfc -alias ca -file "$work/ca.crt"
store broker.p12 -certreq -alias broker -file "$work/broker.csr"
store ca.p12 -gencert -rfc -alias ca -validity 825 -infile "$work/broker.csr" -outfile "$work/broker.crt" \
	-ext san=dns:kafka,dns:localhost -ext ku:c=digitalSignature -ext eku=serverAuth
# The signed certificate goes in once its issuer is known to the keystore; the key entry keeps the chain.
store broker.p12 -importcert -noprompt -alias ca -file "$work/ca.crt"
store broker.p12 -importcert -alias broker -file "$work/broker.crt"
printf '%s' "$password" >"$work/keystore-password"
for file in broker.p12 keystore-password; do
	cp "$work/$file" "$tls/$file"
	chmod 0400 "$tls/$file"
	chown "$owner" "$tls/$file"
done
cp "$work/ca.crt" "$ca/ca.crt"
chmod 0444 "$ca/ca.crt"
echo "tls: made a dev CA and the broker's certificate"
