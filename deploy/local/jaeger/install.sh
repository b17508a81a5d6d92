#!/usr/bin/env bash
# Build Jaeger v2 (`cmd/jaeger`, an OpenTelemetry Collector distribution with Jaeger's storage and query
# extensions) from the Go module proxy and cache the binary (../go/build.sh does the building). Idempotent: does
# nothing if the binary exists.
#
# Output: the absolute path of the binary, as the last line on stdout. Everything else goes to stderr.
#
# Environment:
#   CIVICFLOW_CACHE           cache root (default: $HOME/.cache/civicflow)
#   CIVICFLOW_JAEGER_VERSION  module version to build (default: v1.76.0, released together with v2.13.0)
#   GO                        go binary (default: `go` on PATH, else /usr/local/go/bin/go)
set -euo pipefail
# shellcheck source=SCRIPTDIR/../go/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/../go/build.sh"

version="${CIVICFLOW_JAEGER_VERSION:-v1.76.0}"

# Jaeger's Makefile stamps the version with -ldflags (scripts/makefiles/BuildInfo.mk); without it `jaeger version`
# reports an empty one. The module zip carries no git metadata, so no commit.
go_build jaeger github.com/jaegertracing/jaeger "$version" cmd/jaeger version \
    "-X github.com/jaegertracing/jaeger/internal/version.latestVersion=$version"
