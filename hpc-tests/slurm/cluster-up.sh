#!/usr/bin/env bash
# Brings up a throwaway Slurm cluster for the tests: munged (reused if one answers), slurmctld in a "head" network
# namespace (10.77.0.254) and one slurmd per node n1..nN, each in a namespace of its own (10.77.0.<i>), joined by
# a bridge in another namespace. Nothing in the root namespace gets a 10.77 address; a guard route there makes
# 10.77.0.0/24 unreachable so that a mistaken connect fails at once instead of leaving the machine.
#
#   RINGFOLD_SLURM_DIR   state, logs, pid files, slurm.conf, hosts, bin/on-head (default /tmp/ringfold-slurm)
#   RINGFOLD_SLURM_NODES number of nodes (default 3)      RINGFOLD_SLURM_CPUS CPUs per node (default 2)
#   RINGFOLD_SLURM_TIMEOUT seconds to wait for the nodes to be idle (default 60)
#
# Idempotent: with the cluster already up (same config, every daemon alive, every node idle) it does nothing.
# On failure it stops what it started (cluster-down.sh). Needs root; installs slurm-wlm and munge when missing.
# Clients run in the head namespace: $RINGFOLD_SLURM_DIR/bin/on-head sbatch ... (it sets SLURM_CONF).
set -euo pipefail

DIR=${RINGFOLD_SLURM_DIR:-/tmp/ringfold-slurm}
NODES=${RINGFOLD_SLURM_NODES:-3}
CPUS=${RINGFOLD_SLURM_CPUS:-2}
TIMEOUT=${RINGFOLD_SLURM_TIMEOUT:-60}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NET=10.77.0
# namespace and link names carry a tag of DIR, so that two clusters of two checkouts never share a name
TAG=$(printf '%s' "$DIR" | cksum | cut -c1-5)
NS=rf$TAG
CONF=$DIR/slurm.conf
RUN=$DIR/run

