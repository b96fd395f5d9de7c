#!/usr/bin/env bash
# Live log benchmark (not a test): rounds of 1, 5 and 20 followers of a training printing 2,000 lines/s for 30 s, first
# through the hub (/hubs/logs), then as Chromium pages on the training page; then 100 idle signed-in pages on /projects.
# Prints lines shown vs printed, print-to-screen delay p50/p99, longest gap between updates, the portal's CPU (and per
# follower) and RSS, memory per idle circuit and whether it is given back after the pages close.
# Options pass through: --rate N --seconds N --pages 1,5,20 --batch N --idle N --idle-wait SECONDS
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Portal.Web -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/web
dotnet build benchmarks/LogStreaming -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/bench
exec /tmp/portal-bench-build/bench/LogStreaming --portal /tmp/portal-bench-build/web/Portal.Web "$@"
