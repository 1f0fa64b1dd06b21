#!/usr/bin/env bash
# A real local CKAN portal for gongkai's development, demo and integration tests.
#
#   scripts/ckan.sh up      install what is missing, start PostgreSQL, Redis and CKAN (idempotent, seconds when warm)
#   scripts/ckan.sh down    stop CKAN (PostgreSQL and Redis keep running)
#   scripts/ckan.sh reset   drop the portal's databases and files, start again with a clean portal
#   scripts/ckan.sh token   issue a fresh API token for the sysadmin into the token file (prints its path)
#   scripts/ckan.sh status  say whether the portal answers
#   scripts/ckan.sh deps    only install the Debian packages the toolkit and CKAN need
#
# CKAN 2.11.6 lives in its own virtual environment (.ckan/venv), apart from the toolkit's, with the DataStore
# and the ckanext-nosolr plugin of this repository standing in for Solr (development and tests only).
# Everything it makes lives under .ckan/ (or $GONGKAI_CKAN_HOME): config, logs, uploads, the API token file.
# The token is written to a file with mode 0600 and never printed.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOME_DIR=${GONGKAI_CKAN_HOME:-$ROOT/.ckan}
PORT=${GONGKAI_CKAN_PORT:-5000}
CKAN_VERSION=2.11.6
PY=${PYTHON:-python3}
VENV=$HOME_DIR/venv
INI=$HOME_DIR/ckan.ini
LOG_DIR=$HOME_DIR/logs
PIDFILE=$HOME_DIR/gunicorn.pid
TOKEN_FILE=$HOME_DIR/api-token
URL=http://127.0.0.1:$PORT
DB=${GONGKAI_CKAN_DB:-gongkai_ckan}
DS_DB=${DB}_datastore
DB_USER=$DB
DB_PASS=$DB
DS_RO_USER=${DB}_ro
DS_RO_PASS=${DB}_ro
SYSADMIN=gongkai_admin
SYSADMIN_PASS=${GONGKAI_CKAN_ADMIN_PASSWORD:-gongkai-dev-admin}

