#!/bin/sh
# Prepares a clone to run: installs dependencies (once, or again when package.json or
# the lock file change) and generates the Prisma clients (when the Prisma schemas change). Both of
# the README's commands run this first, so a fresh clone needs nothing else but Node 20.
set -eu
cd "$(dirname "$0")/.."

installed_for() { cat package.json package-lock.json 2>/dev/null | cksum; }
if [ "$(cat node_modules/.kubeql-installed 2>/dev/null)" != "$(installed_for)" ]; then
  echo "kubeql: installing dependencies (the first time compiles the SQLite driver, about a minute)" >&2
  # node-gyp finds Node's headers under /usr on Debian's and NodeSource's Node packages.
  if [ -z "${npm_config_nodedir:-}" ] && [ -d /usr/include/node ]; then
    npm_config_nodedir=/usr
    export npm_config_nodedir
  fi
  # `npm install` rather than `npm ci`: npm 11 records only this platform's optional packages
  # (rollup, esbuild) in the lock file and `npm ci` then refuses it as out of sync.
  npm install --no-audit --no-fund --loglevel=error
  installed_for > node_modules/.kubeql-installed
fi

for provider in sqlite postgresql; do
  client="prisma/generated/$provider/client.ts"
  if [ ! -f "$client" ] || [ "prisma/$provider/schema.prisma" -nt "$client" ]; then
    npx prisma generate --config "prisma/$provider.config.ts" >/dev/null
  fi
done

# The dashboard the API server serves at /: built when missing, or older than its sources
# (its own, and the SDK and generated types it is built from).
built=web/dist/index.html
if [ ! -f "$built" ] || [ -n "$(find web/src web/index.html web/vite.config.ts client -newer "$built" 2>/dev/null | head -n 1)" ]; then
  echo "kubeql: building the dashboard (web/dist)" >&2
  # A failed build must not keep the cluster from starting: the API works without it.
  npx vite build web --logLevel error || echo "kubeql: the dashboard did not build (see above); the API still works" >&2
fi

# kq as plain JavaScript (dist/cli), so that it starts as fast as kubectl: built when a
# source it is made from changed (bin/kq.mjs would otherwise build it on its first run).
node scripts/build-kq.mjs --if-stale
