#!/usr/bin/env bash
# The system packages the peer tests need (Open MPI, MPJ Express, Slurm, munge, sshd), in one place for .ci/run and
# 'make test':
#   .ci/packages.sh missing   prints the Debian packages that are missing, one a line
#   .ci/packages.sh install   installs them with apt-get when this runs as root (else says nothing and does nothing)
#   .ci/packages.sh report    after the tests: lists every skipped test with its reason, and the command that
#                             installs what is missing
set -uo pipefail
cd "$(dirname "$0")/.."

missing() {
  command -v mvn >/dev/null 2>&1 || echo maven
  command -v make >/dev/null 2>&1 || echo make
  command -v mpirun >/dev/null 2>&1 || echo openmpi-bin        # ForeignLaunchTest, the native device: mpirun
  [ -r /usr/share/java/mpj.jar ] || echo libmpj-java          # MpjExpressDifferentialTest runs MPJ Express beside us
  # SlurmClusterTest: a real Slurm, its nodes in network namespaces (hpc-tests/slurm/cluster-up.sh)
  command -v slurmctld >/dev/null 2>&1 || echo slurmctld
  command -v slurmd >/dev/null 2>&1 || echo slurmd
  command -v sbatch >/dev/null 2>&1 || echo slurm-client
  compgen -G "/usr/lib/*/slurm-wlm/proctrack_linuxproc.so" >/dev/null || echo slurm-wlm-basic-plugins
  command -v munged >/dev/null 2>&1 || echo munge
  command -v ip >/dev/null 2>&1 || echo iproute2
  command -v nsenter >/dev/null 2>&1 || echo util-linux
  # HostfileSshTest: an sshd inside a network namespace (hpc-tests/ssh/hosts-up.sh)
  [ -x /usr/sbin/sshd ] || echo openssh-server
  command -v ssh >/dev/null 2>&1 || echo openssh-client
}

install() {
  local need
  mapfile -t need < <(missing)
  [ ${#need[@]} -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    return 0 # 'report' lists what the tests skipped for it, with the command
  fi
  echo "installing the packages the peer tests need: ${need[*]}"
  apt-get update -qq
  # no package may start a service (an sshd in the root namespace): refuse service starts while installing
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; made_policy=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  local rc=$?
  [ "$made_policy" = 0 ] || rm -f /usr/sbin/policy-rc.d
  return $rc
}

report() {
  local skipped
  # Surefire's reports: <testcase name=".." classname=".."...><skipped message=".."/>
  skipped=$(perl -0777 -ne 'while (/<testcase name="([^"]*)" classname="([^"]*)"[^>]*>\s*<skipped(?: message="([^"]*)")?/g) { print "  $2.$1: ", ($3 // "skipped"), "\n" }' \
    */target/surefire-reports/TEST-*.xml 2>/dev/null | sort -u)
  local need
  need=$(missing | tr '\n' ' ')
  if [ -n "$skipped" ]; then
    echo "make test: $(echo "$skipped" | wc -l) tests were skipped:"
    echo "$skipped"
  fi
  if [ -n "${need// /}" ]; then
    echo "make test: missing packages that tests need: ${need}"
    echo "  install them with: sudo apt-get install -y ${need}(or run 'make test' as root, which installs them)"
  fi
}

case "${1:-}" in
  missing) missing ;;
  install) install ;;
  report) report ;;
  *) echo "usage: $0 missing|install|report" >&2; exit 2 ;;
esac