say() { printf 'cluster-up: %s\n' "$*" >&2; }
STARTED=0
fail() {
  say "FAILED: $*"
  for f in "$DIR"/log/*.log; do [ -f "$f" ] && { say "--- $f"; tail -n 5 "$f" >&2; }; done
  [ "$STARTED" = 1 ] && RINGFOLD_SLURM_DIR=$DIR bash "$HERE/cluster-down.sh" || true
  exit 1
}
[ "$(id -u)" = 0 ] || fail "must run as root (it makes network namespaces and starts daemons)"
[[ $NODES =~ ^[1-9][0-9]?$ ]] && [ "$NODES" -le 50 ] || fail "RINGFOLD_SLURM_NODES=$NODES is not in 1..50"

# --- packages
need=()
command -v slurmctld >/dev/null || need+=(slurmctld)
command -v slurmd >/dev/null || need+=(slurmd)
command -v sbatch >/dev/null || need+=(slurm-client)
command -v munged >/dev/null || need+=(munge)
command -v ip >/dev/null || need+=(iproute2)
command -v nsenter >/dev/null || need+=(util-linux)
compgen -G "/usr/lib/*/slurm-wlm/proctrack_linuxproc.so" >/dev/null || need+=(slurm-wlm-basic-plugins)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 600 apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- configuration
mkdir -p "$DIR/bin" "$DIR/log" "$RUN"
new=$CONF.new
{
  echo "# written by $HERE/cluster-up.sh on every run"
  echo "ClusterName=ringfold"
  # slurmctld checks that this names its own host; the address is where the others reach it
  echo "SlurmctldHost=$(hostname -s)($NET.254)"
  echo "SlurmUser=root"
  echo "SlurmdUser=root"
  echo "AuthType=auth/munge"
  echo "CredType=cred/munge"
  echo "StateSaveLocation=$DIR/state"
  echo "SlurmdSpoolDir=$DIR/spool/%n"
  echo "TmpFS=$DIR/tmp/%n"
  echo "SlurmctldPidFile=$RUN/slurmctld.pid"
  echo "SlurmdPidFile=$RUN/slurmd-%n.pid"
  echo "SlurmctldLogFile=$DIR/log/slurmctld.log"
  echo "SlurmdLogFile=$DIR/log/slurmd-%n.log"
  echo "ProctrackType=proctrack/linuxproc"
  echo "TaskPlugin=task/none"
  echo "JobAcctGatherType=jobacct_gather/none"
  echo "AccountingStorageType=accounting_storage/none"
  echo "JobCompType=jobcomp/none"
  echo "SelectType=select/cons_tres"
  echo "SelectTypeParameters=CR_CPU"
  echo "MpiDefault=none"
  # every step gets SLURM_STEP_RESV_PORTS from here; Ringfold's rank 0 serves its rendezvous on the first
  echo "MpiParams=ports=12000-12999"
  echo "ReturnToService=2"
  echo "SlurmdParameters=config_overrides"
  echo "KillWait=5"
  echo "InactiveLimit=0"
  for i in $(seq 1 "$NODES"); do
    echo "NodeName=n$i NodeHostname=$(hostname -s) NodeAddr=$NET.$i CPUs=$CPUS State=UNKNOWN"
  done
  echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
} > "$new"
# node names resolve through this file only (java -Djdk.net.hosts.file=...); /etc/hosts is left alone
{ for i in $(seq 1 "$NODES"); do echo "$NET.$i n$i"; done; echo "$NET.254 head"; } > "$DIR/hosts"
printf '#!/bin/sh\n# runs a command in the head (login) namespace of the test cluster\nexport SLURM_CONF=%s\nexec nsenter --net=/run/netns/%s -- "$@"\n' \
  "$CONF" "$NS-head" > "$DIR/bin/on-head"
chmod 0755 "$DIR/bin/on-head"

alive() { # pidfile name: that process is running (not a zombie)
  local p; [ -s "$1" ] || return 1; p=$(cat "$1")
  [ -r "/proc/$p/comm" ] && [ "$(cat "/proc/$p/comm")" = "$2" ] && [ "$(awk '{print $3}' "/proc/$p/stat")" != Z ]
}
all_alive() {
  alive "$RUN/slurmctld.pid" slurmctld || return 1
  for i in $(seq 1 "$NODES"); do alive "$RUN/slurmd-n$i.pid" slurmd || return 1; done
}
all_idle() {
  local out; out=$(timeout 10 "$DIR/bin/on-head" sinfo -h -N -o '%N %T' 2>/dev/null) || return 1
  [ "$(printf '%s\n' "$out" | awk '$2=="idle"{print $1}' | sort -u | wc -l)" -eq "$NODES" ]
}
if [ -f "$CONF" ] && cmp -s "$new" "$CONF" && all_alive && all_idle; then
  rm -f "$new"; say "already up ($NODES nodes, $CONF)"; exit 0
fi
if compgen -G "$RUN/*.pid" >/dev/null || [ -s "$RUN/netns" ] || [ -s "$RUN/route" ] || [ -s "$RUN/munged.pid" ]; then
  say "stopping a previous cluster first"
  RINGFOLD_SLURM_DIR=$DIR bash "$HERE/cluster-down.sh"
fi
mv -f "$new" "$CONF"
STARTED=1
rm -f "$DIR"/log/*.log

# --- munge: one daemon serves the whole machine (its socket is on the file system, shared by all namespaces)
munge_ok() { timeout 5 munge -n </dev/null 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1; }
if ! munge_ok; then
  if [ ! -s /etc/munge/munge.key ]; then
    install -d -o munge -g munge -m 0700 /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0711 /var/lib/munge
  install -d -o munge -g munge -m 0700 /var/log/munge
  install -d -o munge -g munge -m 0755 "$RUN/munge"
  runuser -u munge -- munged --pid-file="$RUN/munge/munged.pid"
  cp "$RUN/munge/munged.pid" "$RUN/munged.pid"   # marks that we started it: cluster-down stops only ours
  for _ in $(seq 1 50); do munge_ok && break; sleep 0.1; done
  munge_ok || fail "munged does not answer"
  say "munged started (pid $(cat "$RUN/munged.pid"))"
fi

# --- network: the guard route first, then the namespaces
if ! ip route show type unreachable | grep -q "^unreachable $NET.0/24"; then
  ip route add unreachable "$NET.0/24"
  echo "$NET.0/24" > "$RUN/route"
fi
: > "$RUN/netns"
ns_add() { ip netns add "$1"; echo "$1" >> "$RUN/netns"; ip -n "$1" link set lo up; }
ns_attach() { # namespace address index: a veth from the namespace to the bridge
  ip link add "$NS-a$3" type veth peer name "$NS-b$3"
  ip link set "$NS-a$3" netns "$1"
  ip link set "$NS-b$3" netns "$NS-sw"
  ip -n "$NS-sw" link set "$NS-b$3" master br0 up
  ip -n "$1" addr add "$2/24" dev "$NS-a$3"
  ip -n "$1" link set "$NS-a$3" up
}
ns_add "$NS-sw"
ip -n "$NS-sw" link add br0 type bridge
ip -n "$NS-sw" link set br0 up
ns_add "$NS-head"; ns_attach "$NS-head" "$NET.254" 0
for i in $(seq 1 "$NODES"); do ns_add "$NS-n$i"; ns_attach "$NS-n$i" "$NET.$i" "$i"; done

# --- daemons. nsenter, not `ip netns exec`: the latter remounts /sys, and slurmd then finds no cgroup file system
mkdir -p "$DIR/state"
for i in $(seq 1 "$NODES"); do mkdir -p "$DIR/spool/n$i" "$DIR/tmp/n$i"; done
nsenter --net="/run/netns/$NS-head" -- slurmctld -c -f "$CONF" || fail "slurmctld did not start"
for i in $(seq 1 "$NODES"); do
  nsenter --net="/run/netns/$NS-n$i" -- slurmd -f "$CONF" -N "n$i" || fail "slurmd n$i did not start"
done
deadline=$(( $(date +%s) + TIMEOUT ))
until all_idle; do
  all_alive || fail "a daemon died while starting"
  [ "$(date +%s)" -lt "$deadline" ] || fail "the nodes were not idle within ${TIMEOUT} s: $(timeout 10 "$DIR/bin/on-head" sinfo -N 2>&1 | tr '\n' ' ')"
  sleep 0.2
done
say "up: nodes n1..n$NODES ($NET.1..$NET.$NODES, $CPUS CPUs each); clients: $DIR/bin/on-head CMD"
