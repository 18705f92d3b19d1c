#!/usr/bin/env bash
# The lab's ACME server (issue 10): Debian's `pebble` (RFC 8555 test server), on 127.0.0.1 only,
# with a TLS certificate the lab makes (browsers must trust its root, see lab/README.md) and —
# when challenges are really validated — `pebble-challtestsrv` as its DNS server. How pebble
# behaves: shared/peers/REPORT.md §6. Started by `lab/lab.sh start` beside the SCEP CA, or alone;
# several differently configured instances run side by side under one LAB_DIR (ACME_INSTANCE).
#
# usage: bash lab/acme.sh start | stop | status | test | reset
#
# Environment (read by `start`; the other commands use what `start` saved for the instance):
#   LAB_DIR             the lab's state directory (default <repo>/.lab); state in $LAB_DIR/acme/<instance>/,
#                       the TLS root and server certificate (shared by the instances) in $LAB_DIR/acme/tls/
#   ACME_INSTANCE       instance name (default: default)
#   ACME_PORT           the ACME API, https://127.0.0.1:PORT/dir (24400)
#   ACME_MGMT_PORT      pebble's management API: /roots/0, /intermediates/0 ... (24401)
#   ACME_ALWAYS_VALID   1 (default) = every challenge is valid (PEBBLE_VA_ALWAYS_VALID); 0 = pebble
#                       validates for real: http-01 at 127.0.0.1:ACME_HTTP01_PORT, DNS (dns-01 TXT, A
#                       records → 127.0.0.1) from pebble-challtestsrv on 127.0.0.1:ACME_DNS_PORT
#   ACME_HTTP01_PORT    where pebble fetches http-01 answers when validating (24402; the web server
#                       that answers is the user's — in tests, the test's)
#   ACME_DNS_PORT       pebble-challtestsrv's DNS port (24403)
#   ACME_CHALLSRV_PORT  pebble-challtestsrv's management API (24404): POST /set-txt {"host","value"}
#   ACME_NONCE_REJECT   percentage of good nonces pebble rejects as badNonce (unset: pebble's default, 5)
#   ACME_AUTHZ_REUSE    percentage of orders that reuse a valid authorization (unset: pebble's default, 50)
#   ACME_EAB            "KID:KEY ..." = external account binding required, with these MAC keys (base64url)
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$SELF_DIR")
D_NAME=acme
# shellcheck source=lab/daemon.sh
. "$SELF_DIR/daemon.sh"

