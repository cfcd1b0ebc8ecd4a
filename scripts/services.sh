#!/usr/bin/env bash
# Local servers for tests, examples and benchmarks, on loopback only, each in its own directory under .services/.
#
#   bash scripts/services.sh up [name...]            install what is missing, start, wait until each answers
#   bash scripts/services.sh down [--hard] [name...] stop (--hard: kill -9, for fault tests)
#   bash scripts/services.sh status                  which servers answer
#   bash scripts/services.sh logs [name]             the end of a server's log
#
# Names: pg-local pg-backup mariadb redis kafka mongo (none named: all).
# `up` writes the connection URLs to .services/services.env. A URL set in the environment (PG_LOCAL_URL,
# PG_BACKUP_URL, MYSQL_URL, REDIS_URL, KAFKA_BROKERS, MONGO_URL) that differs from the one this script would write
# means that server is external: it is neither installed, started nor stopped here, and the given URL is written
# instead. A URL equal to the default (as a process that loaded services.env has) still means the managed server.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="$ROOT/.services"
ALL=(pg-local pg-backup mariadb redis kafka mongo)
PG_BIN=/usr/lib/postgresql/15/bin

mkdir -p "$STATE"
chmod 755 "$STATE"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

port_of() {
  case "$1" in
    pg-local) echo 55432 ;; pg-backup) echo 55433 ;; mariadb) echo 33307 ;;
    redis) echo 16379 ;; kafka) echo 19092 ;; mongo) echo 27018 ;;
    *) die "unknown service '$1' (known: ${ALL[*]})" ;;
  esac
}

url_var_of() {
  case "$1" in
    pg-local) echo PG_LOCAL_URL ;; pg-backup) echo PG_BACKUP_URL ;; mariadb) echo MYSQL_URL ;;
    redis) echo REDIS_URL ;; kafka) echo KAFKA_BROKERS ;; mongo) echo MONGO_URL ;;
  esac
}

default_url_of() {
  local port
  port="$(port_of "$1")"
  case "$1" in
    pg-local | pg-backup) echo "postgres://worker_sync:worker_sync@127.0.0.1:$port/worker_sync" ;;
    mariadb) echo "mysql://worker_sync:worker_sync@127.0.0.1:$port/worker_sync" ;;
    redis) echo "redis://127.0.0.1:$port" ;;
    kafka) echo "127.0.0.1:$port" ;;
    mongo) echo "mongodb://127.0.0.1:$port/?directConnection=true" ;;
  esac
}

is_external() {
  local var
  var="$(url_var_of "$1")"
  [[ -n "${!var:-}" && "${!var}" != "$(default_url_of "$1")" ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sends raw bytes to a loopback port and prints the first $3 bytes of the answer as hex (empty if none in 3 s).
exchange_hex() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "$2" >&3 && head -c "$3" <&3 | od -An -tx1 | tr -d " \n"' \
    _ "$1" "$2" "$3" 2>/dev/null || true
}

wait_until() {
  local what="$1" seconds="$2" logfile="$3"
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      die "$what did not answer within ${seconds}s; see $logfile (or: bash scripts/services.sh logs $what)"
    fi
    sleep 0.5
  done
}

# --- installation ----------------------------------------------------------------------------------------------

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]}"
  if ((APT_UPDATED == 0)); then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Debian's packages start their own default servers; ours run on other ports, so theirs are stopped.
stop_distribution_service() {
  command -v service >/dev/null 2>&1 && service "$1" stop >/dev/null 2>&1 || true
}

maven_libs() {
  local name="$1" dir="$ROOT/services/$1"
  if [[ ! -f "$dir/lib/.complete" ]]; then
    log "resolving $name jars from Maven Central"
    command -v mvn >/dev/null 2>&1 || apt_install maven
    (cd "$dir" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime)
    touch "$dir/lib/.complete"
  fi
}

# --- PostgreSQL ------------------------------------------------------------------------------------------------

pg_answers() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1"; }

