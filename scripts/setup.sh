#!/bin/sh
# setup.sh — install what equitylens needs on Debian 12 (run as root, or with sudo available).
# Idempotent: installs only packages that are missing, then the npm packages the
# web pages (nhsuk-frontend) and browser tests (playwright-core) use.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libsqlite3-dev sqlite3 libcmocka-dev libjansson-dev libgsl-dev libmicrohttpd-dev
libxlsxwriter-dev libsodium-dev libpq-dev
python3 python3-openpyxl tidy poppler-utils chromium nodejs npm ca-certificates"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# nodejs may come from outside Debian (e.g. a newer node on PATH): then npm is not needed from apt
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    missing=$(echo "$missing" | tr ' ' '\n' | grep -v -x -e nodejs -e npm | tr '\n' ' ')
fi
missing=$(echo $missing)
if [ -n "$missing" ]; then
    echo "setup: installing Debian packages: $missing"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q >/dev/null || echo "setup: apt-get update failed; trying with the current package lists" >&2
    $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
else
    echo "setup: Debian packages already present"
fi

# npm packages: pinned in package.json / package-lock.json at the repository root
if [ -f package.json ] && { [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/nhsuk-frontend ]; }; then
    echo "setup: installing npm packages (package-lock.json)"
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error
    else npm install --no-audit --no-fund --loglevel=error; fi
fi
echo "setup: done"
