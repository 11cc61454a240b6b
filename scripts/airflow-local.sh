#!/usr/bin/env bash
# A local Airflow suited to this machine — `make airflow` / `make airflow-stop` call this script.
#
#   scripts/airflow-local.sh start   # api-server, scheduler, dag-processor, triggerer in the background
#   scripts/airflow-local.sh stop    # stops every process group it started, frees the ports
#   scripts/airflow-local.sh status
#   scripts/airflow-local.sh settings   # only chooses the DB and writes $AIRFLOW_HOME/statwh-local.env
#
# Metadata DB: PostgreSQL when one answers on $STATWH_PG_HOST:$STATWH_PG_PORT (default 127.0.0.1:5432,
# user postgres) — the database $STATWH_PG_DB (default statwh_airflow) is created if missing — with
# LocalExecutor and one task slot per CPU core; otherwise SQLite with LocalExecutor and parallelism 1
# (SQLite allows one writer; Airflow 3 has no SequentialExecutor). STATWH_AIRFLOW_DB=sqlite forces SQLite.
# The UI and the REST API need a login: user admin, password generated once into
# $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated. The server binds 127.0.0.1.
# PIDs (one process group each) are in $AIRFLOW_HOME/statwh-local.pids, logs in $AIRFLOW_HOME/local-logs/.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STATWH_HOME="${STATWH_HOME:-$repo/data}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$STATWH_HOME/airflow}"
PIDS="$AIRFLOW_HOME/statwh-local.pids"
SETTINGS="$AIRFLOW_HOME/statwh-local.env"
LOGS="$AIRFLOW_HOME/local-logs"
PASSWORDS="$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
PYTHON="${STATWH_PYTHON:-$repo/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"

say() { echo "statwh: $*" >&2; }

postgres_answers() {
    [ "${STATWH_AIRFLOW_DB:-auto}" != sqlite ] || return 1
    "$PYTHON" - <<'EOF' 2>/dev/null
import os, psycopg2
psycopg2.connect(host=os.environ.get("STATWH_PG_HOST", "127.0.0.1"), port=int(os.environ.get("STATWH_PG_PORT", "5432")),
                 user=os.environ.get("STATWH_PG_USER", "postgres"), dbname="postgres", connect_timeout=3).close()
EOF
}

create_pg_database() {
    "$PYTHON" - <<'EOF'
import os, psycopg2
con = psycopg2.connect(host=os.environ.get("STATWH_PG_HOST", "127.0.0.1"), port=int(os.environ.get("STATWH_PG_PORT", "5432")),
                       user=os.environ.get("STATWH_PG_USER", "postgres"), dbname="postgres", connect_timeout=5)
con.autocommit = True
db = os.environ.get("STATWH_PG_DB", "statwh_airflow")
with con.cursor() as cur:
    cur.execute("select 1 from pg_database where datname = %s", (db,))
    if not cur.fetchone():
        cur.execute(f'create database "{db}"')
con.close()
EOF
}

# the settings of this machine, written once so that later `airflow` commands use the same DB
choose_settings() {
    local cores conn
    cores="$(nproc 2>/dev/null || echo 1)"
    if postgres_answers; then
        create_pg_database
        conn="postgresql+psycopg2://${STATWH_PG_USER:-postgres}@${STATWH_PG_HOST:-127.0.0.1}:${STATWH_PG_PORT:-5432}/${STATWH_PG_DB:-statwh_airflow}"
        {
            echo "export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN='$conn'"
            echo "export AIRFLOW__CORE__EXECUTOR=LocalExecutor"
            echo "export AIRFLOW__CORE__PARALLELISM=$cores"
        } >"$SETTINGS"
        say "metadata DB: PostgreSQL ($conn), LocalExecutor, parallelism $cores"
    else
        {
            echo "export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN='sqlite:///$AIRFLOW_HOME/airflow.db'"
            echo "export AIRFLOW__CORE__EXECUTOR=LocalExecutor"
            echo "export AIRFLOW__CORE__PARALLELISM=1"
        } >"$SETTINGS"
        say "metadata DB: SQLite ($AIRFLOW_HOME/airflow.db), LocalExecutor, parallelism 1 (no PostgreSQL answered)"
    fi
    {
        echo "export AIRFLOW__API__PORT=${AIRFLOW__API__PORT:-8080}"
        echo "export AIRFLOW__API__HOST=${AIRFLOW__API__HOST:-127.0.0.1}"
        echo "export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=${AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT:-8793}"
        echo "export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=${AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT:-8794}"
        echo "export AIRFLOW__SCHEDULER__CATCHUP_BY_DEFAULT=False"
        echo "export AIRFLOW__CORE__MAX_ACTIVE_RUNS_PER_DAG=1"
    } >>"$SETTINGS"
}

