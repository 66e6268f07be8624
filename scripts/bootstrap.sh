#!/bin/sh
# Prepares a clone to run: installs dependencies (once, or again when the lock file
# changes) and generates the Prisma clients (when the Prisma schemas change). Both of
# the README's commands run this first, so a fresh clone needs nothing else but Node 20.
set -eu
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "kubeql: installing dependencies (the first time compiles the SQLite driver, about a minute)" >&2
  # node-gyp finds Node's headers under /usr on Debian's and NodeSource's Node packages.
  if [ -z "${npm_config_nodedir:-}" ] && [ -d /usr/include/node ]; then
    npm_config_nodedir=/usr
    export npm_config_nodedir
  fi
  npm ci --no-audit --no-fund --loglevel=error
fi

for provider in sqlite postgresql; do
  client="prisma/generated/$provider/client.ts"
  if [ ! -f "$client" ] || [ "prisma/$provider/schema.prisma" -nt "$client" ]; then
    npx prisma generate --config "prisma/$provider.config.ts" >/dev/null
  fi
done