# A server's Unix socket lives in its folder unless that path is too long for a socket address (107 bytes).
socket_dir_of() {
  local dir="$STATE/$1"
  if ((${#dir} > 80)); then dir="/tmp/worker-sync-$(printf '%s' "$dir" | md5sum | cut -c1-12)"; fi
  echo "$dir"
}

pg_up() {
  local name="$1" port dir
  port="$(port_of "$name")"
  dir="$STATE/$name"
  apt_install postgresql-15 postgresql-15-wal2json
  stop_distribution_service postgresql
  if pg_answers "$port"; then pg_configure "$name"; return 0; fi
  local socket_dir
  socket_dir="$(socket_dir_of "$name")"
  mkdir -p "$dir" "$socket_dir"
  chown postgres:postgres "$dir" "$socket_dir"
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    log "initialising $name"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
      die "initdb for $name failed; see $dir/initdb.log"
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$socket_dir'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
max_connections = 200
wal_sender_timeout = 60s
fsync = on
shared_buffers = 128MB
EOF
    echo "host all all 127.0.0.1/32 scram-sha-256" >"$dir/data/pg_hba.conf"
    echo "host replication all 127.0.0.1/32 scram-sha-256" >>"$dir/data/pg_hba.conf"
    echo "local all postgres trust" >>"$dir/data/pg_hba.conf"
  fi
  log "starting $name on 127.0.0.1:$port"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 9>&- ||
    die "$name did not start; see $dir/server.log"
  wait_until "$name" 60 "$dir/server.log" pg_answers "$port"
  pg_configure "$name"
}

# Idempotent, so it also brings a server started by an older version of this script up to date.
# worker_sync is a SUPERUSER to keep tests simple (publications, replication origins, slots); production roles need less.
# output_plugin_libraries exists only on minor releases that restrict output plugins; wal2json is allowed where it does.
pg_configure() {
  local name="$1" port dir socket_dir
  port="$(port_of "$name")"
  dir="$STATE/$name"
  socket_dir="$(socket_dir_of "$name")"
  if [[ ! -S "$socket_dir/.s.PGSQL.$port" ]]; then
    # Started from another checkout (its socket lives there): that tree's script configured it.
    log "$name answers on 127.0.0.1:$port but was started elsewhere; left as it is"
    return 0
  fi
  runuser -u postgres -- "$PG_BIN/psql" -h "$socket_dir" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 <<'SQL' >/dev/null ||
SELECT 'CREATE ROLE worker_sync LOGIN SUPERUSER REPLICATION PASSWORD ''worker_sync'''
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'worker_sync') \gexec
SELECT 'CREATE DATABASE worker_sync OWNER worker_sync'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'worker_sync') \gexec
SELECT 'ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json'
  WHERE EXISTS (SELECT FROM pg_settings WHERE name = 'output_plugin_libraries')
    AND current_setting('output_plugin_libraries') NOT LIKE '%wal2json%' \gexec
SELECT pg_reload_conf();
SQL
    die "configuring $name failed; see $dir/server.log"
}

pg_down() {
  local dir="$STATE/$1" hard="$2"
  [[ -f "$dir/data/postmaster.pid" ]] || return 0
  if [[ "$hard" == 1 ]]; then
    # The postmaster and its backends: a backend left attached to shared memory would block the next start.
    local pid children
    pid="$(head -1 "$dir/data/postmaster.pid")"
    # From /proc rather than pgrep, which a minimal machine may lack.
    children="$(awk -v parent="$pid" '$1 == "PPid:" && $2 == parent { split(FILENAME, part, "/"); print part[3] }' \
      /proc/[0-9]*/status 2>/dev/null || true)"
    kill -9 "$pid" $children 2>/dev/null || true
    for _ in $(seq 1 60); do
      local alive=0 p
      for p in $pid $children; do kill -0 "$p" 2>/dev/null && alive=1; done
      ((alive)) || break
      sleep 0.2
    done
  else
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# --- MariaDB ---------------------------------------------------------------------------------------------------

mariadb_answers() { mariadb-admin --protocol=tcp -h 127.0.0.1 -P "$(port_of mariadb)" -u root ping >/dev/null 2>&1; }

mariadb_up() {
  local dir="$STATE/mariadb" port
  port="$(port_of mariadb)"
  apt_install mariadb-server mariadb-client
  stop_distribution_service mariadb
  if mariadb_answers; then return 0; fi
  mkdir -p "$dir" "$(socket_dir_of mariadb)"
  cat >"$dir/my.cnf" <<EOF
[mysqld]
datadir=$dir/data
port=$port
bind-address=127.0.0.1
socket=$(socket_dir_of mariadb)/mysqld.sock
pid-file=$dir/mysqld.pid
log_error=$dir/server.log
user=root
log_bin=$dir/data/mariadb-bin
binlog_format=ROW
binlog_row_image=FULL
server_id=1
gtid_strict_mode=ON
log_slave_updates=ON
innodb_buffer_pool_size=128M
skip-name-resolve
EOF
  if [[ ! -d "$dir/data/mysql" ]]; then
    log "initialising mariadb"
    mariadb-install-db --defaults-file="$dir/my.cnf" --auth-root-authentication-method=normal \
      --skip-test-db >"$dir/install.log" 2>&1 || die "mariadb-install-db failed; see $dir/install.log"
  fi
  log "starting mariadb on 127.0.0.1:$port"
  nohup mariadbd --defaults-file="$dir/my.cnf" >/dev/null 2>&1 9>&- &
  wait_until mariadb 60 "$dir/server.log" mariadb_answers
  mariadb --protocol=tcp -h 127.0.0.1 -P "$port" -u root <<'SQL'
CREATE DATABASE IF NOT EXISTS worker_sync;
CREATE USER IF NOT EXISTS 'worker_sync'@'%' IDENTIFIED BY 'worker_sync';
CREATE USER IF NOT EXISTS 'worker_sync'@'localhost' IDENTIFIED BY 'worker_sync';
GRANT ALL PRIVILEGES ON *.* TO 'worker_sync'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'worker_sync'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
}

mariadb_down() {
  local pidfile="$STATE/mariadb/mysqld.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if [[ "$1" == 1 ]]; then kill -9 "$pid" 2>/dev/null || true; else kill "$pid" 2>/dev/null || true; fi
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  rm -f "$pidfile"
}

# --- Redis -----------------------------------------------------------------------------------------------------

redis_answers() { [[ "$(redis-cli -h 127.0.0.1 -p "$(port_of redis)" ping 2>/dev/null)" == PONG ]]; }

redis_up() {
  local dir="$STATE/redis"
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  stop_distribution_service redis-server
  if redis_answers; then return 0; fi
  mkdir -p "$dir"
  log "starting redis on 127.0.0.1:$(port_of redis)"
  redis-server --bind 127.0.0.1 --port "$(port_of redis)" --dir "$dir" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/server.log" 9>&-
  wait_until redis 30 "$dir/server.log" redis_answers
}

pidfile_down() {
  local pidfile="$1" hard="$2"
  [[ -f "$pidfile" ]] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if [[ "$hard" == 1 ]]; then kill -9 "$pid" 2>/dev/null || true; else kill "$pid" 2>/dev/null || true; fi
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  rm -f "$pidfile"
}

# --- Kafka (KRaft, single node, jars from Maven Central) -------------------------------------------------------

# Kafka ApiVersions v0 (correlation id 1, client "ws"): the answer echoes id 1 with error code 0 once the broker serves.
kafka_answers() {
  local hex
  hex="$(exchange_hex "$(port_of kafka)" '\x00\x00\x00\x0c\x00\x12\x00\x00\x00\x00\x00\x01\x00\x02ws' 10)"
  [[ "${hex:8:12}" == 000000010000 ]]
}

kafka_up() {
  local dir="$STATE/kafka" lib="$ROOT/services/kafka/lib"
  # Already listening (maybe still starting, maybe from another checkout): wait for it rather than start a second one.
  if port_open "$(port_of kafka)"; then wait_until kafka 120 "$dir/server.log" kafka_answers; return 0; fi
  maven_libs kafka
  mkdir -p "$dir/data"
  sed "s|@DATA@|$dir/data|" "$ROOT/services/kafka/server.properties" >"$dir/server.properties"
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    log "formatting kafka storage"
    java -cp "$lib/*" kafka.tools.StorageTool format -t "$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid)" \
      -c "$dir/server.properties" --ignore-formatted >"$dir/format.log" 2>&1 || die "kafka storage format failed; see $dir/format.log"
  fi
  log "starting kafka on 127.0.0.1:$(port_of kafka)"
  : >"$dir/server.log"
  nohup java -Xms256m -Xmx512m -cp "$lib/*" -Dlog4j.configuration="file:$ROOT/services/kafka/log4j.properties" \
    kafka.Kafka "$dir/server.properties" >>"$dir/server.log" 2>&1 9>&- &
  echo $! >"$dir/kafka.pid"
  wait_until kafka 120 "$dir/server.log" kafka_answers
}

# --- MongoDB wire-compatible stand-in (mongo-java-server with an oplog) ----------------------------------------

# Legacy OP_QUERY {isMaster: 1} on admin.$cmd (the stand-in answers only the legacy handshake): expects an OP_REPLY.
mongo_answers() {
  local hex query
  query='\x3a\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xd4\x07\x00\x00\x00\x00\x00\x00admin.$cmd\x00'
  query+='\x00\x00\x00\x00\x01\x00\x00\x00\x13\x00\x00\x00\x10isMaster\x00\x01\x00\x00\x00\x00'
  hex="$(exchange_hex "$(port_of mongo)" "$query" 16)"
  [[ "${hex:24:8}" == 01000000 ]]
}

mongo_up() {
  local dir="$STATE/mongo" lib="$ROOT/services/mongo/lib"
  # Already listening (maybe still starting, maybe from another checkout): wait for it rather than start a second one.
  if port_open "$(port_of mongo)"; then wait_until mongo 90 "$dir/server.log" mongo_answers; return 0; fi
  maven_libs mongo
  mkdir -p "$dir"
  log "starting the MongoDB stand-in on 127.0.0.1:$(port_of mongo)"
  : >"$dir/server.log"
  nohup java -Xmx512m -cp "$lib/*" "$ROOT/services/mongo/FakeMongo.java" "$(port_of mongo)" >>"$dir/server.log" 2>&1 9>&- &
  echo $! >"$dir/mongo.pid"
  wait_until mongo 90 "$dir/server.log" mongo_answers
}

# Servers started below close file descriptor 9 (`9>&-`): it holds the lock of `up`, and a daemon that inherited it
# would hold the lock for as long as it runs.

# --- commands --------------------------------------------------------------------------------------------------

write_env() {
  local tmp="$STATE/services.env.tmp"
  : >"$tmp"
  for name in "${ALL[@]}"; do
    local var
    var="$(url_var_of "$name")"
    echo "$var=${!var:-$(default_url_of "$name")}" >>"$tmp"
  done
  mv "$tmp" "$STATE/services.env"
}

service_up() {
  local name="$1"
  if is_external "$name"; then
    log "$name is external ($(url_var_of "$name") is set to another server): not started here"
    return 0
  fi
  case "$name" in
    pg-local | pg-backup) pg_up "$name" ;;
    mariadb) mariadb_up ;;
    redis) redis_up ;;
    kafka) kafka_up ;;
    mongo) mongo_up ;;
  esac
}