# a process that runs (a zombie, exited but not yet reaped, does not count)
alive() {
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
    local state
    state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)"
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

running() {
    [ -f "$PIDS" ] || return 1
    local name pid
    while read -r name pid; do alive "$pid" && return 0; done <"$PIDS"
    return 1
}

start_one() {
    local name="$1"
    shift
    setsid airflow "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
    echo "$name $!" >>"$PIDS"
}

wait_for_api() {
    local url="http://127.0.0.1:$AIRFLOW__API__PORT/api/v2/monitor/health" end=$((SECONDS + ${STATWH_AIRFLOW_START_TIMEOUT:-180}))
    while [ $SECONDS -lt $end ]; do
        curl -fsS -m 5 "$url" >/dev/null 2>&1 && return 0
        running || { say "an Airflow process exited at start, see $LOGS/"; return 1; }
        sleep 2
    done
    say "the api-server did not answer on $url, see $LOGS/api-server.log"
    return 1
}

login_password() {
    "$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1])).get('admin', '?'))" "$PASSWORDS"
}

start() {
    mkdir -p "$STATWH_HOME" "$AIRFLOW_HOME" "$LOGS"
    if running; then
        say "Airflow is already running (PIDs in $PIDS); stop it with: make airflow-stop"
        return 1
    fi
    choose_settings
    # shellcheck disable=SC1090
    source "$SETTINGS"
    # shellcheck source=scripts/airflow-env.sh
    source "$repo/scripts/airflow-env.sh"
    [ -s "$PASSWORDS" ] || "$PYTHON" - "$PASSWORDS" <<'EOF'
import json, os, secrets, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump({"admin": secrets.token_urlsafe(16)}, f)
EOF
    chmod 600 "$PASSWORDS"
    : >"$PIDS"
    start_one api-server api-server --host "$AIRFLOW__API__HOST" --port "$AIRFLOW__API__PORT"
    start_one scheduler scheduler
    start_one dag-processor dag-processor
    start_one triggerer triggerer
    if ! wait_for_api; then
        stop
        return 1
    fi
    echo "Airflow: $AIRFLOW__API__BASE_URL  login: admin / $(login_password)"
    echo "  password kept in $PASSWORDS; PIDs in $PIDS; logs in $LOGS/"
    echo "  airflow commands: source $SETTINGS && source scripts/airflow-env.sh; stop: make airflow-stop"
}

# the started processes and every descendant (task processes may start sessions of their own)
family() {
    local pids new
    pids="$(awk '{print $2}' "$PIDS" | tr '\n' ' ')"
    while true; do
        new="$(ps -e -o pid=,ppid= | awk -v set=" $pids " 'index(set, " "$2" ") && !index(set, " "$1" ") {print $1}' | tr '\n' ' ')"
        [ -n "${new// /}" ] || break
        pids="$pids $new"
    done
    echo "$pids"
}

signal_all() {
    local sig="$1" pids="$2" name pid
    while read -r name pid; do kill "-$sig" -- "-$pid" 2>/dev/null || true; done <"$PIDS"
    for pid in $pids; do kill "-$sig" "$pid" 2>/dev/null || true; done
}

stop() {
    if [ ! -f "$PIDS" ]; then
        say "no $PIDS: nothing started by make airflow"
        return 0
    fi
    local pids end left
    pids="$(family)"
    signal_all TERM "$pids"
    end=$((SECONDS + ${STATWH_AIRFLOW_STOP_TIMEOUT:-30}))
    while [ $SECONDS -lt $end ]; do
        left=""
        for pid in $pids; do alive "$pid" && left="$left $pid"; done
        [ -n "$left" ] || break
        sleep 1
    done
    pids="$pids $(family)"
    signal_all KILL "$pids"
    rm -f "$PIDS"
    say "Airflow stopped (every process group started by make airflow)"
}

status() {
    if running; then
        cat "$PIDS"
    else
        echo "statwh: no local Airflow running"
        return 1
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    settings)
        mkdir -p "$AIRFLOW_HOME"
        choose_settings
        cat "$SETTINGS"
        ;;
    *)
        echo "usage: $0 start|stop|status|settings" >&2
        exit 2
        ;;
esac
