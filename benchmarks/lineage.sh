#!/usr/bin/env bash
# Lineage benchmark (not a test): neighbourhood queries on a real SQLite store holding 10,000 lineage nodes.
# Options pass through: --nodes N --runs N
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build benchmarks/Lineage -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/lineage
exec /tmp/portal-bench-build/lineage/Lineage "$@"
