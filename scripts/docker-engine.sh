#!/bin/sh
# Makes a Docker engine answer on this machine, for the Docker-backed node agent and its
# tests: installs docker.io and busybox-static (the demo images are built from the
# static busybox) when missing, starts dockerd in the background when it is not running,
# and waits until it answers. Says clearly what it cannot do.
set -eu
log=${KUBEQL_DOCKERD_LOG:-/tmp/kubeql-dockerd.log}

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

if ! command -v dockerd >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
  if can_install; then
    echo "kubeql: installing the Docker engine and busybox-static" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io busybox-static >/dev/null
  else
    echo "kubeql: the Docker engine or busybox-static is missing; install them (apt-get install docker.io busybox-static) as root" >&2
    exit 1
  fi
fi

answers() { docker info >/dev/null 2>&1; }
if answers; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "kubeql: the Docker engine is not running and only root can start it (sudo dockerd, or systemctl start docker)" >&2
  exit 1
fi
echo "kubeql: starting dockerd (log: $log)" >&2
nohup dockerd >"$log" 2>&1 &
i=0
until answers; do
  i=$((i + 1))
  if [ "$i" -gt 60 ]; then
    echo "kubeql: dockerd did not answer within 30 s; see $log" >&2
    exit 1
  fi
  sleep 0.5
done
