#!/usr/bin/env bash
# Debian packages the test suite needs, installed when missing: PostgreSQL server binaries
# (the store tests start a real server), Debian's chromium (Playwright drives it; no browser
# is ever downloaded) and a CJK font (the Chinese pages and reports).
# Called by `make test` and `.ci/run`; does nothing when all are there.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}"
else
  echo "missing Debian packages: ${missing[*]} (apt-get install them as root);" \
    "the tests that need them are skipped outside CI" >&2
fi
