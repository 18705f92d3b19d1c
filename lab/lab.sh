#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted $ strings are meant for sh -c and nginx
# Trustpoint peer lab: a real SCEP CA (micromdm `scepserver`, Debian package `scep`) behind a
# CORS-adding nginx reverse proxy, both reachable on 127.0.0.1 only.
# How the peers behave and why the lab is built this way: /work/shared/peers/REPORT.md (§2, §3, §5).
#
# usage: bash lab/lab.sh start | stop | status | test | reset | restart-ca
#        bash lab/lab.sh pivcard start|stop|status|remove|insert|env|reset   (lab/pivcard.sh: the
#                    software PIV card in a private pcscd, for the token tests; no USB needed)
#
#   start       install missing Debian packages (root), create the CA on first use, start what is
#               not running (idempotent: a running component whose command line still matches
#               the wanted configuration is left alone), wait until GetCACaps answers through
#               the proxy, print the summary.
#   stop        kill exactly the recorded PIDs (after checking /proc/PID/cmdline), TERM then KILL.
#   status      components, `ss -ltnp` for the lab, loopback-only check.
#               exit 0 = all running and loopback-only, 3 = (partly) stopped, 1 = something of
#               the lab listens on a non-loopback address or the namespace has another interface.
#   test        black-box checks with `scepclient`, `curl` and `openssl` against the running lab.
#   reset       stop, then delete the lab's state (CA depot included) under $LAB_DIR.
#   restart-ca  stop and start scepserver only (same depot, same CA).
#
# Layout (one lab = one $LAB_DIR; labs with different LAB_DIR and ports run side by side):
#   netns anchor   unshare --net: a private network namespace with only `lo` (sleep process)
#   scepserver     inside the namespace on 127.0.0.1:8080 (it has no bind option: it listens on
#                  all interfaces, and in that namespace "all" is just `lo`)
#   scep-bridge    socat inside the namespace: unix socket $LAB_DIR/run/scep.sock -> 127.0.0.1:8080
#   raw-proxy      socat on 127.0.0.1:$SCEP_RAW_PORT -> the unix socket (byte-for-byte, no CORS)
#   nginx          127.0.0.1:$SCEP_CORS_PORT -> the unix socket, adds CORS headers
#
# Environment (read by `start`; the other commands use what `start` saved in $LAB_DIR/lab.env):
#   LAB_DIR               state directory (default <repo>/.lab)
#   SCEP_RAW_PORT         raw port (18080)           SCEP_CORS_PORT   CORS proxy port (18081)
#   SCEP_CHALLENGE        challenge password (lab-secret; set to empty for none)
#   SCEP_ALLOWRENEW       scepserver -allowrenew (0 = re-enrolment of a DN always allowed)
#   SCEP_CERT_DAYS        validity of issued certificates in days (365)
#   SCEP_CA_KIND          scep (scepserver ca -init) | openssl (KU also digitalSignature +
#                         keyEncipherment; encrypted PKCS#1 key; scepserver runs with -capass)
#   SCEP_CA_PASS          pass phrase of the openssl-kind CA key (lab-ca-pass)
#   SCEP_CSR_VERIFIER     optional program for scepserver -csrverifierexec
#   CORS_ORIGINS          extra allowed origins, space separated, added to the defaults
#                         http://localhost:4173 http://127.0.0.1:4173 http://localhost:5173 http://127.0.0.1:5173
#   CORS_ANY_LOCAL_PORT   1 = also allow http://127.0.0.1:<any port> and http://localhost:<any port>
#   WITH_HTTP_CA          1 (default) = also start lab/http-ca.sh (the enrollment-profile CA, HTTP_CA_*)
#   WITH_ACME             1 (default) = also start lab/acme.sh (pebble, the ACME server, ACME_*)
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$SELF_DIR")
NS_PORT=8080 # scepserver's port inside the namespace (every lab has its own namespace)
DEFAULT_ORIGINS="http://localhost:4173 http://127.0.0.1:4173 http://localhost:5173 http://127.0.0.1:5173"
COMPONENTS=(netns scepserver scep-bridge raw-proxy nginx) # start order; stop is the reverse
MARKER=.trustpoint-lab

die() { echo "lab: $*" >&2; exit 1; }
say() { echo "lab: $*"; }

# ---------------------------------------------------------------- paths and configuration

