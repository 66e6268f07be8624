#!/bin/sh
# What the test suite needs beyond npm packages: PostgreSQL's server binaries, for the
# tests of the PostgreSQL store (each test starts its own private server with them).
set -eu
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "kubeql: installing PostgreSQL for the store tests" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
else
  echo "kubeql: PostgreSQL is missing; install it (apt-get install postgresql) or the PostgreSQL tests fail" >&2
fi
