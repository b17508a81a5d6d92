#!/usr/bin/env bash
# Resolve the jars of a local Apache Kafka broker from Maven Central (via the
# pom.xml next to this script) into a per-version cache dir, once.
#
#   ${CIVICFLOW_CACHE:-$HOME/.cache/civicflow}/kafka-<version>/lib
#
# Idempotent: a marker file (written only after a complete, checked copy)
# makes later calls return at once. The marker records a hash of pom.xml, so
# editing the pom (e.g. a log4j bump) triggers a fresh resolve.
# The lib dir path is printed on stdout as the LAST line; everything else
# (progress, Maven output) goes to stderr.
#
# Env: CIVICFLOW_CACHE (cache root), MVN (maven command, default "mvn"),
#      MAVEN_OPTS (passed through by mvn, e.g. -Dmaven.repo.local=...).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
pom="$here/pom.xml"
mvn_cmd="${MVN:-mvn}"

version="$(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$pom" | head -n1)"
if [[ -z "$version" ]]; then
  echo "install.sh: cannot read <kafka.version> from $pom" >&2
  exit 1
fi

cache_root="${CIVICFLOW_CACHE:-$HOME/.cache/civicflow}"
base="$cache_root/kafka-$version"
lib="$base/lib"
marker="$base/.installed"
pom_hash="$(sha256sum "$pom" | cut -d' ' -f1)"

is_complete() {
  [[ -f "$marker" ]] && [[ "$(cat "$marker")" == "$pom_hash" ]] \
    && [[ -f "$lib/kafka_2.13-$version.jar" ]]
}

if is_complete; then
  echo "$lib"
  exit 0
fi

mkdir -p "$base"

# Serialise concurrent installs (e.g. parallel test runs) when flock exists.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$base/.lock"
  flock 9
  if is_complete; then   # another process finished while we waited
    echo "$lib"
    exit 0
  fi
fi

for tool in "$mvn_cmd" java; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install.sh: '$tool' not found on PATH (need Maven 3.6.3+ and Java 17+)" >&2
    exit 1
  fi
done

echo "install.sh: resolving Kafka $version jars from Maven Central into $lib ..." >&2
tmp="$base/lib.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT

# Maven's output goes to stderr so that our last stdout line stays the path
# (minus the stray ANSI resets Maven 3.8 prints even in batch mode).
if ! "$mvn_cmd" -B -q -Dstyle.color=never -f "$pom" \
      dependency:copy-dependencies \
      -DincludeScope=runtime \
      -DoutputDirectory="$tmp" 2>&1 \
    | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d' >&2; then
  echo "install.sh: Maven failed to resolve the Kafka jars (see above)" >&2
  exit 1
fi

if [[ ! -f "$tmp/kafka_2.13-$version.jar" ]]; then
  echo "install.sh: Maven finished but kafka_2.13-$version.jar is missing in $tmp" >&2
  exit 1
fi

rm -f "$marker"
rm -rf "$lib"
mv "$tmp" "$lib"
trap - EXIT
echo "$pom_hash" > "$marker"
echo "install.sh: done ($(ls "$lib" | wc -l) jars)" >&2
echo "$lib"
