#!/usr/bin/env bash
# Stops the daemons that scripts/slurm/start.sh started (and only those), waiting until
# they are gone. Running it again, or when nothing was started, does nothing.
set -euo pipefail

STATE=/run/mopo-slurm
say() { echo "slurm: $*"; }

[ -d "$STATE" ] || exit 0
[ "$(id -u)" = 0 ] || { echo "slurm: stop.sh needs root: run it with sudo." >&2; exit 1; }

stop_pidfile() {
  local name=$1 pidfile=$2 pid
  [ -f "$STATE/$name" ] || return 0
  if [ -f "$pidfile" ] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    say "stopped $name"
  fi
  rm -f "$STATE/$name"
}

stop_pidfile slurmd /run/slurmd.pid
stop_pidfile slurmctld /run/slurmctld.pid
stop_pidfile munged /run/munge/munged.pid
rmdir "$STATE" 2>/dev/null || true
