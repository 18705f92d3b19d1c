# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted $ strings are meant for sh -c
# Process bookkeeping for the lab's component scripts (lab/http-ca.sh, lab/acme.sh), the same
# discipline as lab/lab.sh: every server is started as `setsid sh -c 'echo $$ >pidfile; exec …'`
# so the recorded PID is the server itself; its exact /proc/PID/cmdline is recorded too, and a
# server is stopped only if its PID still shows that command line (a recycled PID is never
# killed). Sourced, not run. The caller sets RUN (pid files) and LOGS (log files).

d_say() { echo "${D_NAME:-lab}: $*"; }
d_die() { echo "${D_NAME:-lab}: $*" >&2; exit 1; }

# cmp cannot compare /proc/PID/cmdline directly (its st_size is 0): read it through a pipe.
d_cmdline_is() { # pid file
  # shellcheck disable=SC2002
  [ -r "/proc/$1/cmdline" ] && cat "/proc/$1/cmdline" 2>/dev/null | cmp -s - "$2"
}

d_alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st%% *}" != Z ]
}

d_pid_of() { local f=$RUN/$1.pid; if [ -s "$f" ]; then tr -dc '0-9' <"$f"; fi; }

d_is_up() { # name
  local pid
  pid=$(d_pid_of "$1")
  [ -n "$pid" ] && [ -f "$RUN/$1.cmdline" ] && d_cmdline_is "$pid" "$RUN/$1.cmdline"
}

# d_wanted name want-text: true when the component runs and was started with exactly this
# configuration (its command line plus whatever else the caller puts in want-text).
d_wanted() { d_is_up "$1" && [ -f "$RUN/$1.want" ] && [ "$(cat "$RUN/$1.want")" = "$2" ]; }

# d_launch name want-text cmdline-argv... -- exec-argv...
#   cmdline-argv: what /proc/PID/cmdline will hold (nginx rewrites its own: pass that form)
#   exec-argv:    what to run (the environment of the caller is inherited)
d_launch() {
  local name=$1 want=$2
  shift 2
  local cmd=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do cmd+=("$1"); shift; done
  shift
  local pidf=$RUN/$name.pid log=$LOGS/$name.log
  rm -f "$pidf"
  printf '%s\0' "${cmd[@]}" >"$RUN/$name.cmdline"
  printf '%s' "$want" >"$RUN/$name.want"
  echo "--- $(date -u +%FT%TZ) start: $*" >>"$log"
  (exec setsid sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidf" "$@" </dev/null >>"$log" 2>&1 9>&- &)
  local i pid=
  for ((i = 0; i < 200; i++)); do
    pid=$(d_pid_of "$name")
    if [ -n "$pid" ] && d_cmdline_is "$pid" "$RUN/$name.cmdline"; then return 0; fi
    if [ -n "$pid" ] && ! d_alive "$pid"; then break; fi
    sleep 0.05
  done
  echo "${D_NAME:-lab}: $name did not start; last lines of $log:" >&2
  tail -n 15 "$log" >&2
  exit 1
}

d_group_members() { ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g && $1 != g { print $1 }'; }

# TERM the recorded PID if its cmdline matches (KILL after 5 s), then the remaining members of
# its process group (fcgiwrap's and nginx's children), each checked again.
d_stop() { # name
  local name=$1 pid
  pid=$(d_pid_of "$name")
  if [ -z "$pid" ]; then rm -f "$RUN/$name.pid"; return 0; fi
  if ! d_cmdline_is "$pid" "$RUN/$name.cmdline"; then
    d_say "$name: pid $pid is gone or is another program now; not killing it"
    rm -f "$RUN/$name.pid"
    return 0
  fi
  local kids k
  kids=$(d_group_members "$pid")
  declare -A kid_cmd=()
  for k in $kids; do kid_cmd[$k]=$(tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null || true); done
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do d_alive "$pid" || break; sleep 0.05; done
  if d_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do d_alive "$pid" || break; sleep 0.05; done
  fi
  for k in $kids; do
    if d_alive "$k" && [ "$(tr '\0' ' ' <"/proc/$k/cmdline" 2>/dev/null)" = "${kid_cmd[$k]}" ] &&
      [ "$(ps -o pgid= -p "$k" | tr -d ' ')" = "$pid" ]; then
      kill -KILL "$k" 2>/dev/null || true
    fi
  done
  rm -f "$RUN/$name.pid"
  echo "stopped $name (pid $pid)"
}

d_port_free_or_ours() { # port component
  d_is_up "$2" && return 0
  local l
  l=$(ss -ltnpH "sport = :$1" 2>/dev/null || true)
  [ -z "$l" ] || d_die "port $1 is already in use (needed by $2):"$'\n'"$l"
}

d_check_port() { # value what
  if ! [[ $1 =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > 65535)); then d_die "$2: bad port '$1'"; fi
}

# Listening sockets of the given PIDs (and their group members) must all be on loopback.
d_loopback_only() { # pid...
  local pids=" " p line addr bad=0
  for p in "$@"; do pids+="$p $(d_group_members "$p" | tr '\n' ' ')"; done
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    while IFS= read -r p; do
      case $pids in *" $p "*) ;; *) continue ;; esac
      addr=$(awk '{print $4}' <<<"$line")
      case $addr in 127.* | "[::1]:"* | "::1:"*) ;; *) bad=1; echo "  NOT LOOPBACK: $line" ;; esac
      break
    done < <(grep -o 'pid=[0-9]*' <<<"$line" | cut -d= -f2)
  done < <(ss -ltnpH 2>/dev/null; ss -lunpH 2>/dev/null)
  return $bad
}

