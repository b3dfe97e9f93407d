#!/usr/bin/env bash
# Install Debian's chromium for the bulletin's browser tests, when it is not there yet.
# Idempotent and quiet when the browser is present; needs root (CI runs as root).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "install-browser: /usr/bin/chromium is missing and this user cannot apt-get install it" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q chromium fonts-dejavu-core
test -x /usr/bin/chromium
