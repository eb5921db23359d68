#!/usr/bin/env bash
# Undoes hosts-up.sh: stops its sshd by pid file (checking the pid is an sshd), deletes its namespaces, the guard
# route and /run/sshd if it made them. Idempotent; every wait is bounded.
set -uo pipefail
DIR=${RINGFOLD_SSH_DIR:-/tmp/ringfold-ssh}
RUN=$DIR/run
say() { printf 'hosts-down: %s\n' "$*" >&2; }
if [ -s "$RUN/sshd.pid" ]; then
  p=$(cat "$RUN/sshd.pid")
  if [[ $p =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sshd ]; then
    kill -TERM "$p"
    for _ in $(seq 1 50); do [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] || break; sleep 0.1; done
    [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && kill -KILL "$p"
    say "stopped sshd $p"
  fi
  rm -f "$RUN/sshd.pid"
fi
if [ -s "$RUN/netns" ]; then
  while read -r ns; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null && say "deleted namespace $ns"; done < "$RUN/netns"
fi
if [ -s "$RUN/route" ]; then ip route del unreachable "$(cat "$RUN/route")" 2>/dev/null && say "removed the guard route"; fi
if [ -s "$RUN/privsep" ]; then rmdir "$(cat "$RUN/privsep")" 2>/dev/null; fi
rm -rf "$RUN"
exit 0
