#!/usr/bin/env bash
# Installs the real senders the interop suite drives (test/interop/), for CI.
#
# syslog-ng-core and rsyslog conflict as Debian packages (both are "the" system log
# daemon), so syslog-ng-core is installed with apt-get and rsyslog is only unpacked into
# a private directory with its libraries installed beside it. Neither is left running as
# the system's syslog: daemons are kept from starting during the install (policy-rc.d),
# and a syslog-ng started anyway is stopped. The tests run private instances on
# 127.0.0.1 high ports and never use port 514 or /dev/log.
#
# Usage: bash test/interop/install-senders.sh   (as root; idempotent)
# Environment: LH_PEERS_DIR [node_modules/.cache/logharbor-peers] where rsyslog is
# unpacked; the tests look there too.
set -euo pipefail
cd "$(dirname "$0")/../.."

PEERS_DIR="${LH_PEERS_DIR:-$PWD/node_modules/.cache/logharbor-peers}"
RSYSLOG_ROOT="$PEERS_DIR/rsyslog"
POLICY=/usr/sbin/policy-rc.d

say() { echo "install-senders: $*"; }

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    --no-install-recommends "$@"
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Debian's maintainer scripts start a freshly installed daemon unless policy-rc.d says
# no (exit 101). Machines built from container images often have one already; ours is
# only put there for the install and removed afterwards.
with_daemons_held() {
  local own_policy=0
  if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    own_policy=1
  fi
  "$@" || { ((own_policy)) && rm -f "$POLICY"; return 1; }
  ((own_policy)) && rm -f "$POLICY"
  return 0
}

stop_system_syslog_ng() {
  local pidfile
  for pidfile in /run/syslog-ng.pid /var/run/syslog-ng.pid; do
    [[ -s "$pidfile" ]] || continue
    say "stopping the system syslog-ng (pid $(cat "$pidfile")) the install started"
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
  done
}

# The Depends line of a .deb, as package names (alternatives: the first one).
deb_depends() {
  dpkg-deb -f "$1" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/ //g' |
    grep -v '^$'
}

install_syslog_ng() {
  installed syslog-ng-core && return 0
  say "apt-get install syslog-ng-core"
  with_daemons_held apt_install syslog-ng-core
  stop_system_syslog_ng
}

unpack_rsyslog() {
  [[ -x "$RSYSLOG_ROOT/usr/sbin/rsyslogd" ]] && return 0
  local debs
  debs="$(mktemp -d)"
  say "unpacking rsyslog into $RSYSLOG_ROOT"
  (cd "$debs" && apt-get download rsyslog)
  local deb=("$debs"/rsyslog_*.deb)
  local lib missing=()
  for lib in $(deb_depends "${deb[0]}"); do
    installed "$lib" || missing+=("$lib")
  done
  # Only what is missing: naming an installed library would upgrade it as well.
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
  mkdir -p "$RSYSLOG_ROOT"
  dpkg-deb -x "${deb[0]}" "$RSYSLOG_ROOT"
  rm -rf "$debs"
}

apt-get -o DPkg::Lock::Timeout=300 update -qq
installed bsdutils || apt_install bsdutils
install_syslog_ng
unpack_rsyslog

say "logger: $(logger --version | head -1)"
say "syslog-ng: $(syslog-ng --version | head -1)"
say "rsyslogd: $("$RSYSLOG_ROOT/usr/sbin/rsyslogd" -v | head -1)"
