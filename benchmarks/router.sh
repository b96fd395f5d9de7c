#!/usr/bin/env bash
# Router benchmark (not a test): requests/s and p50/p99 latency calling a prediction replica directly vs through
# the portal's router, same payload, same run, on local processes (Debian's python3-sklearn needed).
# Options pass through: --seconds N --clients N
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Portal.Web -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/web
dotnet build benchmarks/Router -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/router
exec /tmp/portal-bench-build/router/Router --portal /tmp/portal-bench-build/web/Portal.Web --iris deploy/examples/iris "$@"
