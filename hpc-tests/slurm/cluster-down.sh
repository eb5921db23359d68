#!/usr/bin/env bash
# Stops the test cluster of cluster-up.sh, and only it: cancels its jobs, stops slurmd, slurmctld and (only if
# cluster-up started it) munged by their pid files, after checking each pid still names that daemon; deletes the
# namespaces and the guard route it made. Idempotent; bounded (every wait has a limit).
set -uo pipefail

DIR=${RINGFOLD_SLURM_DIR:-/tmp/ringfold-slurm}
RUN=$DIR/run
say() { printf 'cluster-down: %s\n' "$*" >&2; }

gone() { [ ! -d "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
pid_of() { # pidfile name
  local p; [ -s "$1" ] || return 1; p=$(cat "$1" 2>/dev/null)
  [[ $p =~ ^[0-9]+$ ]] && [ -r "/proc/$p/comm" ] && [ "$(cat "/proc/$p/comm")" = "$2" ] && ! gone "$p" && echo "$p"
}
stop() { # name pidfile...: SIGTERM, up to 10 s, then SIGKILL
  local name=$1 f p pids=(); shift
  for f in "$@"; do if p=$(pid_of "$f" "$name"); then kill -TERM "$p"; pids+=("$p"); fi; done
  for _ in $(seq 1 100); do
    local left=0; for p in "${pids[@]}"; do gone "$p" || left=1; done
    [ "$left" = 0 ] && break; sleep 0.1
  done
  for p in "${pids[@]}"; do gone "$p" || { say "$name $p ignored SIGTERM: SIGKILL"; kill -KILL "$p"; }; say "stopped $name $p"; done
  rm -f "$@"
}

if [ -x "$DIR/bin/on-head" ] && pid_of "$RUN/slurmctld.pid" slurmctld >/dev/null; then
  jobs=$(timeout 10 "$DIR/bin/on-head" squeue -h -o %A 2>/dev/null | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    say "cancelling jobs $jobs"
    timeout 10 "$DIR/bin/on-head" scancel $jobs
    for _ in $(seq 1 50); do [ -z "$(timeout 5 "$DIR/bin/on-head" squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.2; done
  fi
fi
shopt -s nullglob
stop slurmd "$RUN"/slurmd-*.pid
stop slurmctld "$RUN/slurmctld.pid"
stop munged "$RUN/munged.pid"
if [ -s "$RUN/netns" ]; then
  while read -r ns; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null && say "deleted namespace $ns"; done < "$RUN/netns"
fi
rm -f "$RUN/netns"
if [ -s "$RUN/route" ]; then
  ip route del unreachable "$(cat "$RUN/route")" 2>/dev/null && say "removed the guard route $(cat "$RUN/route")"
  rm -f "$RUN/route"
fi
exit 0