# A named external server cannot be stopped from here: failing says so to a fault test that meant to stop it.
service_down() {
  local name="$1" hard="$2" named="$3"
  if is_external "$name"; then
    ((named)) && die "$name is external ($(url_var_of "$name") is set to another server): it cannot be stopped here"
    log "$name is external ($(url_var_of "$name") is set to another server): not stopped here"
    return 0
  fi
  case "$name" in
    pg-local | pg-backup) pg_down "$name" "$hard" ;;
    mariadb) mariadb_down "$hard" ;;
    redis) pidfile_down "$STATE/redis/redis.pid" "$hard" ;;
    kafka) pidfile_down "$STATE/kafka/kafka.pid" "$hard" ;;
    mongo) pidfile_down "$STATE/mongo/mongo.pid" "$hard" ;;
  esac
}

service_answers() {
  case "$1" in
    pg-local | pg-backup) pg_answers "$(port_of "$1")" ;;
    mariadb) mariadb_answers ;;
    redis) redis_answers ;;
    kafka) kafka_answers ;;
    mongo) mongo_answers ;;
  esac
}

names_or_all() { if (($# == 0)); then echo "${ALL[@]}"; else echo "$@"; fi; }

main() {
  local command="${1:-}"
  shift || true
  case "$command" in
    up)
      exec 9>"$STATE/.lock"
      flock 9
      local started=$SECONDS
      for name in $(names_or_all "$@"); do port_of "$name" >/dev/null; service_up "$name"; done
      write_env
      log "up in $((SECONDS - started))s; URLs in .services/services.env"
      ;;
    down)
      local hard=0
      if [[ "${1:-}" == --hard ]]; then hard=1; shift; fi
      exec 9>"$STATE/.lock"
      flock 9
      local named=$(($# > 0))
      for name in $(names_or_all "$@"); do port_of "$name" >/dev/null; service_down "$name" "$hard" "$named"; done
      ;;
    status)
      for name in "${ALL[@]}"; do
        if is_external "$name"; then printf '%-10s external\n' "$name"
        elif service_answers "$name" >/dev/null 2>&1; then printf '%-10s up (127.0.0.1:%s)\n' "$name" "$(port_of "$name")"
        else printf '%-10s down\n' "$name"; fi
      done
      ;;
    logs)
      local name="${1:-}"
      [[ -n "$name" ]] || die "usage: services.sh logs <name>"
      port_of "$name" >/dev/null
      tail -n "${LINES_SHOWN:-80}" "$STATE/$name/server.log"
      ;;
    *)
      echo "usage: bash scripts/services.sh up|down [--hard]|status|logs [name...]" >&2
      exit 64
      ;;
  esac
}

main "$@"
