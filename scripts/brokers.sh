#!/usr/bin/env bash
# One entry point for the local message brokers used by tests, the demo and CI.
#
#   scripts/brokers.sh start     start Kafka (127.0.0.1:9092) and RabbitMQ (127.0.0.1:5672);
#                                installs them on first use; does nothing for a broker that already answers
#   scripts/brokers.sh stop      stop both
#   scripts/brokers.sh restart   stop + start both (data kept)
#   scripts/brokers.sh status    one line per broker on stdout; exit 0 only when both answer
#   scripts/brokers.sh install   install both without starting them
#
# Both brokers are handled in parallel by scripts/kafka.sh and scripts/rabbitmq.sh; progress
# lines (prefixed [kafka] / [rabbitmq]) go to stderr. Exits non-zero, naming the broker, if either fails.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "[brokers] $*" >&2; }

# Run the same action on both brokers in parallel; fail if either failed.
both() {
  local action="$1" t0=$SECONDS kpid rpid krc=0 rrc=0
  bash "$SCRIPT_DIR/kafka.sh" "$action" &
  kpid=$!
  bash "$SCRIPT_DIR/rabbitmq.sh" "$action" &
  rpid=$!
  wait "$kpid" || krc=$?
  wait "$rpid" || rrc=$?
  local failed=()
  (( krc == 0 )) || failed+=("kafka (exit $krc)")
  (( rrc == 0 )) || failed+=("rabbitmq (exit $rrc)")
  if (( ${#failed[@]} > 0 )); then
    log "ERROR: '$action' failed for: ${failed[*]} (see the messages above)"
    return 1
  fi
  log "$action: done ($((SECONDS - t0))s)"
}

status() {
  local rc=0
  bash "$SCRIPT_DIR/kafka.sh" status || rc=1
  bash "$SCRIPT_DIR/rabbitmq.sh" status || rc=1
  return "$rc"
}

case "${1:-}" in
  start|stop|restart|install) both "$1" ;;
  status) status ;;
  *) echo "usage: $0 start|stop|restart|status|install" >&2; exit 2 ;;
esac
