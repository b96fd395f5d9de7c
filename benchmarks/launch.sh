#!/usr/bin/env bash
# Launch benchmark (not a test): how long a training takes to reach RUNNING and FINISHED through the portal on Docker
# Swarm, against the same container run as a raw `docker service create`, interleaved, and how long after its
# container exits the portal records FINISHED (target: within 500 ms; portal/raw goal: at most 1.3x).
# Needs dockerd in swarm mode and portal/notebook-base (scripts/ensure-docker.sh). Options pass through: --runs N
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Portal.Web -c Release -nologo -clp:ErrorsOnly -v:q -o /tmp/portal-bench-build/web
exec python3 benchmarks/Launch/launch.py --portal /tmp/portal-bench-build/web/Portal.Web "$@"
