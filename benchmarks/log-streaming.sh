#!/usr/bin/env bash
# Log streaming benchmark (not a test): one training prints 5,000 lines/s for 60 s, 20 hub subscribers follow it.
# Prints lines lost (must be 0), print-to-delivery delay p50/p99, and the portal's CPU and memory.
# Options pass through: --rate N --seconds N --subscribers N --batch N
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Portal.Web -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/web
dotnet build benchmarks/LogStreaming -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/bench
exec /tmp/portal-bench-build/bench/LogStreaming --portal /tmp/portal-bench-build/web/Portal.Web "$@"
