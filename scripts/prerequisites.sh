#!/usr/bin/env bash
# Installs what the platform needs beside the .NET SDK: PostgreSQL 15, RabbitMQ and Chromium for the browser tests
# (from Debian's packages).
# Sourced by run.sh and test.sh; safe to run again (it installs only what is missing).
set -euo pipefail

missing=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
# The browser is for the tests only (test.sh passes --tests); running the platform does not need it.
if [ "${1:-}" = "--tests" ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "error: the platform needs ${missing[*]}, and installing it takes root rights." >&2
  echo "       Run once as root (or with sudo): apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing ${missing[*]} from Debian's packages..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Without a policy-rc.d the packages start system-wide servers; ours run as private child processes instead.
if [ -x /etc/init.d/rabbitmq-server ]; then "${sudo[@]}" /etc/init.d/rabbitmq-server stop >/dev/null 2>&1 || true; fi
if command -v epmd >/dev/null; then epmd -kill >/dev/null 2>&1 || true; fi
if [ -x /etc/init.d/postgresql ]; then "${sudo[@]}" /etc/init.d/postgresql stop >/dev/null 2>&1 || true; fi
