#!/usr/bin/env bash
# Local RabbitMQ for tests, the demo and CI: Debian's rabbitmq-server package, AMQP on port 5672,
# default user guest/guest (loopback only).
#
#   scripts/rabbitmq.sh install   apt-get install rabbitmq-server, only when the binary is missing
#   scripts/rabbitmq.sh start     install if needed, `rabbitmq-server -detached`, wait until ready
#   scripts/rabbitmq.sh stop      rabbitmqctl shutdown (waits for the node to exit)
#   scripts/rabbitmq.sh restart   stop + start (queues and messages of durable queues are kept)
#   scripts/rabbitmq.sh status    exit 0 when the node answers ping and port 5672 accepts connections
#
# Must run as root (apt, and the Debian wrappers switch to the rabbitmq user themselves).
# Node data: /var/lib/rabbitmq, logs: /var/log/rabbitmq. Progress goes to stderr.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

HOST=127.0.0.1
PORT=5672
START_TIMEOUT="${RABBITMQ_START_TIMEOUT:-90}"   # seconds
STATE_DIR="$REPO_ROOT/.brokers/rabbitmq"
LOCK_FILE="$STATE_DIR/.lock"
APT_LOG="$STATE_DIR/apt.log"

log() { echo "[rabbitmq] $*" >&2; }
die() { echo "[rabbitmq] ERROR: $*" >&2; exit 1; }

# Exit 0 when something accepts TCP connections on host:port (bash /dev/tcp, 1s timeout).
port_open() {
  timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# Serialize install/start/stop between concurrent callers. Every RabbitMQ/Erlang command is run
# with fd 9 closed (`9>&-`) so that long-lived daemons (beam, epmd) never inherit the lock.
take_lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  if ! flock -w 600 9; then die "timed out waiting for $LOCK_FILE (another rabbitmq.sh running?)"; fi
}

ping_ok() {
  timeout 30 rabbitmq-diagnostics -q ping >/dev/null 2>&1 9>&-
}

installed() { command -v rabbitmq-server >/dev/null 2>&1; }

version() { dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo unknown; }

apt_candidate_known() {
  local c
  c="$(apt-cache policy rabbitmq-server 2>/dev/null | sed -n 's/^ *Candidate: *//p')"
  [[ -n "$c" && "$c" != "(none)" ]]
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 rabbitmq-server \
    >>"$APT_LOG" 2>&1 9>&-
}

apt_update() {
  log "apt-get update ..."
  DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 >>"$APT_LOG" 2>&1 9>&- \
    || { tail -n 30 "$APT_LOG" >&2; die "apt-get update failed (full log: $APT_LOG)"; }
}

do_install() {
  if installed; then
    log "rabbitmq-server $(version) already installed"
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || die "installing rabbitmq-server needs root"
  command -v apt-get >/dev/null 2>&1 || die "rabbitmq-server is missing and apt-get is not available"
  mkdir -p "$STATE_DIR"
  : >"$APT_LOG"

  # No init system here: keep the package's maintainer scripts from starting the service
  # (invoke-rc.d honours policy-rc.d exit 101 = "action forbidden"). Only create the file when
  # there is none, and remove only what we created.
  local created_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# temporary, created by tracewire scripts/rabbitmq.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi

  apt_candidate_known || apt_update
  log "apt-get install rabbitmq-server (Erlang included; can take a minute) ..."
  if ! apt_install; then
    # Stale package lists (404 on a superseded version) are the usual cause: refresh once and retry.
    log "install failed; refreshing package lists and retrying"
    apt_update
    apt_install || { tail -n 40 "$APT_LOG" >&2; die "apt-get install rabbitmq-server failed (full log: $APT_LOG)"; }
  fi
  if [[ -n "$created_policy" ]]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
  installed || die "rabbitmq-server was installed but the binary is not on PATH"
  # If the package's scripts managed to start a node anyway, that's fine: start() will see it.
  log "installed rabbitmq-server $(version)"
}

