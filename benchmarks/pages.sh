#!/usr/bin/env bash
# Page-render benchmark (not a test): the trainings list and the compare page at 100 and at 10,000 trainings, rendered
# server-side with bUnit over the real portal's services (SQLite). Options pass through: --runs N
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build benchmarks/Pages -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/pages
# WebApplicationFactory finds the portal's content root through this outside the test project's folder.
export ASPNETCORE_TEST_CONTENTROOT_PORTAL_WEB="$PWD/src/Portal.Web"
export Logging__LogLevel__Default=Error
exec /tmp/portal-bench-build/pages/Pages "$@"