STEP=""
say() { printf '[ckan.sh] %s\n' "$*" >&2; }
step() { STEP=$1; say "$1"; }
on_error() {
  # A failing test inside $(...) or ( ... ) is an answer, not a failure: the caller decides.
  [ "$BASH_SUBSHELL" -eq 0 ] || exit "$1"
  say "FAILED during: ${STEP:-setup} (exit $1). Logs: $LOG_DIR"
  exit "$1"
}
trap 'on_error $?' ERR

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
psql_admin() { as_root runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@"; }
ckan_cli() { timeout 300 "$VENV/bin/ckan" -c "$INI" "$@"; }

# --- system packages and services --------------------------------------------------------------------

ensure_debian_packages() {
  local missing=()
  command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v pg_config >/dev/null || missing+=(libpq-dev)
  command -v gcc >/dev/null || missing+=(gcc)
  command -v curl >/dev/null || missing+=(curl)
  # Headless browser tests (tests/integration/test_browser.py); CJK fonts so screenshots show Chinese.
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
  [ -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libmagic.so.1 ] \
    || missing+=(libmagic1)
  "$PY" -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
  "$PY" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || missing+=(python3-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOG_DIR/apt.log" 2>&1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1
  fi
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 -t 2; then return; fi
  step "starting PostgreSQL"
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 -t 1 && return; sleep 1; done
  say "PostgreSQL did not become ready within 30 s"; return 1
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then return; fi
  step "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/gongkai.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && return; sleep 0.5; done
  say "Redis did not answer within 10 s"; return 1
}

# --- CKAN's own virtual environment ------------------------------------------------------------------

ensure_venv() {
  local stamp=$VENV/.gongkai-installed
  local want="ckan==$CKAN_VERSION gunicorn<24 nosolr[test] $(cat "$ROOT/ckanext-nosolr/pyproject.toml" "$ROOT"/ckanext-nosolr/setup.* 2>/dev/null | sha256sum | cut -c1-12)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  step "installing CKAN $CKAN_VERSION into $VENV (about a minute the first time)"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >"$LOG_DIR/pip.log" 2>&1
  "$VENV/bin/pip" install -q "ckan[requirements]==$CKAN_VERSION" "gunicorn>=22,<24" >>"$LOG_DIR/pip.log" 2>&1
  "$VENV/bin/pip" install -q -e "$ROOT/ckanext-nosolr[test]" >>"$LOG_DIR/pip.log" 2>&1
  echo "$want" >"$stamp"
}

# --- configuration -----------------------------------------------------------------------------------

write_wsgi() {
  cat >"$HOME_DIR/wsgi.py" <<EOF
"""WSGI entry point for the local development portal (the CKAN wheel ships none)."""
from ckan.config.middleware import make_app
from ckan.cli import CKANConfigLoader

application = make_app(CKANConfigLoader("$INI").get_config())
EOF
}

ensure_config() {
  if [ ! -f "$INI" ]; then
    step "generating $INI"
    "$VENV/bin/ckan" generate config "$INI" >"$LOG_DIR/config.log" 2>&1
  fi
  # Settings are re-applied on every `up`: cheap, and a changed port or path takes effect.
  "$VENV/bin/ckan" config-tool "$INI" \
    "sqlalchemy.url = postgresql://$DB_USER:$DB_PASS@127.0.0.1:5432/$DB" \
    "ckan.datastore.write_url = postgresql://$DB_USER:$DB_PASS@127.0.0.1:5432/$DS_DB" \
    "ckan.datastore.read_url = postgresql://$DS_RO_USER:$DS_RO_PASS@127.0.0.1:5432/$DS_DB" \
    "ckan.site_url = $URL" \
    "solr_url = http://127.0.0.1:1/solr/unavailable" \
    "ckan.redis.url = redis://127.0.0.1:6379/1" \
    "ckan.plugins = nosolr datastore activity" \
    "ckan.storage_path = $HOME_DIR/storage" \
    "ckan.max_resource_size = 100" \
    "ckan.locale_default = zh_Hans_CN" \
    "ckan.locales_offered = zh_Hans_CN en" \
    "ckan.site_title = 山亭区公共数据开放平台（本地开发）" \
    "ckan.auth.create_user_via_web = false" >>"$LOG_DIR/config.log" 2>&1
  mkdir -p "$HOME_DIR/storage"
  write_wsgi
}

ensure_databases() {
  if [ -f "$HOME_DIR/.db-ready" ] && psql_admin -d "$DB" -c 'select 1 from package limit 1' >/dev/null 2>&1; then
    return
  fi
  step "creating databases $DB and $DS_DB"
  psql_admin <<SQL >>"$LOG_DIR/db.log" 2>&1
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE "$DB_USER" LOGIN PASSWORD '$DB_PASS';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DS_RO_USER') THEN
    CREATE ROLE "$DS_RO_USER" LOGIN PASSWORD '$DS_RO_PASS';
  END IF;
END \$\$;
SQL
  for db in "$DB" "$DS_DB"; do
    if ! psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      psql_admin -c "CREATE DATABASE \"$db\" OWNER \"$DB_USER\" ENCODING 'UTF8' TEMPLATE template0" >>"$LOG_DIR/db.log" 2>&1
    fi
  done
  step "initialising CKAN's database"
  ckan_cli db init >>"$LOG_DIR/db.log" 2>&1
  ckan_cli db pending-migrations --apply >>"$LOG_DIR/db.log" 2>&1
  step "setting DataStore permissions"
  ckan_cli datastore set-permissions 2>>"$LOG_DIR/db.log" | psql_admin >>"$LOG_DIR/db.log" 2>&1
  touch "$HOME_DIR/.db-ready"
}

# A role and database of the toolkit's own tests (the PostgreSQL ledger), reached with a password over TCP
# so that it works with Debian's default pg_hba.conf as well as with trust authentication.
TEST_DB=gongkai_test
ensure_test_database() {
  if psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$TEST_DB'" | grep -q 1; then return; fi
  step "creating the test database $TEST_DB"
  psql_admin <<SQL >>"$LOG_DIR/db.log" 2>&1
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$TEST_DB') THEN
    CREATE ROLE "$TEST_DB" LOGIN CREATEDB PASSWORD '$TEST_DB';
  END IF;
END \$\$;
SQL
  psql_admin -c "CREATE DATABASE \"$TEST_DB\" OWNER \"$TEST_DB\" ENCODING 'UTF8' TEMPLATE template0" >>"$LOG_DIR/db.log" 2>&1
}

ensure_sysadmin() {
  if [ -s "$TOKEN_FILE" ]; then return; fi
  step "creating sysadmin $SYSADMIN and its API token"
  if ! ckan_cli user show "$SYSADMIN" 2>/dev/null | grep -q "name=$SYSADMIN"; then
    ckan_cli user add "$SYSADMIN" email=admin@gongkai.invalid password="$SYSADMIN_PASS" >>"$LOG_DIR/db.log" 2>&1
  fi
  ckan_cli sysadmin add "$SYSADMIN" >>"$LOG_DIR/db.log" 2>&1
  issue_token
}

issue_token() {
  local out token
  out=$(ckan_cli user token add "$SYSADMIN" gongkai 2>>"$LOG_DIR/db.log")
  token=$(printf '%s\n' "$out" | tail -n 1 | tr -d '[:space:]')
  [ -n "$token" ] || { say "CKAN printed no API token"; return 1; }
  (umask 077 && printf '%s\n' "$token" >"$TOKEN_FILE")
  chmod 600 "$TOKEN_FILE"
}

# --- the server --------------------------------------------------------------------------------------

server_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() { curl -fsS -m 3 "$URL/api/3/action/status_show" >/dev/null 2>&1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

start_server() {
  if server_pid >/dev/null && answers; then return; fi
  stop_server
  step "starting CKAN on $URL"
  if port_in_use; then say "port $PORT is taken by another program; set GONGKAI_CKAN_PORT"; return 1; fi
  local ctl=()
  if "$VENV/bin/gunicorn" --help 2>/dev/null | grep -q -- --no-control-socket; then ctl=(--no-control-socket); fi
  (cd "$HOME_DIR" && CKAN_INI="$INI" setsid "$VENV/bin/gunicorn" "${ctl[@]}" --daemon \
      --pid "$PIDFILE" --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --timeout 120 \
      --error-logfile "$LOG_DIR/gunicorn.log" --access-logfile "$LOG_DIR/access.log" \
      --capture-output wsgi:application)
  for _ in $(seq 1 120); do
    if answers; then say "CKAN is up: $URL"; return; fi
    sleep 0.5
  done
  say "CKAN did not answer within 60 s; last log lines:"
  tail -n 20 "$LOG_DIR/gunicorn.log" >&2 || true
  return 1
}

stop_server() {
  local pid
  if pid=$(server_pid); then
    step "stopping CKAN (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  # Wait for the port to be free, or a readiness probe could be answered by the old server.
  for _ in $(seq 1 40); do port_in_use || return 0; sleep 0.25; done
}

check_token() {
  curl -fsS -m 5 -H "Authorization: $(cat "$TOKEN_FILE")" -H 'Content-Type: application/json' \
    -d '{"id": "'"$SYSADMIN"'"}' "$URL/api/3/action/user_show" >/dev/null 2>&1
}

up() {
  mkdir -p "$HOME_DIR" "$LOG_DIR"
  ensure_debian_packages
  ensure_postgres
  ensure_redis
  ensure_venv
  ensure_config
  ensure_databases
  ensure_test_database
  ensure_sysadmin
  start_server
  if ! check_token; then
    step "the stored API token is refused; issuing a new one"
    issue_token
    check_token || { say "the new API token is refused too"; return 1; }
  fi
  write_env
  say "ready: $URL (token file: $TOKEN_FILE)"
}

write_env() {
  cat >"$HOME_DIR/portal.env" <<EOF
GONGKAI_CKAN_URL=$URL
GONGKAI_CKAN_TOKEN_FILE=$TOKEN_FILE
GONGKAI_TEST_POSTGRES=postgresql://$TEST_DB:$TEST_DB@127.0.0.1:5432/$TEST_DB
EOF
}

reset() {
  mkdir -p "$HOME_DIR" "$LOG_DIR"
  ensure_postgres
  stop_server
  step "dropping the portal's databases and files"
  for db in "$DB" "$DS_DB"; do
    psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >>"$LOG_DIR/db.log" 2>&1
  done
  rm -rf "$HOME_DIR/storage" "$HOME_DIR/.db-ready" "$TOKEN_FILE"
  redis-cli -h 127.0.0.1 -p 6379 -n 1 flushdb >/dev/null 2>&1 || true
  up
}

case "${1:-}" in
  up) up ;;
  deps) mkdir -p "$LOG_DIR"; ensure_debian_packages ;;
  down) mkdir -p "$LOG_DIR"; stop_server; say "CKAN stopped" ;;
  reset) reset ;;
  token) mkdir -p "$LOG_DIR"; issue_token; echo "$TOKEN_FILE" ;;
  status)
    if answers; then say "up: $URL"; else say "not answering: $URL"; exit 1; fi ;;
  *) echo "usage: $0 up|down|reset|token|status|deps" >&2; exit 2 ;;
esac
