#!/usr/bin/env bash
# Local Apache Kafka 4.x broker for tests, the demo and CI: KRaft, one combined
# broker+controller node, PLAINTEXT on 127.0.0.1:9092 (controller on 127.0.0.1:9093).
#
#   scripts/kafka.sh install   resolve the broker jars with Maven into .cache/kafka/libs (skipped when present)
#   scripts/kafka.sh start     install if needed, format storage once, start in the background, wait until ready
#   scripts/kafka.sh stop      SIGTERM via pid file, SIGKILL after 20s
#   scripts/kafka.sh restart   stop + start, keeping the data
#   scripts/kafka.sh status    exit 0 when the broker answers on 127.0.0.1:9092
#   scripts/kafka.sh tool NAME|CLASS [ARGS...]
#                              run a Kafka CLI tool with the cached jars, e.g.
#                              scripts/kafka.sh tool topics --bootstrap-server 127.0.0.1:9092 --list
#                              (names: topics, console-producer, console-consumer, consumer-groups, storage)
#
# Files: jars in .cache/kafka/libs, data/config/pid/logs in .brokers/kafka (broker log:
# .brokers/kafka/logs/server.log, JVM stdout/stderr: .brokers/kafka/logs/kafka.out).
# Needs Java 17+ and Maven (first install only). Progress goes to stderr.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

HOST=127.0.0.1
PORT=9092
CONTROLLER_PORT=9093
START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"   # seconds
STOP_TIMEOUT=20                               # seconds before SIGKILL

POM="$SCRIPT_DIR/kafka/pom.xml"
LOG4J_CONF="$SCRIPT_DIR/kafka/log4j2.xml"
TOOLS_LOG4J_CONF="$SCRIPT_DIR/kafka/tools-log4j2.xml"
CACHE_DIR="$REPO_ROOT/.cache/kafka"
LIBS="$CACHE_DIR/libs"
STAMP="$LIBS/.installed"
STATE_DIR="$REPO_ROOT/.brokers/kafka"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
SERVER_LOG="$LOG_DIR/server.log"
OUT_LOG="$LOG_DIR/kafka.out"
CONFIG="$STATE_DIR/server.properties"
PID_FILE="$STATE_DIR/kafka.pid"
CLUSTER_ID_FILE="$STATE_DIR/cluster.id"
LOCK_FILE="$STATE_DIR/.lock"
OFFSET_FILE="$STATE_DIR/.log-offset"   # size of server.log when the current broker was launched

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"

log() { echo "[kafka] $*" >&2; }
die() { echo "[kafka] ERROR: $*" >&2; exit 1; }

# Exit 0 when something accepts TCP connections on host:port (bash /dev/tcp, 1s timeout).
port_open() {
  timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    echo "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "java not found (Kafka ${KAFKA_VERSION} needs Java 17+)"
  fi
}

check_java() {
  local java major
  java="$(java_bin)"
  major="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [[ -n "$major" && "$major" -ge 17 ]] || die "Kafka ${KAFKA_VERSION} needs Java 17+, found: $("$java" -version 2>&1 | head -n1)"
}

# Serialize install/start/stop between concurrent callers. fd 9 must not leak into the broker.
take_lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  if ! flock -w 300 9; then die "timed out waiting for $LOCK_FILE (another kafka.sh running?)"; fi
}

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

installed() {
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(pom_hash)" && -f "$LIBS/kafka_2.13-${KAFKA_VERSION}.jar" ]]
}

do_install() {
  if installed; then
    log "Kafka ${KAFKA_VERSION} jars already in ${LIBS#"$REPO_ROOT"/} (skipping Maven)"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed once to download the Kafka jars"
  check_java
  log "resolving Kafka ${KAFKA_VERSION} jars with Maven into ${LIBS#"$REPO_ROOT"/} ..."
  mkdir -p "$CACHE_DIR"
  local tmp="$CACHE_DIR/libs.tmp.$$"
  rm -rf "$tmp"
  local mvn_log="$CACHE_DIR/mvn.log"
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
    rm -rf "$tmp"
    tail -n 40 "$mvn_log" >&2 || true
    die "Maven could not resolve org.apache.kafka:kafka_2.13:${KAFKA_VERSION} (full log: $mvn_log)"
  fi
  [[ -f "$tmp/kafka_2.13-${KAFKA_VERSION}.jar" ]] || { rm -rf "$tmp"; die "Maven finished but kafka_2.13-${KAFKA_VERSION}.jar is missing"; }
  pom_hash >"$tmp/.installed"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  log "installed $(find "$LIBS" -name '*.jar' | wc -l) jars"
}

