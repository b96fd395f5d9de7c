#!/usr/bin/env bash
# Runs every test of the portal on a fresh machine of this kind: installs what the tests need
# (as root, with apt-get), builds the solution, runs the unit and the browser (E2E) tests.
# Idempotent: whatever is already installed is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

apt_install() {
    # Installs Debian packages that are missing; only root can, others get told what to install.
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing Debian packages: ${missing[*]}. Run as root, or: sudo apt-get install -y ${missing[*]}" >&2
        return 0
    fi
    say "apt-get install ${missing[*]}"
    if [ -z "${PORTAL_APT_UPDATED:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        export PORTAL_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

say "Checking the .NET SDK"
command -v dotnet >/dev/null || { echo "dotnet is not on PATH: install the .NET 10 SDK (global.json pins the 10.0.4xx band)." >&2; exit 1; }
dotnet --version

say "Browser for the E2E tests (Debian chromium; Playwright's own download is not reachable)"
apt_install chromium fonts-dejavu-core
if [ -x /usr/bin/chromium ]; then /usr/bin/chromium --version; else echo "chromium is missing: E2E tests will be skipped (and fail under CI=true)."; fi

say "Python for notebooks (Debian's nbclient, ipykernel, nbconvert, pandas, scikit-learn; PyPI is not reachable here)"
apt_install python3 python3-nbclient python3-nbconvert python3-ipykernel python3-pandas python3-sklearn jupyter-notebook
/usr/bin/python3 -c "import nbclient, sklearn; print('python3', __import__('sys').version.split()[0], 'nbclient', nbclient.__version__, 'scikit-learn', sklearn.__version__)" \
    || echo "Python cannot run notebooks: training tests will be skipped (and fail under CI=true)."

say "The portal CLI's tests install it with pip into a virtual environment (python3-venv, python3-pip, python3-setuptools; PyYAML for -o yaml)"
apt_install python3-venv python3-pip python3-setuptools python3-yaml

say "An SSH server and an image registry for the tests of builds with vault credentials (openssh-server, docker-registry)"
apt_install openssh-server git docker-registry
[ -x /usr/sbin/sshd ] && /usr/sbin/sshd -V 2>&1 | head -1 || true

say "npm packages of the tests: a real OpenID provider (oidc-provider, tests/oidc-provider), the Kubernetes schemas (kubernetes-models, tests/kube-schemas), axe-core (tests/axe) and an S3 server (s3rver, tests/s3rver)"
command -v npm >/dev/null || apt_install nodejs npm
node --version
(cd tests/oidc-provider && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: OpenID tests will be skipped (and fail under CI=true)."
(cd tests/kube-schemas && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: Kubernetes schema tests will be skipped (and fail under CI=true)."
(cd tests/axe && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: the accessibility scans will be skipped (and fail under CI=true)."
(cd tests/s3rver && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: the S3 file store tests will be skipped (and fail under CI=true)."

say "PostgreSQL for the metadata store tests (each test run starts a private cluster on a loopback port; Debian's postgresql)"
apt_install postgresql
ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | head -1 || echo "PostgreSQL is missing: its store tests will be skipped (and fail under CI=true)."

say "Network namespaces for the engine fault tests' own dockerd (iproute2; nsenter is in util-linux)"
apt_install iproute2 util-linux

say "Docker engine in swarm mode, and the notebook base image"
scripts/ensure-docker.sh || echo "Docker is not ready: Swarm tests will be skipped (and fail under CI=true)."

say "Building Portal.sln"
dotnet build Portal.sln -c Debug -nologo -clp:ErrorsOnly

results="$(mktemp -d)"
status=0
for project in tests/Unit tests/E2E; do
    say "dotnet test $project"
    dotnet test "$project" -c Debug --no-build -nologo --logger "trx;LogFileName=results.trx" --results-directory "$results/$(basename "$project")" \
        || status=$?
done

say "Summary"
python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(f"{sys.argv[1]}/*/results.trx"):
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed")); failed += int(counters.get("failed")) + int(counters.get("error"))
    skipped += int(counters.get("notExecuted"))
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
echo "Screenshots of the E2E run: tests/E2E/bin/Debug/net10.0/screenshots/"
exit $status
