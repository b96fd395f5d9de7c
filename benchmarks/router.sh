#!/usr/bin/env bash
# Router benchmark (not a test): the router against direct calls to a replica, closed loop and at a fixed rate (direct, routed,
# a 90/10 weighted route, a route with a shadow, interleaved), and the router's own ceiling; local processes (python3-sklearn).
# Options pass through: --seconds N --clients N --rate N --rounds N
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Portal.Web -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/web
dotnet build benchmarks/Router -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/router
exec /tmp/portal-bench-build/router/Router --portal /tmp/portal-bench-build/web/Portal.Web --iris deploy/examples/iris "$@"