# pid of our broker, from the pid file, only if that process is alive and really is our broker.
broker_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  is_our_broker "$pid" || return 1
  echo "$pid"
}

# Is this pid a java process running kafka.Kafka with our config file?
is_our_broker() {
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *java* && "$cmdline" == *"kafka.Kafka $CONFIG"* ]]
}

# Fallback when the pid file is gone: a java process started with our exact config path.
find_broker_pids() {
  local p
  for p in /proc/[0-9]*; do
    is_our_broker "${p#/proc/}" && echo "${p#/proc/}"
  done
  return 0
}

write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  cat >"$CONFIG" <<EOF
# Generated by scripts/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=${HOST}:${CONTROLLER_PORT}
listeners=PLAINTEXT://${HOST}:${PORT},CONTROLLER://${HOST}:${CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://${HOST}:${PORT},CONTROLLER://${HOST}:${CONTROLLER_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${DATA_DIR}

# Topics are created on first use, 3 partitions each.
auto.create.topics.enable=true
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
delete.topic.enable=true

# Single node: every internal topic has one replica, and few partitions so they are created fast.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Consumer groups: no initial rebalance delay (fast tests).
group.initial.rebalance.delay.ms=0

# Small machine.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=104857600
EOF
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local java cid
  java="$(java_bin)"
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    cid="$(cat "$CLUSTER_ID_FILE")"
  else
    cid="$("$java" -cp "$LIBS/*" -Dlog4j2.configurationFile="$TOOLS_LOG4J_CONF" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    [[ -n "$cid" ]] || die "could not generate a cluster id with kafka.tools.StorageTool"
    echo "$cid" >"$CLUSTER_ID_FILE"
  fi
  log "formatting storage in ${DATA_DIR#"$REPO_ROOT"/} (cluster id $cid)"
  local out
  if ! out="$("$java" -cp "$LIBS/*" -Dlog4j2.configurationFile="$TOOLS_LOG4J_CONF" \
        kafka.tools.StorageTool format --standalone -t "$cid" -c "$CONFIG" 2>&1)"; then
    echo "$out" >&2
    die "kafka.tools.StorageTool format failed"
  fi
}

log_tail() {
  echo "----- last lines of ${SERVER_LOG#"$REPO_ROOT"/} -----" >&2
  tail -n 40 "$SERVER_LOG" >&2 2>/dev/null || true
  if [[ -s "$OUT_LOG" ]]; then
    echo "----- last lines of ${OUT_LOG#"$REPO_ROOT"/} -----" >&2
    tail -n 20 "$OUT_LOG" >&2 || true
  fi
  echo "-----" >&2
}

# Wait until the port accepts connections and the broker logged that it finished starting
# (looking only at log output written after byte offset $2).
wait_ready() {
  local pid="$1" offset="$2" start=$SECONDS
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail
      rm -f "$PID_FILE"
      die "broker process $pid exited during startup"
    fi
    if port_open "$HOST" "$PORT" \
       && tail -c +"$((offset + 1))" "$SERVER_LOG" 2>/dev/null | grep -q 'Kafka Server started'; then
      return 0
    fi
    if (( SECONDS - start >= START_TIMEOUT )); then
      log_tail
      log "not ready after ${START_TIMEOUT}s; stopping pid $pid"
      stop_pid "$pid"
      rm -f "$PID_FILE"
      die "Kafka did not become ready on ${HOST}:${PORT} within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
}

do_start() {
  local t0=$SECONDS pid
  if port_open "$HOST" "$PORT"; then
    log "already running on ${HOST}:${PORT}"
    return 0
  fi
  if pid="$(broker_pid)"; then
    # Started but not listening yet (e.g. a concurrent start): just wait for it.
    log "broker pid $pid is starting; waiting"
    wait_ready "$pid" "$(cat "$OFFSET_FILE" 2>/dev/null || echo 0)"
    log "ready on ${HOST}:${PORT}"
    return 0
  fi
  rm -f "$PID_FILE"
  if port_open "$HOST" "$CONTROLLER_PORT"; then
    die "port ${CONTROLLER_PORT} is taken by another process (not this script's broker)"
  fi

  do_install
  check_java
  write_config
  format_storage

  local offset=0
  [[ -f "$SERVER_LOG" ]] && offset="$(stat -c %s "$SERVER_LOG")"
  echo "$offset" >"$OFFSET_FILE"
  local java
  java="$(java_bin)"
  log "starting Kafka ${KAFKA_VERSION} (KRaft, broker+controller) on ${HOST}:${PORT}"
  echo "=== $(date -Is) start ===" >>"$OUT_LOG"
  # setsid: own session, so the broker survives the caller's process group being killed.
  # 9>&-: don't hand the start/stop lock to the broker.
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    nohup "$java" -Xms256m -Xmx512m \
      -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
      -Dkafka.logs.dir="$LOG_DIR" -Dlog4j2.configurationFile="$LOG4J_CONF" \
      -cp "$LIBS/*" kafka.Kafka "$CONFIG" \
    </dev/null >>"$OUT_LOG" 2>&1 9>&- &
  local i
  for i in $(seq 1 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.1; done
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || die "could not launch the broker (no pid file)"
  wait_ready "$pid" "$offset"
  log "ready on ${HOST}:${PORT} (pid $pid, $((SECONDS - t0))s)"
}

# SIGTERM, wait up to STOP_TIMEOUT seconds, then SIGKILL.
stop_pid() {
  local pid="$1" start=$SECONDS
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS - start >= STOP_TIMEOUT )); then
      log "pid $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
}

do_stop() {
  local pids pid
  if pid="$(broker_pid)"; then
    pids="$pid"
  else
    pids="$(find_broker_pids)"
  fi
  if [[ -z "$pids" ]]; then
    rm -f "$PID_FILE"
    if port_open "$HOST" "$PORT"; then
      die "something answers on ${HOST}:${PORT} but it was not started by this script; not stopping it"
    fi
    log "not running"
    return 0
  fi
  for pid in $pids; do
    log "stopping pid $pid"
    stop_pid "$pid"
  done
  rm -f "$PID_FILE"
  local start=$SECONDS
  while port_open "$HOST" "$PORT"; do
    (( SECONDS - start < 10 )) || die "port ${PORT} still answers after stopping the broker"
    sleep 0.2
  done
  log "stopped"
}

do_status() {
  local pid
  if port_open "$HOST" "$PORT"; then
    if pid="$(broker_pid)"; then
      echo "kafka: running on ${HOST}:${PORT} (pid $pid, Kafka ${KAFKA_VERSION}, data ${DATA_DIR#"$REPO_ROOT"/})"
    else
      echo "kafka: something answers on ${HOST}:${PORT} (not started by this script)"
    fi
    return 0
  fi
  if pid="$(broker_pid)"; then
    echo "kafka: starting (pid $pid, port ${PORT} not open yet)"
  else
    echo "kafka: not running"
  fi
  return 1
}

do_tool() {
  [[ $# -ge 1 ]] || die "usage: $0 tool NAME|CLASS [ARGS...]"
  local cls="$1"; shift
  case "$cls" in
    topics)           cls=org.apache.kafka.tools.TopicCommand ;;
    console-producer) cls=org.apache.kafka.tools.ConsoleProducer ;;
    console-consumer) cls=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    consumer-groups)  cls=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    storage)          cls=kafka.tools.StorageTool ;;
  esac
  installed || die "Kafka jars are not installed; run: $0 install"
  exec "$(java_bin)" -Xmx256m -Dlog4j2.configurationFile="$TOOLS_LOG4J_CONF" -cp "$LIBS/*" "$cls" "$@"
}

cmd="${1:-}"
case "$cmd" in
  install) take_lock; do_install ;;
  start)   take_lock; do_start ;;
  stop)    take_lock; do_stop ;;
  restart) take_lock; do_stop; do_start ;;
  status)  do_status ;;
  tool)    shift; do_tool "$@" ;;
  *) echo "usage: $0 install|start|stop|restart|status|tool NAME|CLASS [ARGS...]" >&2; exit 2 ;;
esac
