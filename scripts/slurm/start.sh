#!/usr/bin/env bash
# Starts a one-node SLURM cluster on this machine: munged, slurmctld and slurmd, all on
# localhost, with every core of the machine as the node's CPUs. mopo's SLURM launcher
# tests run against it, and it lets you try `hydra/launcher=slurm` without a cluster.
#
#   sudo scripts/slurm/start.sh [--install]     # --install: apt-get install slurm-wlm munge first
#   sudo scripts/slurm/stop.sh
#
# Needs root and Debian's (or Ubuntu's) slurm-wlm and munge packages; no systemd.
# Running it again is harmless: a cluster that answers is left as it is, and only the
# daemons that are not running are started. It writes /etc/slurm/slurm.conf only when
# that file is absent or was written by this script; another SLURM configuration on the
# machine is never touched. What it started is noted in $STATE, so stop.sh stops exactly that.
set -euo pipefail

STATE=/run/mopo-slurm
CONF=/etc/slurm/slurm.conf
MARKER='# Written by mopo scripts/slurm/start.sh: a one-node test cluster on localhost.'

say() { echo "slurm: $*"; }
fail() { echo "slurm: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "start.sh needs root (it starts munged, slurmctld and slurmd): run it with sudo."

if [ "${1:-}" = --install ] && ! command -v slurmctld >/dev/null 2>&1; then
  say "installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 slurm-wlm munge >/dev/null
fi
for tool in munged slurmctld slurmd scontrol sinfo; do
  command -v "$tool" >/dev/null 2>&1 || fail "'$tool' not found: install Debian's slurm-wlm and munge packages (or run start.sh --install)."
done

node_ready() {
  local state
  state=$(sinfo -h -n "$HOST" -o %t 2>/dev/null | head -n1) || return 1
  case "$state" in idle|mix|alloc|comp) return 0 ;; *) return 1 ;; esac
}
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

HOST=$(hostname -s)
mkdir -p "$STATE"

# ── munge: the daemons and commands authenticate to each other with its key ─────────────
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
[ -f /etc/munge/munge.key ] || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 400 /etc/munge/munge.key
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- munged
  touch "$STATE/munged"
  say "started munged"
fi

# ── slurm.conf ───────────────────────────────────────────────────────────────────────────
if [ -f "$CONF" ] && ! grep -qxF "$MARKER" "$CONF"; then
  if node_ready; then say "a SLURM cluster that this script did not configure is running; using it"; exit 0; fi
  fail "$CONF exists and was not written by this script; not touching it. Move it away to let start.sh write its own."
fi
CPUS=$(nproc)
MEM_MB=$(( $(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo) - 1024 ))
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > "$CONF.new" <<CONF
$MARKER
ClusterName=local
# The daemons talk over 127.0.0.1, so a container whose host name does not resolve works too.
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
# A requeued job may start again after cred_expire seconds (120 by default), and pending
# jobs are looked at every sched_interval (60) or bf_interval (30) seconds: 5, 1 and 1
# here, so a requeued test job runs again within seconds instead of two minutes.
AuthInfo=cred_expire=5
SchedulerParameters=sched_interval=1,bf_interval=1
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
# No slurmdbd here, so no sacct: finished jobs stay in scontrol's records for MinJobAge seconds.
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=300
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
if ! cmp -s "$CONF.new" "$CONF" 2>/dev/null; then
  mv "$CONF.new" "$CONF"
  # Daemons started with an older file must read the new one.
  if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then scontrol reconfigure >/dev/null 2>&1 || true; fi
else
  rm -f "$CONF.new"
fi

# ── the daemons ──────────────────────────────────────────────────────────────────────────
if ! alive /run/slurmctld.pid; then
  slurmctld
  touch "$STATE/slurmctld"
  say "started slurmctld"
fi
if ! alive /run/slurmd.pid; then
  slurmd
  touch "$STATE/slurmd"
  say "started slurmd"
fi

for _ in $(seq 60); do
  if node_ready; then say "node $HOST is up ($CPUS CPUs, partition debug)"; exit 0; fi
  # A node the controller once marked down comes back when told to.
  scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true
  sleep 0.5
done
fail "the node did not become ready within 30 s; see /var/log/slurm/slurmctld.log and slurmd.log."