node_log_tail() {
  local f
  for f in /var/log/rabbitmq/rabbit@*.log /var/log/rabbitmq/*startup_log /var/log/rabbitmq/*startup_err; do
    [[ -s "$f" ]] || continue
    echo "----- last lines of $f -----" >&2
    tail -n 30 "$f" >&2 || true
  done
  echo "-----" >&2
}

wait_ready() {
  local start=$SECONDS
  while :; do
    if port_open "$HOST" "$PORT" && ping_ok; then
      return 0
    fi
    if (( SECONDS - start >= START_TIMEOUT )); then
      node_log_tail
      die "RabbitMQ did not become ready on ${HOST}:${PORT} within ${START_TIMEOUT}s"
    fi
    sleep 1
  done
}

# Debian's wrapper starts the node through `su rabbitmq`, whose PAM session resets the open-files
# limit to 1024. A node that recovers more durable queues than that (test shops over months) waits
# for file handles and never becomes ready, so as root the node gets the hard limit instead.
start_server() {
  local server=/usr/lib/rabbitmq/bin/rabbitmq-server
  if [[ $(id -u) -eq 0 && -x "$server" ]] && id -u rabbitmq >/dev/null 2>&1; then
    su rabbitmq -s /bin/sh -c "ulimit -n \"\$(ulimit -Hn)\" 2>/dev/null; cd /var/lib/rabbitmq && exec $server -detached"
  else
    rabbitmq-server -detached
  fi
}

do_start() {
  local t0=$SECONDS
  if port_open "$HOST" "$PORT"; then
    if ping_ok; then
      log "already running on ${HOST}:${PORT}"
      return 0
    fi
    log "port ${PORT} answers but the node does not answer ping yet; waiting"
    wait_ready
    log "ready on ${HOST}:${PORT}"
    return 0
  fi
  do_install
  if ping_ok; then
    log "node is up but port ${PORT} is not open yet; waiting"
  else
    log "starting rabbitmq-server $(version)"
    start_server </dev/null >/dev/null 2>&1 9>&- \
      || { node_log_tail; die "rabbitmq-server -detached failed"; }
  fi
  wait_ready
  log "ready on ${HOST}:${PORT} ($((SECONDS - t0))s)"
}

do_stop() {
  if ! installed; then
    log "not installed, nothing to stop"
    return 0
  fi
  if ! ping_ok; then
    if port_open "$HOST" "$PORT"; then
      die "something answers on ${HOST}:${PORT} but the local RabbitMQ node does not answer ping; not stopping it"
    fi
    log "not running"
    return 0
  fi
  log "stopping (rabbitmqctl shutdown)"
  if ! timeout 60 rabbitmqctl -q shutdown >/dev/null 2>&1 9>&-; then
    timeout 60 rabbitmqctl -q stop >/dev/null 2>&1 9>&- || true
  fi
  local start=$SECONDS
  while port_open "$HOST" "$PORT" || ping_ok; do
    (( SECONDS - start < 30 )) || die "RabbitMQ still running 30s after shutdown"
    sleep 1
  done
  log "stopped"
}

do_status() {
  if ! installed; then
    echo "rabbitmq: not installed"
    return 1
  fi
  if port_open "$HOST" "$PORT"; then
    if ping_ok; then
      echo "rabbitmq: running on ${HOST}:${PORT} (rabbitmq-server $(version), guest/guest)"
      return 0
    fi
    echo "rabbitmq: port ${PORT} answers but the node does not answer ping"
    return 1
  fi
  if ping_ok; then
    echo "rabbitmq: node up, port ${PORT} not open yet (starting?)"
  else
    echo "rabbitmq: not running"
  fi
  return 1
}

cmd="${1:-}"
case "$cmd" in
  install) take_lock; do_install ;;
  start)   take_lock; do_start ;;
  stop)    take_lock; do_stop ;;
  restart) take_lock; do_stop; do_start ;;
  status)  do_status ;;
  *) echo "usage: $0 install|start|stop|restart|status" >&2; exit 2 ;;
esac