set_paths() {
  LAB_DIR=${LAB_DIR:-$REPO/.lab}
  case $LAB_DIR in /*) ;; *) LAB_DIR=$PWD/$LAB_DIR ;; esac
  LAB_DIR=${LAB_DIR%/}
  [ -n "$LAB_DIR" ] || die "LAB_DIR must not be /"
  RUN=$LAB_DIR/run
  LOGS=$LAB_DIR/logs
  SCEP=$LAB_DIR/scep
  DEPOT=$SCEP/depot
  CA_PEM=$SCEP/ca.pem
  CA_DER=$SCEP/ca.der
  NGX=$LAB_DIR/nginx
  SOCK=$RUN/scep.sock
  ENV_FILE=$LAB_DIR/lab.env
}

# The configuration `start` wants, from the environment (unset = default; SCEP_CHALLENGE="" = none).
config_from_env() {
  SCEP_RAW_PORT=${SCEP_RAW_PORT:-18080}
  SCEP_CORS_PORT=${SCEP_CORS_PORT:-18081}
  SCEP_CHALLENGE=${SCEP_CHALLENGE-lab-secret}
  SCEP_ALLOWRENEW=${SCEP_ALLOWRENEW:-0}
  SCEP_CERT_DAYS=${SCEP_CERT_DAYS:-365}
  SCEP_CA_KIND=${SCEP_CA_KIND:-scep}
  SCEP_CA_PASS=${SCEP_CA_PASS:-lab-ca-pass}
  SCEP_CSR_VERIFIER=${SCEP_CSR_VERIFIER:-}
  CORS_ORIGINS=${CORS_ORIGINS:-}
  CORS_ANY_LOCAL_PORT=${CORS_ANY_LOCAL_PORT:-0}
  local o seen=" "
  ORIGINS=""
  for o in $DEFAULT_ORIGINS $CORS_ORIGINS; do
    [[ $o =~ ^https?://[A-Za-z0-9.-]+(:[0-9]+)?$ || $o =~ ^https?://\[[0-9A-Fa-f:]+\](:[0-9]+)?$ ]] ||
      die "CORS_ORIGINS: '$o' is not an origin (scheme://host[:port], no path)"
    case $seen in *" $o "*) continue ;; esac
    seen="$seen$o "
    ORIGINS="${ORIGINS:+$ORIGINS }$o"
  done
  local p
  for p in "$SCEP_RAW_PORT" "$SCEP_CORS_PORT"; do
    if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then die "bad port '$p'"; fi
  done
  [ "$SCEP_RAW_PORT" != "$SCEP_CORS_PORT" ] || die "SCEP_RAW_PORT and SCEP_CORS_PORT must differ"
  [[ $SCEP_ALLOWRENEW =~ ^[0-9]+$ ]] || die "SCEP_ALLOWRENEW must be a number of days"
  [[ $SCEP_CERT_DAYS =~ ^[0-9]+$ ]] || die "SCEP_CERT_DAYS must be a number of days"
  case $SCEP_CA_KIND in scep | openssl) ;; *) die "SCEP_CA_KIND must be scep or openssl" ;; esac
  case $CORS_ANY_LOCAL_PORT in 0 | 1) ;; *) die "CORS_ANY_LOCAL_PORT must be 0 or 1" ;; esac
  ((${#SOCK} < 100)) || die "LAB_DIR is too long for a unix socket path ($SOCK)"
  [[ ! $SCEP_CHALLENGE$SCEP_CA_PASS$LAB_DIR =~ [[:cntrl:]] ]] || die "control characters in SCEP_CHALLENGE, SCEP_CA_PASS or LAB_DIR"
}

save_config() {
  {
    echo "# written by lab/lab.sh start; read by the other commands"
    local v
    for v in SCEP_RAW_PORT SCEP_CORS_PORT SCEP_CHALLENGE SCEP_ALLOWRENEW SCEP_CERT_DAYS SCEP_CA_KIND \
      SCEP_CA_PASS SCEP_CSR_VERIFIER CORS_ORIGINS CORS_ANY_LOCAL_PORT ORIGINS; do
      printf '%s=%q\n' "$v" "${!v}"
    done
  } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  # the same for programs (tests/interop/lab.ts)
  local o list=""
  for o in $ORIGINS; do list+="${list:+, }$(json_str "$o")"; done
  cat >"$LAB_DIR/lab.json.tmp" <<EOF
{
  "labDir": $(json_str "$LAB_DIR"),
  "scepUrl": "http://127.0.0.1:$SCEP_CORS_PORT/scep",
  "rawUrl": "http://127.0.0.1:$SCEP_RAW_PORT/scep",
  "corsPort": $SCEP_CORS_PORT,
  "rawPort": $SCEP_RAW_PORT,
  "challenge": $(json_str "$SCEP_CHALLENGE"),
  "allowRenew": $SCEP_ALLOWRENEW,
  "certDays": $SCEP_CERT_DAYS,
  "caKind": "$SCEP_CA_KIND",
  "origins": [$list],
  "anyLocalPort": $([ "$CORS_ANY_LOCAL_PORT" = 1 ] && echo true || echo false),
  "caPem": $(json_str "$CA_PEM"),
  "caDer": $(json_str "$CA_DER"),
  "runDir": $(json_str "$RUN")
}
EOF
  mv "$LAB_DIR/lab.json.tmp" "$LAB_DIR/lab.json"
}

json_str() { # a JSON string literal (control characters are refused by config_from_env)
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# The configuration of the lab as started (commands other than `start`).
config_saved() {
  if [ -f "$ENV_FILE" ]; then
    # shellcheck disable=SC1090
    . "$ENV_FILE"
  fi
  config_from_env
}

# Refuse to use a directory that is not ours (protects `reset` against LAB_DIR=/ or $HOME).
claim_lab_dir() {
  if [ -d "$LAB_DIR" ] && [ ! -e "$LAB_DIR/$MARKER" ]; then
    local f
    for f in "$LAB_DIR"/* "$LAB_DIR"/.[!.]* "$LAB_DIR"/..?*; do
      [ -e "$f" ] || [ -L "$f" ] || continue
      [ "$f" = "$LAB_DIR/i" ] && continue # other labs (the tests') live in $LAB_DIR/i/
      [ "$f" = "$LAB_DIR/pivcard" ] && continue # the software PIV card's state (lab/pivcard.sh)
      die "$LAB_DIR exists, is not empty and is not a lab directory (no $MARKER); choose another LAB_DIR"
    done
  fi
  mkdir -p "$LAB_DIR" "$RUN" "$LOGS"
  [ -e "$LAB_DIR/$MARKER" ] || echo "trustpoint peer lab state (lab/lab.sh)" >"$LAB_DIR/$MARKER"
}

# One state-changing command per lab at a time (fd 9; launch closes it for the daemons).
lock_lab() {
  [ -d "$LAB_DIR" ] || return 0
  exec 9>"$LAB_DIR/.lock"
  flock -w 120 9 || die "another lab.sh holds $LAB_DIR/.lock"
}

# ---------------------------------------------------------------- packages

# command -> Debian package
PKG_OF=(scepserver:scep scepclient:scep nginx:nginx socat:socat openssl:openssl unshare:util-linux
  nsenter:util-linux setsid:util-linux setpriv:util-linux flock:util-linux ip:iproute2 ss:iproute2 curl:curl ps:procps)

ensure_packages() {
  local e c p missing=()
  for e in "${PKG_OF[@]}"; do
    c=${e%%:*} p=${e#*:}
    if ! command -v "$c" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$c" ] && ! [ -x "/sbin/$c" ]; then
      case " ${missing[*]-} " in *" $p "*) ;; *) missing+=("$p") ;; esac
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian packages: ${missing[*]} (run as root once, or: apt-get install --no-install-recommends ${missing[*]})"
  fi
  say "installing ${missing[*]} ..."
  # Debian starts nginx on 0.0.0.0:80 when it is installed; a policy-rc.d that exits 101 stops that.
  # It is created only if none exists and removed again afterwards (no system file is changed).
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, from trustpoint lab/lab.sh: no service starts during install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ca-certificates
  } || rc=$?
  if ((made_policy)); then rm -f /usr/sbin/policy-rc.d; fi
  ((rc == 0)) || die "apt-get failed (exit $rc)"
}

# ---------------------------------------------------------------- processes

# cmp cannot compare /proc/PID/cmdline directly (its st_size is 0): read it through a pipe.
cmdline_is() { # pid file
  # shellcheck disable=SC2002 # (a redirect would be a regular file of size 0 again)
  [ -r "/proc/$1/cmdline" ] && cat "/proc/$1/cmdline" 2>/dev/null | cmp -s - "$2"
}

# Alive = exists and is not a zombie (an orphaned server is reaped by PID 1, maybe late).
alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st%% *}" != Z ]
}

pid_of() { # name -> recorded pid (or nothing)
  local f=$RUN/$1.pid
  if [ -s "$f" ]; then tr -dc '0-9' <"$f"; fi
}

# A component is up when its recorded PID is alive and /proc/PID/cmdline is byte-for-byte the
# command line recorded when it was launched (so a recycled PID is never mistaken for it).
is_up() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && [ -f "$RUN/$1.cmdline" ] && cmdline_is "$pid" "$RUN/$1.cmdline" || return 1
  if [ "$1" != netns ] && [ "$1" != raw-proxy ] && [ "$1" != nginx ]; then
    # the in-namespace processes must be in the namespace of the current anchor
    [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$(cat "$RUN/netns.id" 2>/dev/null)" ] || return 1
  fi
  if [ "$1" = netns ]; then
    [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$(cat "$RUN/netns.id" 2>/dev/null)" ] || return 1
  fi
}

# The exact /proc/PID/cmdline a component will have (argv, NUL-terminated). nginx rewrites its
# own: "nginx: master process <argv joined by spaces>".
write_cmdline() { # name argv...
  local name=$1
  shift
  if [ "$name" = nginx ]; then
    printf 'nginx: master process %s\0' "$*" >"$RUN/$name.cmdline.want"
  else
    printf '%s\0' "$@" >"$RUN/$name.cmdline.want"
  fi
}

# launch name -- command...   (the wanted cmdline must have been written with write_cmdline)
# setsid + `echo $$; exec` makes the recorded PID the server process itself, in its own session
# and process group (so it survives this script and the caller's terminal).
launch() {
  local name=$1
  shift
  local pidf=$RUN/$name.pid log=$LOGS/$name.log
  rm -f "$pidf"
  mv "$RUN/$name.cmdline.want" "$RUN/$name.cmdline"
  echo "--- $(date -u +%FT%TZ) start: $*" >>"$log"
  (cd "$LAB_DIR" && exec setsid sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidf" "$@" \
    </dev/null >>"$log" 2>&1 9>&- &)
  local i pid=
  for ((i = 0; i < 100; i++)); do
    pid=$(pid_of "$name")
    if [ -n "$pid" ] && cmdline_is "$pid" "$RUN/$name.cmdline"; then return 0; fi
    if [ -n "$pid" ] && ! alive "$pid"; then break; fi
    sleep 0.05
  done
  echo "lab: $name did not start; last lines of $log:" >&2
  tail -n 15 "$log" >&2
  exit 1
}

# Members of a recorded process's group (socat/nginx children), as "pid" lines.
group_members() { ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g && $1 != g { print $1 }'; }

# stop_one name: TERM the recorded PID if its cmdline matches, KILL after 5 s; then the
# remaining members of its process group (its forked children), each checked again.
stop_one() {
  local name=$1 pid
  pid=$(pid_of "$name")
  if [ -z "$pid" ]; then
    rm -f "$RUN/$name.pid"
    return 0
  fi
  if ! cmdline_is "$pid" "$RUN/$name.cmdline"; then
    say "$name: pid $pid is gone or is another program now; not killing it"
    rm -f "$RUN/$name.pid"
    return 0
  fi
  local kids k
  kids=$(group_members "$pid")
  declare -A kid_cmd=()
  for k in $kids; do kid_cmd[$k]=$(tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null || true); done
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do alive "$pid" || break; sleep 0.05; done
  if alive "$pid"; then
    say "$name: pid $pid ignored TERM for 5 s; KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do alive "$pid" || break; sleep 0.05; done
  fi
  for k in $kids; do
    # still the same process (same command line, still in the recorded group)?
    if alive "$k" && [ "$(tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null)" = "${kid_cmd[$k]}" ] &&
      [ "$(ps -o pgid= -p "$k" | tr -d ' ')" = "$pid" ]; then
      kill -KILL "$k" 2>/dev/null || true
    fi
  done
  rm -f "$RUN/$name.pid"
  echo "stopped $name (pid $pid)"
}

netns_pid() { pid_of netns; }

# Run a command inside the lab's network namespace.
in_ns() {
  local ns
  ns=$(netns_pid)
  if [ "$(id -u)" = 0 ]; then
    nsenter -t "$ns" -n -- "$@"
  else
    nsenter -t "$ns" -U -n --preserve-credentials -- "$@"
  fi
}

wait_http() { # what url [curl args...]
  local what=$1 url=$2
  shift 2
  local i
  for ((i = 0; i < 100; i++)); do
    if curl -fsS --max-time 2 "$@" -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$what does not answer $url (logs: $LOGS)"
}

# ---------------------------------------------------------------- the CA

init_ca() {
  if [ -f "$DEPOT/ca.pem" ]; then
    local kind
    kind=$(cat "$SCEP/kind" 2>/dev/null || echo scep)
    [ "$kind" = "$SCEP_CA_KIND" ] ||
      die "the CA in $DEPOT is of kind '$kind', SCEP_CA_KIND=$SCEP_CA_KIND was asked; run 'lab.sh reset' or use another LAB_DIR"
  else
    rm -rf "$SCEP"
    mkdir -p "$SCEP"
    case $SCEP_CA_KIND in
    scep)
      # What the real peer does (REPORT.md §2.2): RSA 2048, KU keyCertSign+cRLSign only, key in
      # DES-EDE3 PEM encryption with an empty pass phrase.
      scepserver ca -init -depot "$DEPOT" -keySize 2048 -years 5 -country DE \
        -organization "Peer Lab" -organizational_unit "SCEP Lab CA" >"$LOGS/ca-init.log" 2>&1 ||
        { cat "$LOGS/ca-init.log" >&2; die "scepserver ca -init failed"; }
      ;;
    openssl)
      # The file depot wants a PEM-encrypted PKCS#1 key (DEK-Info), and openssl refuses an empty
      # pass phrase, so scepserver gets -capass.
      mkdir -p "$DEPOT"
      openssl genrsa -traditional -des3 -passout "pass:$SCEP_CA_PASS" -out "$DEPOT/ca.key" 2048 \
        >"$LOGS/ca-init.log" 2>&1 || { cat "$LOGS/ca-init.log" >&2; die "openssl genrsa failed"; }
      openssl req -x509 -new -key "$DEPOT/ca.key" -passin "pass:$SCEP_CA_PASS" -sha256 -days 1825 \
        -set_serial 1 -subj "/C=DE/O=Peer Lab/OU=SCEP Lab CA (openssl)" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" -out "$DEPOT/ca.pem" >>"$LOGS/ca-init.log" 2>&1 ||
        { cat "$LOGS/ca-init.log" >&2; die "openssl req failed"; }
      chmod 400 "$DEPOT/ca.key" "$DEPOT/ca.pem"
      ;;
    esac
    echo "$SCEP_CA_KIND" >"$SCEP/kind"
  fi
  openssl x509 -in "$DEPOT/ca.pem" -out "$CA_PEM"
  openssl x509 -in "$DEPOT/ca.pem" -outform DER -out "$CA_DER"
}

# IOS-style fingerprint: upper-case hex in words of 8 digits.
fingerprint() { # pem sha256|sha1
  openssl x509 -in "$1" -noout -fingerprint "-$2" | sed 's/.*=//; s/://g' | sed -E 's/(.{8})/\1 /g; s/ $//'
}

# ---------------------------------------------------------------- nginx config

write_nginx_conf() {
  mkdir -p "$NGX/logs" "$NGX/tmp" "$NGX/run"
  local user_line=""
  if [ "$(id -u)" = 0 ]; then
    # workers as nobody if nobody can reach the socket, else as root (a repo under /root)
    if setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$RUN" 2>/dev/null; then
      user_line="user nobody nogroup;"
    else
      user_line="user root root;"
    fi
  fi
  local map_lines="" o
  for o in $ORIGINS; do map_lines+="        \"$o\" \$http_origin;"$'\n'; done
  if [ "$CORS_ANY_LOCAL_PORT" = 1 ]; then
    map_lines+='        "~^http://(127\.0\.0\.1|localhost):[0-9]+$" $http_origin;'$'\n'
  fi
  cat >"$NGX/nginx.conf.new" <<EOF
# generated by lab/lab.sh start (rewritten at every start; edits are lost)
$user_line
worker_processes 1;
pid $NGX/run/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 256; }
http {
    access_log $NGX/logs/access.log;
    client_body_temp_path $NGX/tmp/client_body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    server_tokens off;
    client_max_body_size 2m;
    # GET PKIOperation carries the whole base64 message in the URL
    large_client_header_buffers 4 32k;

    # allowed origins: exact strings (and, with CORS_ANY_LOCAL_PORT=1, one regex)
    map \$http_origin \$cors_origin {
        default "";
$map_lines    }
    # Chromium's Private Network Access preflight: only for allowed origins
    map \$cors_origin \$cors_pna {
        default "";
        "~." "true";
    }

    upstream scep_backend {
        server unix:$SOCK;
    }

    server {
        listen 127.0.0.1:$SCEP_CORS_PORT;
        # /scep-get: the same CA, but its GetCACaps hides POSTPKIOperation and SCEPStandard, so
        # a client has to send PKIOperation by GET (old CAs, some NDES set-ups); everything
        # else is passed to the CA's /scep unchanged.
        location = /scep-get {
            if (\$request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin \$cors_origin always;
                add_header Access-Control-Allow-Methods "GET, POST, OPTIONS" always;
                add_header Access-Control-Allow-Headers "Content-Type" always;
                add_header Access-Control-Allow-Private-Network \$cors_pna always;
                add_header Access-Control-Max-Age 600 always;
                add_header Vary Origin always;
                return 204;
            }
            default_type text/plain;
            if (\$arg_operation = GetCACaps) {
                add_header Access-Control-Allow-Origin \$cors_origin always;
                add_header Vary Origin always;
                return 200 "Renewal\\nSHA-1\\nSHA-256\\nAES\\nDES3\\n";
            }
            rewrite ^ /scep break;
            proxy_pass http://scep_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_hide_header Access-Control-Allow-Origin;
            add_header Access-Control-Allow-Origin \$cors_origin always;
            add_header Access-Control-Expose-Headers "Content-Type, Content-Length" always;
            add_header Vary Origin always;
        }
        location / {
            if (\$request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin \$cors_origin always;
                add_header Access-Control-Allow-Methods "GET, POST, OPTIONS" always;
                add_header Access-Control-Allow-Headers "Content-Type" always;
                add_header Access-Control-Allow-Private-Network \$cors_pna always;
                add_header Access-Control-Max-Age 600 always;
                add_header Vary Origin always;
                return 204;
            }
            proxy_pass http://scep_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_hide_header Access-Control-Allow-Origin;
            # 'always': also on the server's 500 text/plain errors and nginx's own 502
            add_header Access-Control-Allow-Origin \$cors_origin always;
            add_header Access-Control-Expose-Headers "Content-Type, Content-Length" always;
            add_header Vary Origin always;
        }
    }
}
EOF
}

# ---------------------------------------------------------------- start

port_free_or_ours() { # port component
  is_up "$2" && return 0
  local l
  l=$(ss -ltnpH "sport = :$1" 2>/dev/null || true)
  [ -z "$l" ] || die "port $1 is already in use (needed by $2):"$'\n'"$l"
}

start_netns() {
  local anchor="trustpoint-lab-netns:$LAB_DIR"
  write_cmdline netns "$anchor" infinity
  local userns=()
  [ "$(id -u)" = 0 ] || userns=(--user --map-root-user)
  launch netns unshare "${userns[@]}" --net bash -c 'ip link set lo up && exec -a "$0" sleep infinity' "$anchor"
  local ns host
  ns=$(readlink "/proc/$(netns_pid)/ns/net")
  host=$(readlink /proc/self/ns/net)
  if [ "$ns" = "$host" ]; then
    stop_one netns
    die "unshare --net did not create a network namespace"
  fi
  echo "$ns" >"$RUN/netns.id"
}

scep_argv() {
  SCEP_ARGV=(scepserver -depot "$DEPOT" -port "$NS_PORT" -allowrenew "$SCEP_ALLOWRENEW" -crtvalid "$SCEP_CERT_DAYS" -debug)
  [ "$SCEP_CA_KIND" = openssl ] && SCEP_ARGV+=(-capass "$SCEP_CA_PASS")
  [ -n "$SCEP_CHALLENGE" ] && SCEP_ARGV+=(-challenge "$SCEP_CHALLENGE")
  [ -n "$SCEP_CSR_VERIFIER" ] && SCEP_ARGV+=(-csrverifierexec "$SCEP_CSR_VERIFIER")
  return 0
}

nsenter_argv() {
  NSENTER=(nsenter -t "$(netns_pid)" -n)
  [ "$(id -u)" = 0 ] || NSENTER=(nsenter -t "$(netns_pid)" -U -n --preserve-credentials)
}

# "ok" if component $1 runs with exactly the wanted cmdline (written to $RUN/$1.cmdline.want).
matches_wanted() { is_up "$1" && cmp -s "$RUN/$1.cmdline" "$RUN/$1.cmdline.want"; }

start_scepserver() {
  scep_argv
  write_cmdline scepserver "${SCEP_ARGV[@]}"
  if matches_wanted scepserver; then rm -f "$RUN/scepserver.cmdline.want"; return 0; fi
  stop_one scepserver
  write_cmdline scepserver "${SCEP_ARGV[@]}"
  nsenter_argv
  launch scepserver "${NSENTER[@]}" -- "${SCEP_ARGV[@]}"
  STARTED+=(scepserver)
}

start_bridge() {
  local argv=(socat "UNIX-LISTEN:$SOCK,fork,unlink-early,mode=666" "TCP:127.0.0.1:$NS_PORT")
  write_cmdline scep-bridge "${argv[@]}"
  if matches_wanted scep-bridge; then rm -f "$RUN/scep-bridge.cmdline.want"; return 0; fi
  stop_one scep-bridge
  write_cmdline scep-bridge "${argv[@]}"
  nsenter_argv
  launch scep-bridge "${NSENTER[@]}" -- "${argv[@]}"
  STARTED+=(scep-bridge)
}

start_raw() {
  local argv=(socat "TCP-LISTEN:$SCEP_RAW_PORT,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$SOCK")
  write_cmdline raw-proxy "${argv[@]}"
  if matches_wanted raw-proxy; then rm -f "$RUN/raw-proxy.cmdline.want"; return 0; fi
  stop_one raw-proxy
  port_free_or_ours "$SCEP_RAW_PORT" raw-proxy
  write_cmdline raw-proxy "${argv[@]}"
  launch raw-proxy "${argv[@]}"
  STARTED+=(raw-proxy)
}

start_nginx() {
  write_nginx_conf
  local argv=(nginx -p "$NGX/" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" -g "daemon off;")
  write_cmdline nginx "${argv[@]}"
  if matches_wanted nginx && cmp -s "$NGX/nginx.conf" "$NGX/nginx.conf.new"; then
    rm -f "$RUN/nginx.cmdline.want" "$NGX/nginx.conf.new"
    return 0
  fi
  stop_one nginx
  port_free_or_ours "$SCEP_CORS_PORT" nginx
  mv "$NGX/nginx.conf.new" "$NGX/nginx.conf"
  nginx -t -q -p "$NGX/" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" >"$LOGS/nginx-t.log" 2>&1 ||
    { cat "$LOGS/nginx-t.log" >&2; die "nginx rejects $NGX/nginx.conf"; }
  write_cmdline nginx "${argv[@]}"
  launch nginx "${argv[@]}"
  STARTED+=(nginx)
}

cmd_start() {
  config_from_env
  claim_lab_dir
  lock_lab
  ensure_packages
  init_ca
  save_config
  STARTED=()
  if ! is_up netns; then
    # the in-namespace processes die with a new namespace: stop what is left of the old one
    stop_one scep-bridge >/dev/null
    stop_one scepserver >/dev/null
    stop_one netns >/dev/null
    start_netns
    STARTED+=(netns)
  fi
  start_scepserver
  start_bridge
  wait_http "scepserver (via $SOCK)" "http://lab/scep?operation=GetCACaps" --unix-socket "$SOCK"
  start_raw
  wait_http "raw proxy" "http://127.0.0.1:$SCEP_RAW_PORT/scep?operation=GetCACaps"
  start_nginx
  wait_http "CORS proxy" "http://127.0.0.1:$SCEP_CORS_PORT/scep?operation=GetCACaps"
  if ((${#STARTED[@]})); then say "started: ${STARTED[*]}"; else say "already running, nothing started"; fi
  check_loopback_only quiet || die "something of the lab listens on a non-loopback address (see lab.sh status)"
  summary
  # the revocation lab (CRL + OCSP, lab/revocation.sh) beside the SCEP CA; REVOCATION_LAB=0 skips it
  if [ "${REVOCATION_LAB:-1}" = 1 ]; then
    LAB_DIR=$LAB_DIR CORS_ORIGINS=$CORS_ORIGINS CORS_ANY_LOCAL_PORT=$CORS_ANY_LOCAL_PORT bash "$(dirname "$0")/revocation.sh" start ||
      say "the revocation lab did not start (see lab/revocation.sh); the SCEP lab runs without it"
  fi
}

summary() {
  local any=""
  [ "$CORS_ANY_LOCAL_PORT" = 1 ] && any=" + http://127.0.0.1:<any port> http://localhost:<any port>"
  cat <<EOF
peer lab up (LAB_DIR=$LAB_DIR)
  SCEP via CORS proxy : http://127.0.0.1:$SCEP_CORS_PORT/scep   (origins: $ORIGINS$any)
  SCEP raw (no CORS)  : http://127.0.0.1:$SCEP_RAW_PORT/scep
  SCEP challenge      : ${SCEP_CHALLENGE:-(none)}    allowrenew=$SCEP_ALLOWRENEW  cert days=$SCEP_CERT_DAYS  CA kind=$SCEP_CA_KIND
  SCEP CA cert        : $CA_PEM  ($(openssl x509 -in "$CA_PEM" -noout -subject -nameopt oneline | sed 's/^subject=//'))
  CA fingerprint SHA-256 : $(fingerprint "$CA_PEM" sha256)
  CA fingerprint SHA-1   : $(fingerprint "$CA_PEM" sha1)
  in the console      : crypto pki trustpoint LAB / enrollment url http://127.0.0.1:$SCEP_CORS_PORT/scep /
                        fingerprint $(fingerprint "$CA_PEM" sha1)
EOF
}

# ---------------------------------------------------------------- stop / status / reset

cmd_stop() {
  [ ! -d "$LAB_DIR/revocation" ] || LAB_DIR=$LAB_DIR bash "$(dirname "$0")/revocation.sh" stop || true
  [ -d "$RUN" ] || { say "no lab state in $LAB_DIR; nothing to stop"; return 0; }
  lock_lab
  local i any=0
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    [ -n "$(pid_of "${COMPONENTS[i]}")" ] && any=1
    stop_one "${COMPONENTS[i]}"
  done
  rm -f "$SOCK"
  ((any)) || say "nothing was running"
}

# PIDs of the lab's processes in the host namespace (recorded ones and their group members).
lab_pids() {
  local c pid
  for c in "${COMPONENTS[@]}"; do
    is_up "$c" || continue
    pid=$(pid_of "$c")
    echo "$pid"
    group_members "$pid"
  done
}

# Every listening socket of a lab process must be on 127.0.0.0/8 or ::1, and the namespace must
# contain nothing but lo (scepserver listens on all of the namespace's interfaces).
check_loopback_only() {
  local quiet=${1:-} bad=0 pids line addr p
  pids=" $(lab_pids | tr '\n' ' ') "
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    while IFS= read -r p; do
      case $pids in *" $p "*) ;; *) continue ;; esac
      addr=$(awk '{print $4}' <<<"$line")
      case $addr in 127.* | "[::1]:"* | "::1:"*) ;; *)
        bad=1
        [ -n "$quiet" ] || echo "  NOT LOOPBACK: $line"
        ;;
      esac
      break
    done < <(grep -o 'pid=[0-9]*' <<<"$line" | cut -d= -f2)
  done < <(ss -ltnpH 2>/dev/null; ss -lunpH 2>/dev/null)
  if is_up netns; then
    local links
    links=$(in_ns ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')
    if [ "$links" != "lo " ]; then
      bad=1
      [ -n "$quiet" ] || echo "  namespace has interfaces other than lo: $links"
    fi
  fi
  return $bad
}

cmd_status() {
  if [ ! -d "$RUN" ]; then
    echo "no lab in $LAB_DIR (never started)"
    return 3
  fi
  config_saved
  echo "peer lab in $LAB_DIR (raw :$SCEP_RAW_PORT, CORS :$SCEP_CORS_PORT, CA kind $SCEP_CA_KIND)"
  local c stopped=0 pid
  for c in "${COMPONENTS[@]}"; do
    pid=$(pid_of "$c")
    if is_up "$c"; then
      printf '  %-12s running  pid %s\n' "$c" "$pid"
    else
      printf '  %-12s STOPPED\n' "$c"
      stopped=1
    fi
  done
  echo "listening sockets of the lab (ss -ltnp):"
  local pids
  pids=$(lab_pids | tr '\n' '|')
  ss -ltnp | awk -v r="pid=(${pids%|})," -v rp=":($SCEP_RAW_PORT|$SCEP_CORS_PORT)\$" \
    'NR == 1 || (r != "pid=()," && $0 ~ r) || $4 ~ rp { print "  " $0 }'
  if is_up netns; then
    echo "inside the lab's network namespace $(cat "$RUN/netns.id") (interfaces: $(in_ns ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' '| sed 's/ $//')):"
    in_ns ss -ltnp | sed 's/^/  /'
  fi
  local rc=0
  if check_loopback_only; then
    echo "loopback only: yes"
  else
    echo "loopback only: NO"
    rc=1
  fi
  ((rc)) && return $rc
  ((stopped)) && return 3
  return 0
}

cmd_reset() {
  cmd_stop
  if [ -d "$LAB_DIR" ]; then
    [ -e "$LAB_DIR/$MARKER" ] || die "$LAB_DIR is not a lab directory (no $MARKER); not deleting anything"
    # only what this script creates (other labs may live in $LAB_DIR/i/)
    rm -rf "$RUN" "$LOGS" "$SCEP" "$NGX" "$LAB_DIR/test" "$ENV_FILE" "$LAB_DIR/lab.json"
  fi
  say "reset $LAB_DIR (the next start creates a new CA)"
}

cmd_restart_ca() {
  config_saved
  lock_lab
  is_up netns || die "the lab is not running (lab.sh start)"
  local old
  old=$(pid_of scepserver)
  stop_one scepserver
  STARTED=()
  start_scepserver
  wait_http "scepserver (via $SOCK)" "http://lab/scep?operation=GetCACaps" --unix-socket "$SOCK"
  say "scepserver restarted (pid ${old:-none} -> $(pid_of scepserver)); same CA: $(fingerprint "$CA_PEM" sha256)"
}

# ---------------------------------------------------------------- test

cmd_test() {
  config_saved
  ensure_packages
  local c
  for c in "${COMPONENTS[@]}"; do is_up "$c" || die "$c is not running (lab.sh start)"; done
  local T
  T=$LAB_DIR/test/$(date +%Y%m%d-%H%M%S)-$$
  mkdir -p "$T"
  local url=http://127.0.0.1:$SCEP_CORS_PORT/scep raw=http://127.0.0.1:$SCEP_RAW_PORT/scep
  local origin=${ORIGINS%% *} foreign=http://foreign.invalid:4173
  local pass=0 fail=0
  ok() { echo "  PASS $*"; pass=$((pass + 1)); }
  ko() { echo "  FAIL $*"; fail=$((fail + 1)); }
  hdr() { grep -i "^$1:" "$2" | head -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }
  local chal=()
  [ -n "$SCEP_CHALLENGE" ] && chal=(-challenge "$SCEP_CHALLENGE")

  # 1+2: enrolment through the proxy; the issued certificate chains to the CA
  local cn=lab-test-$$.example
  mkdir -p "$T/c1"
  if scepclient -server-url "$url" -private-key "$T/c1/key.pem" "${chal[@]}" -cn "$cn" -debug \
    >"$T/c1/scepclient.log" 2>&1 && [ -s "$T/c1/client.pem" ]; then
    ok "scepclient PKCSReq via nginx proxy (log: $T/c1/scepclient.log)"
    if openssl verify -CAfile "$CA_PEM" "$T/c1/client.pem" >"$T/c1/verify.log" 2>&1; then
      ok "issued cert verifies against CA: $(openssl x509 -in "$T/c1/client.pem" -noout -subject)"
    else
      ko "issued cert does not verify: $(cat "$T/c1/verify.log")"
    fi
  else
    ko "scepclient enrolment failed (log: $T/c1/scepclient.log)"
    ko "no issued certificate to verify"
  fi

  # 3: wrong challenge -> CertRep FAILURE / badRequest (or, without a challenge, any is accepted)
  mkdir -p "$T/c2"
  if [ -n "$SCEP_CHALLENGE" ]; then
    if scepclient -server-url "$url" -private-key "$T/c2/key.pem" -challenge "WRONG-$SCEP_CHALLENGE" \
      -cn "lab-wrong-$$.example" >"$T/c2/scepclient.log" 2>&1; then
      ko "wrong challenge was accepted"
    elif grep -q 'failInfo: badRequest' "$T/c2/scepclient.log"; then
      ok "wrong challenge rejected with pkiStatus FAILURE / failInfo badRequest"
    else
      ko "wrong challenge: unexpected failure (log: $T/c2/scepclient.log)"
    fi
  else
    if scepclient -server-url "$url" -private-key "$T/c2/key.pem" -challenge "anything" \
      -cn "lab-any-$$.example" >"$T/c2/scepclient.log" 2>&1 && [ -s "$T/c2/client.pem" ]; then
      ok "no challenge configured: an arbitrary challenge is accepted"
    else
      ko "no challenge configured but enrolment with an arbitrary challenge failed (log: $T/c2/scepclient.log)"
    fi
  fi

  # 4: preflight for an allowed origin
  local code
  code=$(curl -s -o /dev/null -D "$T/preflight.h" -w '%{http_code}' -X OPTIONS -H "Origin: $origin" \
    -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type' \
    "$url?operation=PKIOperation")
  if [ "$code" = 204 ] && [ "$(hdr Access-Control-Allow-Origin "$T/preflight.h")" = "$origin" ] &&
    hdr Access-Control-Allow-Headers "$T/preflight.h" | grep -qi content-type &&
    hdr Access-Control-Allow-Methods "$T/preflight.h" | grep -q POST; then
    ok "OPTIONS preflight allows $origin + Content-Type"
  else
    ko "OPTIONS preflight for $origin: HTTP $code, headers in $T/preflight.h"
  fi

  # 5: GetCACert through the proxy = the CA's DER, with Access-Control-Allow-Origin
  code=$(curl -s -o "$T/cacert.bin" -D "$T/cacert.h" -w '%{http_code}' -H "Origin: $origin" "$url?operation=GetCACert")
  if [ "$code" = 200 ] && cmp -s "$T/cacert.bin" "$CA_DER" &&
    [ "$(hdr Content-Type "$T/cacert.h")" = application/x-x509-ca-cert ] &&
    [ "$(hdr Access-Control-Allow-Origin "$T/cacert.h")" = "$origin" ]; then
    ok "GetCACert via proxy: DER (application/x-x509-ca-cert) + Access-Control-Allow-Origin"
  else
    ko "GetCACert via proxy: HTTP $code, headers $T/cacert.h, body $T/cacert.bin"
  fi

  # 6: a foreign origin gets no Access-Control-Allow-Origin (preflight nor GET)
  curl -s -o /dev/null -D "$T/foreign-pre.h" -X OPTIONS -H "Origin: $foreign" \
    -H 'Access-Control-Request-Method: POST' "$url?operation=PKIOperation"
  curl -s -o /dev/null -D "$T/foreign-get.h" -H "Origin: $foreign" "$url?operation=GetCACaps"
  if ! grep -qi '^access-control-allow-origin' "$T/foreign-pre.h" "$T/foreign-get.h"; then
    ok "foreign origin ($foreign) gets no Access-Control-Allow-Origin"
  else
    ko "foreign origin got Access-Control-Allow-Origin ($T/foreign-*.h)"
  fi

  # 7: the raw port is the bare server: no CORS header, OPTIONS 405
  code=$(curl -s -o /dev/null -D "$T/raw.h" -w '%{http_code}' -X OPTIONS -H "Origin: $origin" "$raw?operation=GetCACaps")
  if [ "$code" = 405 ] && ! grep -qi '^access-control-allow-origin' "$T/raw.h"; then
    ok "raw port has no CORS (OPTIONS 405, no Access-Control-Allow-Origin)"
  else
    ko "raw port: OPTIONS gave HTTP $code ($T/raw.h)"
  fi

  # 8: loopback only
  if check_loopback_only quiet; then
    ok "nothing of the lab listens on a non-loopback address; the namespace has only lo"
  else
    ko "something of the lab is reachable from outside (lab.sh status)"
  fi

  echo "$pass passed, $fail failed"
  ((fail == 0))
}

# ---------------------------------------------------------------- further components
# Peers with their own scripts (start|stop|status|test|reset), run beside the SCEP CA with the
# same LAB_DIR and CORS origins: lab/http-ca.sh (issue 10: enrollment profiles), lab/acme.sh
# (issue 10: pebble). `start` skips one whose WITH_* is 0; a component that fails is reported
# and the SCEP CA stays up.
EXTRA_COMPONENTS=(http-ca:WITH_HTTP_CA acme:WITH_ACME)
extras() { # command
  local e name var rc=0 failed=0
  for e in "${EXTRA_COMPONENTS[@]}"; do
    name=${e%%:*} var=${e#*:}
    [ -f "$SELF_DIR/$name.sh" ] || continue
    if [ "$1" = start ] && [ "${!var:-1}" != 1 ]; then continue; fi
    if [ "$1" != start ] && [ ! -d "$LAB_DIR/$name" ]; then continue; fi
    LAB_DIR=$LAB_DIR CORS_ORIGINS=${CORS_ORIGINS:-} CORS_ANY_LOCAL_PORT=${CORS_ANY_LOCAL_PORT:-0} bash "$SELF_DIR/$name.sh" "$1" || {
      rc=$?
      failed=1
      [ "$1" = status ] || say "$name: '$1' failed (exit $rc)"
    }
  done
  # only the black-box checks fail the command; elsewhere the SCEP CA is what counts
  [ "$1" != test ] || return $failed
}

# ---------------------------------------------------------------- main

set_paths
case ${1:-} in
start) cmd_start && extras start ;;
stop) extras stop && cmd_stop ;;
status) extras status; cmd_status ;;
test) cmd_test && extras test ;;
reset) extras reset && cmd_reset ;;
restart-ca) cmd_restart_ca ;;
pivcard) shift; exec bash "$SELF_DIR/pivcard.sh" "$@" ;; # the software PIV card lab (lab/pivcard.sh)
*)
  sed -n '3,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  [ -z "${1:-}" ] || [ "$1" = help ] || [ "$1" = -h ] || [ "$1" = --help ] || exit 2
  ;;
esac