LAB_DIR=${LAB_DIR:-$REPO/.lab}
case $LAB_DIR in /*) ;; *) LAB_DIR=$PWD/$LAB_DIR ;; esac
LAB_DIR=${LAB_DIR%/}
ACME_INSTANCE=${ACME_INSTANCE:-default}
[[ $ACME_INSTANCE =~ ^[A-Za-z0-9_-]{1,32}$ ]] || d_die "ACME_INSTANCE: 1-32 characters A-Z a-z 0-9 _ -"
A=$LAB_DIR/acme
I=$A/$ACME_INSTANCE
TLS=$A/tls
RUN=$I/run
LOGS=$I/logs
ENV_FILE=$I/acme.env

config_from_env() {
  ACME_PORT=${ACME_PORT:-24400}
  ACME_MGMT_PORT=${ACME_MGMT_PORT:-24401}
  ACME_ALWAYS_VALID=${ACME_ALWAYS_VALID:-1}
  ACME_HTTP01_PORT=${ACME_HTTP01_PORT:-24402}
  ACME_DNS_PORT=${ACME_DNS_PORT:-24403}
  ACME_CHALLSRV_PORT=${ACME_CHALLSRV_PORT:-24404}
  ACME_NONCE_REJECT=${ACME_NONCE_REJECT:-}
  ACME_AUTHZ_REUSE=${ACME_AUTHZ_REUSE:-}
  ACME_EAB=${ACME_EAB:-}
  local p
  for p in ACME_PORT ACME_MGMT_PORT ACME_HTTP01_PORT ACME_DNS_PORT ACME_CHALLSRV_PORT; do d_check_port "${!p}" "$p"; done
  case $ACME_ALWAYS_VALID in 0 | 1) ;; *) d_die "ACME_ALWAYS_VALID must be 0 or 1" ;; esac
  for p in ACME_NONCE_REJECT ACME_AUTHZ_REUSE; do
    [ -z "${!p}" ] || { [[ ${!p} =~ ^[0-9]+$ ]] && ((${!p} <= 100)); } || d_die "$p must be a percentage"
  done
  local e
  for e in $ACME_EAB; do [[ $e =~ ^[A-Za-z0-9_.-]+:[A-Za-z0-9_-]{16,}$ ]] || d_die "ACME_EAB: '$e' is not KID:KEY (KEY base64url)"; done
}

save_config() {
  local v
  {
    echo "# written by lab/acme.sh start"
    for v in ACME_PORT ACME_MGMT_PORT ACME_ALWAYS_VALID ACME_HTTP01_PORT ACME_DNS_PORT ACME_CHALLSRV_PORT ACME_NONCE_REJECT ACME_AUTHZ_REUSE ACME_EAB; do printf '%s=%q\n' "$v" "${!v}"; done
  } >"$ENV_FILE"
}

config_saved() {
  # shellcheck disable=SC1090
  [ -f "$ENV_FILE" ] && . "$ENV_FILE"
  config_from_env
}

# The lab's TLS root and a server certificate for localhost / 127.0.0.1 (made once per LAB_DIR).
init_tls() {
  mkdir -p "$TLS"
  if [ ! -f "$TLS/localhost.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TLS/tls-ca.key" -sha256 -days 3650 \
      -subj "/O=Peer Lab/CN=Peer Lab TLS root" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$TLS/tls-ca.pem" >"$A/tls.log" 2>&1 || { cat "$A/tls.log" >&2; d_die "openssl (TLS root) failed"; }
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TLS/localhost.key" -subj "/CN=localhost" -out "$TLS/localhost.csr" >>"$A/tls.log" 2>&1
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >"$TLS/localhost.ext"
    openssl x509 -req -in "$TLS/localhost.csr" -CA "$TLS/tls-ca.pem" -CAkey "$TLS/tls-ca.key" -CAcreateserial -days 3650 -sha256 \
      -extfile "$TLS/localhost.ext" -out "$TLS/localhost.pem" >>"$A/tls.log" 2>&1 || { cat "$A/tls.log" >&2; d_die "openssl (TLS server certificate) failed"; }
    chmod 600 "$TLS/tls-ca.key" "$TLS/localhost.key"
  fi
  # what Chromium's --ignore-certificate-errors-spki-list takes: base64 SHA-256 of the server's SPKI
  openssl x509 -in "$TLS/localhost.pem" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64 >"$TLS/localhost.spki-sha256"
}

write_pebble_config() {
  local eab="" e first=1
  for e in $ACME_EAB; do
    ((first)) || eab+=","
    eab+="\"${e%%:*}\": \"${e#*:}\""
    first=0
  done
  cat >"$I/pebble-config.json.new" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$ACME_PORT",
    "managementListenAddress": "127.0.0.1:$ACME_MGMT_PORT",
    "certificate": "$TLS/localhost.pem",
    "privateKey": "$TLS/localhost.key",
    "httpPort": $ACME_HTTP01_PORT,
    "tlsPort": 5001,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": $([ -n "$ACME_EAB" ] && echo true || echo false),
    "externalAccountMACKeys": {$eab}
  }
}
EOF
}

start_challtestsrv() {
  local bin
  bin=$(command -v pebble-challtestsrv)
  local argv=("$bin" -dns01 "127.0.0.1:$ACME_DNS_PORT" -http01 "" -https01 "" -tlsalpn01 "" -doh "" -management "127.0.0.1:$ACME_CHALLSRV_PORT" -defaultIPv4 127.0.0.1 -defaultIPv6 "")
  # older packages have no -doh: leave it out when the binary does not know it
  "$bin" -h 2>&1 | grep -q -- '-doh' || argv=("$bin" -dns01 "127.0.0.1:$ACME_DNS_PORT" -http01 "" -https01 "" -tlsalpn01 "" -management "127.0.0.1:$ACME_CHALLSRV_PORT" -defaultIPv4 127.0.0.1 -defaultIPv6 "")
  local want
  want=$(printf '%s ' "${argv[@]}")
  if d_wanted challtestsrv "$want"; then return 0; fi
  d_stop challtestsrv >/dev/null
  d_port_free_or_ours "$ACME_CHALLSRV_PORT" challtestsrv
  d_launch challtestsrv "$want" "${argv[@]}" -- "${argv[@]}"
  local i
  for ((i = 0; i < 100; i++)); do curl -fsS --max-time 1 -o /dev/null -X POST -d '{"ip":"127.0.0.1"}' "http://127.0.0.1:$ACME_CHALLSRV_PORT/set-default-ipv4" 2>/dev/null && break; sleep 0.05; done
  STARTED+=(challtestsrv)
}

start_pebble() {
  write_pebble_config
  local bin
  bin=$(command -v pebble)
  local argv=("$bin" -config "$I/pebble-config.json")
  [ "$ACME_ALWAYS_VALID" = 1 ] || argv+=(-dnsserver "127.0.0.1:$ACME_DNS_PORT")
  local envs=(PEBBLE_VA_NOSLEEP=1)
  [ "$ACME_ALWAYS_VALID" = 1 ] && envs+=(PEBBLE_VA_ALWAYS_VALID=1)
  [ -n "$ACME_NONCE_REJECT" ] && envs+=("PEBBLE_WFE_NONCEREJECT=$ACME_NONCE_REJECT")
  [ -n "$ACME_AUTHZ_REUSE" ] && envs+=("PEBBLE_AUTHZREUSE=$ACME_AUTHZ_REUSE")
  local want
  want="$(printf '%s ' "${envs[@]}" "${argv[@]}")$(cat "$I/pebble-config.json.new")"
  if d_wanted pebble "$want"; then rm -f "$I/pebble-config.json.new"; return 0; fi
  d_stop pebble >/dev/null
  d_port_free_or_ours "$ACME_PORT" pebble
  d_port_free_or_ours "$ACME_MGMT_PORT" pebble
  mv "$I/pebble-config.json.new" "$I/pebble-config.json"
  # pebble reads its settings from the environment: exactly these, nothing inherited
  (
    unset PEBBLE_VA_NOSLEEP PEBBLE_VA_ALWAYS_VALID PEBBLE_WFE_NONCEREJECT PEBBLE_AUTHZREUSE PEBBLE_VA_SLEEPTIME PEBBLE_CHAIN_LENGTH PEBBLE_ALTERNATE_ROOTS
    export "${envs[@]}"
    d_launch pebble "$want" "${argv[@]}" -- "${argv[@]}"
  )
  STARTED+=(pebble)
}

wait_ready() {
  local i
  for ((i = 0; i < 200; i++)); do
    if curl -fsS --max-time 2 --cacert "$TLS/tls-ca.pem" -o /dev/null "https://127.0.0.1:$ACME_PORT/dir" 2>/dev/null; then
      curl -fsS --max-time 5 --cacert "$TLS/tls-ca.pem" -o "$I/root.pem" "https://127.0.0.1:$ACME_MGMT_PORT/roots/0" &&
        curl -fsS --max-time 5 --cacert "$TLS/tls-ca.pem" -o "$I/intermediate.pem" "https://127.0.0.1:$ACME_MGMT_PORT/intermediates/0" &&
        return 0
    fi
    sleep 0.05
  done
  d_die "pebble does not answer https://127.0.0.1:$ACME_PORT/dir (log: $LOGS/pebble.log)"
}

write_json() {
  local eab="" e first=1
  for e in $ACME_EAB; do
    ((first)) || eab+=", "
    eab+="{\"kid\": \"${e%%:*}\", \"key\": \"${e#*:}\"}"
    first=0
  done
  cat >"$I/acme.json.tmp" <<EOF
{
  "instance": "$ACME_INSTANCE",
  "dir": "$I",
  "directory": "https://127.0.0.1:$ACME_PORT/dir",
  "management": "https://127.0.0.1:$ACME_MGMT_PORT",
  "tlsRoot": "$TLS/tls-ca.pem",
  "tlsSpkiSha256": "$(cat "$TLS/localhost.spki-sha256")",
  "root": "$I/root.pem",
  "intermediate": "$I/intermediate.pem",
  "alwaysValid": $([ "$ACME_ALWAYS_VALID" = 1 ] && echo true || echo false),
  "http01Port": $ACME_HTTP01_PORT,
  "dnsPort": $ACME_DNS_PORT,
  "challsrv": "http://127.0.0.1:$ACME_CHALLSRV_PORT",
  "nonceReject": ${ACME_NONCE_REJECT:-null},
  "authzReuse": ${ACME_AUTHZ_REUSE:-null},
  "eab": [$eab]
}
EOF
  mv "$I/acme.json.tmp" "$I/acme.json"
}

components() { if [ "$ACME_ALWAYS_VALID" = 1 ]; then echo pebble; else echo challtestsrv pebble; fi; }

cmd_start() {
  config_from_env
  mkdir -p "$I" "$RUN" "$LOGS"
  exec 9>"$I/.lock"
  flock -w 120 9 || d_die "another acme.sh holds $I/.lock"
  d_ensure_packages pebble:pebble pebble-challtestsrv:pebble openssl:openssl curl:curl flock:util-linux setsid:util-linux ss:iproute2
  init_tls
  save_config
  STARTED=()
  if [ "$ACME_ALWAYS_VALID" = 1 ]; then d_stop challtestsrv >/dev/null; else start_challtestsrv; fi
  start_pebble
  wait_ready
  write_json
  local pids=() c
  for c in $(components); do pids+=("$(d_pid_of "$c")"); done
  d_loopback_only "${pids[@]}" >/dev/null || d_die "pebble listens on a non-loopback address"
  if ((${#STARTED[@]})); then d_say "$ACME_INSTANCE: started: ${STARTED[*]}"; else d_say "$ACME_INSTANCE: already running, nothing started"; fi
  summary
}

summary() {
  cat <<EOF
ACME server (pebble, instance $ACME_INSTANCE) up (state $I)
  directory           : https://127.0.0.1:$ACME_PORT/dir   (challenges: $([ "$ACME_ALWAYS_VALID" = 1 ] && echo "always valid" || echo "validated: http-01 at 127.0.0.1:$ACME_HTTP01_PORT, DNS 127.0.0.1:$ACME_DNS_PORT"); EAB: $([ -n "$ACME_EAB" ] && echo "required (${ACME_EAB%%:*} ...)" || echo "not required"); badNonce: ${ACME_NONCE_REJECT:-5} %)
  TLS root to trust   : $TLS/tls-ca.pem   (Chromium: --ignore-certificate-errors-spki-list=$(cat "$TLS/localhost.spki-sha256"))
  pebble's root       : $I/root.pem  (issuing chain regenerated at every pebble start)
  in the console      : crypto pki trustpoint ACME / enrollment acme https://127.0.0.1:$ACME_PORT/dir challenge http-01
EOF
}

cmd_stop() {
  [ -d "$RUN" ] || { d_say "no ACME state in $I; nothing to stop"; return 0; }
  d_stop pebble
  d_stop challtestsrv
}

cmd_status() {
  [ -d "$RUN" ] || { echo "no ACME server in $I (never started)"; return 3; }
  config_saved
  local c stopped=0 pids=()
  echo "ACME server in $I (https://127.0.0.1:$ACME_PORT/dir)"
  for c in $(components); do
    if d_is_up "$c"; then printf '  %-12s running  pid %s\n' "$c" "$(d_pid_of "$c")"; pids+=("$(d_pid_of "$c")"); else printf '  %-12s STOPPED\n' "$c"; stopped=1; fi
  done
  if ((${#pids[@]})) && ! d_loopback_only "${pids[@]}"; then echo "loopback only: NO"; return 1; fi
  echo "loopback only: yes"
  ((stopped)) && return 3
  return 0
}

cmd_reset() {
  cmd_stop
  rm -rf "$I"
  d_say "reset $I"
}

cmd_test() {
  config_saved
  local pass=0 fail=0 T h
  T=$(mktemp -d)
  ok() { echo "  PASS $*"; pass=$((pass + 1)); }
  ko() { echo "  FAIL $*"; fail=$((fail + 1)); }
  if curl -fsS --cacert "$TLS/tls-ca.pem" -D "$T/h" -H 'Origin: http://localhost:4173' -o "$T/dir" "https://127.0.0.1:$ACME_PORT/dir" && grep -q newOrder "$T/dir" && grep -qi '^access-control-allow-origin: \*' "$T/h"; then
    ok "directory over https (lab TLS root) with Access-Control-Allow-Origin: *"
  else ko "directory: see $T"; fi
  h=$(curl -sS --cacert "$TLS/tls-ca.pem" -I -H 'Origin: http://localhost:4173' "https://127.0.0.1:$ACME_PORT/nonce-plz" | tr -d '\r')
  if grep -qi '^replay-nonce:' <<<"$h" && grep -qi '^access-control-expose-headers:.*replay-nonce' <<<"$h"; then ok "newNonce: Replay-Nonce, exposed to pages"; else ko "newNonce headers: $h"; fi
  if openssl x509 -in "$I/intermediate.pem" -noout 2>/dev/null && openssl verify -CAfile "$I/root.pem" "$I/intermediate.pem" >/dev/null 2>&1; then ok "pebble's root and intermediate (management API)"; else ko "pebble's root/intermediate"; fi
  local pids=() c
  for c in $(components); do pids+=("$(d_pid_of "$c")"); done
  if d_loopback_only "${pids[@]}" >/dev/null; then ok "loopback only"; else ko "something listens on a non-loopback address"; fi
  rm -rf "$T"
  echo "$pass passed, $fail failed"
  ((fail == 0))
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
test) cmd_test ;;
reset) cmd_reset ;;
*)
  sed -n '3,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  [ -z "${1:-}" ] || [ "$1" = help ] || [ "$1" = -h ] || [ "$1" = --help ] || exit 2
  ;;
esac