# apt-get install of missing Debian packages (root only), with no service started meanwhile.
d_ensure_packages() { # command:package ...
  local e c p missing=()
  for e in "$@"; do
    c=${e%%:*} p=${e#*:}
    if ! command -v "$c" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$c" ] && ! [ -x "/sbin/$c" ]; then
      case " ${missing[*]-} " in *" $p "*) ;; *) missing+=("$p") ;; esac
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  [ "$(id -u)" = 0 ] || d_die "missing Debian packages: ${missing[*]} (run as root once, or: apt-get install --no-install-recommends ${missing[*]})"
  d_say "installing ${missing[*]} ..."
  local made_policy=0 rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, from trustpoint lab: no service starts during install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  } || rc=$?
  if ((made_policy)); then rm -f /usr/sbin/policy-rc.d; fi
  ((rc == 0)) || d_die "apt-get failed (exit $rc)"
}

# The CORS origins of the lab (lab/lab.sh's defaults plus CORS_ORIGINS) and the nginx map
# lines for them (plus, with CORS_ANY_LOCAL_PORT=1, every http://127.0.0.1:<port> and localhost).
D_DEFAULT_ORIGINS="http://localhost:4173 http://127.0.0.1:4173 http://localhost:5173 http://127.0.0.1:5173"
d_origin_map() {
  local o seen=" " out=""
  for o in $D_DEFAULT_ORIGINS ${CORS_ORIGINS:-}; do
    [[ $o =~ ^https?://[A-Za-z0-9.-]+(:[0-9]+)?$ || $o =~ ^https?://\[[0-9A-Fa-f:]+\](:[0-9]+)?$ ]] || d_die "CORS_ORIGINS: '$o' is not an origin"
    case $seen in *" $o "*) continue ;; esac
    seen+="$o "
    out+="        \"$o\" \$http_origin;"$'\n'
  done
  if [ "${CORS_ANY_LOCAL_PORT:-0}" = 1 ]; then out+='        "~^http://(127\.0\.0\.1|localhost):[0-9]+$" $http_origin;'$'\n'; fi
  printf '%s' "$out"
}
