#!/usr/bin/env bash
# Builds the portal's image: publishes the self-contained web app into deploy/portal/app, then docker build.
# Usage: deploy/portal/build.sh [TAG] [BASE]   (defaults: mlops-portal:latest, debian:bookworm-slim;
# where Docker Hub is out of reach, BASE=portal/notebook-base:latest works: it is Debian bookworm too).
set -euo pipefail
cd "$(dirname "$0")"
tag="${1:-mlops-portal:latest}"
base="${2:-debian:bookworm-slim}"
echo "==> dotnet publish src/Portal.Web -> deploy/portal/app"
rm -rf app
# Self-contained for the image only: the base is plain Debian (no .NET runtime image can be pulled here), so the
# app carries its runtime and the image needs nothing else.
dotnet publish ../../src/Portal.Web -c Release -r linux-x64 --self-contained -o app -nologo -clp:ErrorsOnly -v:q
echo "==> docker build $tag (FROM $base)"
docker build --build-arg "BASE=$base" -t "$tag" .
