#!/bin/sh
# What the test suite needs beyond npm packages: PostgreSQL's server binaries (each
# PostgreSQL test starts its own private server with them), Chromium (the dashboard's
# browser tests drive it with playwright-core) and a running Docker engine with
# busybox-static (the node agent's end-to-end tests run real containers).
set -eu
cd "$(dirname "$0")/.."

# install_if_missing CHECK PACKAGE WHAT: installs a Debian package when CHECK fails.
install_if_missing() {
  if sh -c "$1" >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "kubeql: installing $2 for $3" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    echo "kubeql: $2 is missing; install it (apt-get install $2) or $3 fail" >&2
  fi
}

install_if_missing 'ls /usr/lib/postgresql/*/bin/initdb' postgresql 'the PostgreSQL store tests'
install_if_missing 'command -v chromium' chromium 'the dashboard tests'
sh scripts/docker-engine.sh
