#!/usr/bin/env bash
# The software PIV card lab: a private pcscd with Debian's virtual reader driver (vsmartcard-vpcd)
# and our PIV card (lab/pivcard/pivcard.py, a python3-virtualsmartcard card type) "inserted" in
# it. There is no USB on the test machines: this card stands in for a hardware token (a YubiKey's
# PIV applet) wherever a test needs one, reached over PC/SC like the real thing.
#
# usage: bash lab/pivcard.sh start | stop | status | remove | insert [--applet none] | env | reset
#
#   start    install missing Debian packages (root), start pcscd and insert the card (idempotent)
#   stop     stop the card and pcscd (exactly the recorded processes, checked by /proc/PID/cmdline)
#   status   exit 0 = pcscd and card running, 3 = (partly) stopped
#   remove   pull the card out of the reader (stop the card process; pcscd sees "no card")
#   insert   put it back (same state file: the keys stay); --applet none = a card without PIV
#   env      print `export PCSCLITE_CSOCK_NAME=...` for PC/SC clients of this lab
#   reset    stop and delete the card's state (a new card at the next start)
#
# Isolation (nothing system-wide changes, nothing listens outside):
#   pcscd runs in its own network namespace (only `lo`; vpcd's card port is opened there) and its
#   own mount namespace where $PIVCARD_DIR/run/pcscd is bind-mounted on /run/pcscd, so its socket
#   is $PIVCARD_DIR/run/pcscd/pcscd.comm. Clients find it through PCSCLITE_CSOCK_NAME (libpcsclite
#   honours it). The system's pcscd, if any, is not touched; real readers are not used.
#
# Environment: PIVCARD_DIR (default <repo>/.lab/pivcard), PIVCARD_PORT (vpcd's port inside the
# namespace, default 25000), PIVCARD_MGM_ALG (3des|aes128|aes192|aes256, for a new card).
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PIVCARD_DIR=${PIVCARD_DIR:-$(dirname "$SELF_DIR")/.lab/pivcard}
case $PIVCARD_DIR in /*) ;; *) PIVCARD_DIR=$PWD/$PIVCARD_DIR ;; esac
PIVCARD_PORT=${PIVCARD_PORT:-25000}
RUN=$PIVCARD_DIR/run
LOGS=$PIVCARD_DIR/logs
CONF=$PIVCARD_DIR/reader.conf.d
SOCK=$RUN/pcscd/pcscd.comm
STATE=$PIVCARD_DIR/card.json
PY=/usr/bin/python3 # Debian's python (its dist-packages have pycryptodome and cryptography)
CARD=$SELF_DIR/pivcard/pivcard.py

die() { echo "pivcard: $*" >&2; exit 1; }
say() { echo "pivcard: $*"; }

ensure_packages() {
  local missing=()
  [ -x /usr/sbin/pcscd ] || missing+=(pcscd)
  [ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] || missing+=(vsmartcard-vpcd)
  [ -d /usr/lib/python3/site-packages/virtualsmartcard ] || missing+=(python3-virtualsmartcard)
  $PY -c 'import Cryptodome' 2>/dev/null || missing+=(python3-pycryptodome)
  $PY -c 'import cryptography' 2>/dev/null || missing+=(python3-cryptography)
  command -v unshare >/dev/null || missing+=(util-linux)
  command -v ip >/dev/null || missing+=(iproute2)
  ((${#missing[@]} == 0)) && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (run as root once, or apt-get install ${missing[*]})"
  say "installing ${missing[*]} ..."
  # pcscd would be started by its maintainer scripts; a temporary policy-rc.d prevents that.
  local made=0 rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made=1
  fi
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } || rc=$?
  ((made)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || die "apt-get failed (exit $rc)"
}

cmdline_is() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | cmp -s - "$2"; }
pid_of() { [ -s "$RUN/$1.pid" ] && tr -dc '0-9' <"$RUN/$1.pid" || true; }
is_up() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && [ -f "$RUN/$1.cmdline" ] && cmdline_is "$pid" "$RUN/$1.cmdline"
}

# launch NAME EXPECTED-CMDLINE -- argv...: setsid; the recorded PID is the final program itself.
launch() {
  local name=$1 want=$2
  shift 3
  printf '%s ' $want >"$RUN/$name.cmdline"
  rm -f "$RUN/$name.pid"
  echo "--- $(date -u +%FT%TZ) start" >>"$LOGS/$name.log"
  (setsid sh -c 'echo $$ >"$0"; exec "$@"' "$RUN/$name.pid" "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &)
  local i
  for ((i = 0; i < 100; i++)); do
    is_up "$name" && return 0
    sleep 0.05
  done
  tail -n 20 "$LOGS/$name.log" >&2
  die "$name did not start"
}

stop_one() {
  local name=$1 pid i
  pid=$(pid_of "$name")
  [ -n "$pid" ] || return 0
  if cmdline_is "$pid" "$RUN/$name.cmdline"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do [ -e "/proc/$pid" ] || break; sleep 0.05; done
    [ -e "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    say "stopped $name (pid $pid)"
  fi
  rm -f "$RUN/$name.pid"
}

start_pcscd() {
  is_up pcscd && return 0
  mkdir -p "$CONF" "$RUN/pcscd"
  cat >"$CONF/vpcd" <<EOF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x$(printf '%X' "$PIVCARD_PORT")
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    0x$(printf '%X' "$PIVCARD_PORT")
EOF
  mkdir -p /run/pcscd # the bind-mount target (inside the private mount namespace only)
  rm -f "$SOCK"
  # The netns keeps vpcd's listening port private; the mount ns gives pcscd its own /run/pcscd.
  launch pcscd "pcscd -f -c $CONF" -- unshare --net --mount --propagation private \
    sh -c 'ip link set lo up && mount --bind "$0/run/pcscd" /run/pcscd && exec pcscd -f -c "$0/reader.conf.d"' "$PIVCARD_DIR"
  local i
  for ((i = 0; i < 100; i++)); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
  die "pcscd did not create $SOCK"
}

insert_card() {
  is_up card && return 0
  is_up pcscd || die "pcscd is not running (pivcard.sh start)"
  local applet=piv mgm=()
  [ "${1:-}" = --applet ] && applet=${2:-piv}
  [ -n "${PIVCARD_MGM_ALG:-}" ] && mgm=(--mgm-alg "$PIVCARD_MGM_ALG")
  : >"$LOGS/card.log"
  local argv=("$PY" "$CARD" --port "$PIVCARD_PORT" --state "$STATE" --applet "$applet" "${mgm[@]}" --verbose)
  launch card "${argv[*]}" -- nsenter -t "$(pid_of pcscd)" -n -- "${argv[@]}"
  # wait until the card answers through pcscd: its ATR must be readable by a PC/SC client (pcscd
  # polls the reader, so the card's own log saying "connected" is not enough)
  local i
  for ((i = 0; i < 200; i++)); do
    if grep -q 'Power Up\|inserted' "$LOGS/card.log" 2>/dev/null; then
      if ! command -v opensc-tool >/dev/null 2>&1; then sleep 0.5 && return 0; fi
      PCSCLITE_CSOCK_NAME=$SOCK opensc-tool -a >/dev/null 2>&1 && return 0
    fi
    sleep 0.05
  done
  die "the card did not connect to vpcd (see $LOGS/card.log)"
}

cmd_start() {
  ensure_packages
  mkdir -p "$RUN" "$LOGS"
  start_pcscd
  insert_card
  say "up: reader \"Virtual PCD 00 00\", PCSCLITE_CSOCK_NAME=$SOCK (state $STATE)"
}

cmd_stop() {
  stop_one card
  stop_one pcscd
  rm -f "$SOCK"
}

cmd_status() {
  local rc=0 c
  for c in pcscd card; do
    if is_up "$c"; then echo "  $c running (pid $(pid_of "$c"))"; else echo "  $c stopped"; rc=3; fi
  done
  return $rc
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
remove) stop_one card ;;
insert) shift; mkdir -p "$RUN" "$LOGS"; insert_card "$@" ;;
env) echo "export PCSCLITE_CSOCK_NAME=$SOCK" ;;
reset) cmd_stop; rm -f "$STATE" ;;
*) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; [ -z "${1:-}" ] || exit 2 ;;
esac
