#!/usr/bin/env bash
# Two "hosts" for the hostfile test: network namespaces h1 (10.77.0.1, where mpjrun runs) and h2 (10.77.0.2,
# running sshd), joined by a veth pair. sshd takes only a key made here, for root, on h2's address; nothing is
# configured outside RINGFOLD_SSH_DIR except the namespaces, the guard route (unreachable 10.77.0.0/24 in the
# root namespace, added first) and /run/sshd (sshd's privilege-separation directory, created if missing).
#   RINGFOLD_SSH_DIR (default /tmp/ringfold-ssh): keys, sshd_config, pid file, run/ (what to undo)
# Run commands on a host with: nsenter --net=/run/netns/$(cat $RINGFOLD_SSH_DIR/run/ns-h1) CMD
# Needs root; installs openssh-server/-client when missing. Idempotent; on failure it undoes what it did.
set -euo pipefail
DIR=${RINGFOLD_SSH_DIR:-/tmp/ringfold-ssh}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TAG=$(printf '%s' "$DIR" | cksum | cut -c1-5)
NS=rs$TAG
RUN=$DIR/run
say() { printf 'hosts-up: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; RINGFOLD_SSH_DIR=$DIR bash "$HERE/hosts-down.sh" || true; exit 1; }
[ "$(id -u)" = 0 ] || fail "must run as root"

need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # the package must not start an sshd of its own in the root namespace: refuse service starts during install
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; made_policy=1; fi
  timeout 600 apt-get update -qq && timeout 600 apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || { [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d; fail "apt-get install ${need[*]}"; }
  [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

if [ -s "$RUN/sshd.pid" ] && [ "$(cat "/proc/$(cat "$RUN/sshd.pid")/comm" 2>/dev/null)" = sshd ] && [ -e "/run/netns/$NS-h2" ]; then
  say "already up"; exit 0
fi
[ -d "$RUN" ] && RINGFOLD_SSH_DIR=$DIR bash "$HERE/hosts-down.sh"
mkdir -p "$RUN"; chmod 0700 "$DIR"

if ! ip route show type unreachable | grep -q "^unreachable 10.77.0.0/24"; then
  ip route add unreachable 10.77.0.0/24 && echo 10.77.0.0/24 > "$RUN/route"
fi
for h in h1 h2; do ip netns add "$NS-$h"; echo "$NS-$h" >> "$RUN/netns"; ip -n "$NS-$h" link set lo up; echo "$NS-$h" > "$RUN/ns-$h"; done
ip link add "$NS-1" type veth peer name "$NS-2"
ip link set "$NS-1" netns "$NS-h1"; ip link set "$NS-2" netns "$NS-h2"
ip -n "$NS-h1" addr add 10.77.0.1/24 dev "$NS-1"; ip -n "$NS-h1" link set "$NS-1" up
ip -n "$NS-h2" addr add 10.77.0.2/24 dev "$NS-2"; ip -n "$NS-h2" link set "$NS-2" up

rm -f "$DIR/host_key" "$DIR/host_key.pub" "$DIR/client_key" "$DIR/client_key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$DIR/client_key"
cp "$DIR/client_key.pub" "$DIR/authorized_keys"; chmod 0600 "$DIR/authorized_keys"
cat > "$DIR/sshd_config" <<CONF
ListenAddress 10.77.0.2
Port 22
HostKey $DIR/host_key
PidFile $RUN/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AcceptEnv none
CONF
[ -d /run/sshd ] || { mkdir -p /run/sshd; chmod 0755 /run/sshd; echo /run/sshd > "$RUN/privsep"; }
/usr/sbin/sshd -t -f "$DIR/sshd_config" || fail "sshd_config does not check out"
nsenter --net="/run/netns/$NS-h2" -- /usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd.log" || fail "sshd did not start"
# the client side: this key, no known_hosts to write, never a prompt
echo "ssh -i $DIR/client_key -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10 -T" > "$DIR/ssh-command"
for _ in $(seq 1 50); do
  if nsenter --net="/run/netns/$NS-h1" -- timeout 10 $(cat "$DIR/ssh-command") 10.77.0.2 true 2>/dev/null; then
    say "up: h1 10.77.0.1 (launcher), h2 10.77.0.2 (sshd pid $(cat "$RUN/sshd.pid"))"; exit 0
  fi
  sleep 0.2
done
fail "cannot log in to h2 over ssh: $(tail -3 "$DIR/sshd.log" 2>/dev/null)"
