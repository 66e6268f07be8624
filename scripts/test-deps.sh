#!/bin/sh
# What the test suite needs beyond npm packages: PostgreSQL's server binaries (each
# PostgreSQL test starts its own private server with them) and a running Docker engine
# with busybox-static (the node agent's end-to-end tests run real containers).
set -eu
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "kubeql: installing PostgreSQL for the store tests" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "kubeql: PostgreSQL is missing; install it (apt-get install postgresql) or the PostgreSQL tests fail" >&2
  fi
fi
# Chromium from the distribution: the dashboard's browser tests drive it with playwright-core.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "kubeql: installing Chromium for the dashboard tests" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "kubeql: Chromium is missing; install it (apt-get install chromium) or the dashboard tests fail" >&2
  fi
fi
sh scripts/docker-engine.sh
