# Source this file (bash or zsh) to run Airflow with the project's settings:
#
#     source scripts/airflow-env.sh && airflow standalone
#
# It exports the settings below (each can be set before sourcing to override it), puts the
# project's virtualenv first on PATH, creates/migrates the metadata DB when AIRFLOW_HOME is new and
# creates the one-slot pool `statwh_duckdb` every DuckDB-writing task runs in.
#   STATWH_HOME   the data area (inbox/, archive/, warehouse.duckdb, published/); default ./data
#   AIRFLOW_HOME  Airflow's own files (airflow.cfg, SQLite DB, logs/); default $STATWH_HOME/airflow
# Set STATWH_AIRFLOW_NO_SETUP=1 to only export the variables (no DB migration, no pool).

_statwh_repo="$(cd "$(dirname "${BASH_SOURCE[0]:-${(%):-%x}}")/.." && pwd)"

export STATWH_HOME="${STATWH_HOME:-$_statwh_repo/data}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$STATWH_HOME/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$_statwh_repo/dags"
# registers the DAGs' timetable (etl.schedule.NextPointCron: unpausing starts nothing until the next point)
export AIRFLOW__CORE__PLUGINS_FOLDER="$_statwh_repo/plugins"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="${AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION:-True}"
# a login for the UI and the REST API: the simple auth manager, one admin user whose password is
# generated once and kept in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated (mode 600)
export AIRFLOW__CORE__AUTH_MANAGER="${AIRFLOW__CORE__AUTH_MANAGER:-airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager}"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS:-False}"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS:-admin:admin}"
# the server listens on this machine only unless told otherwise (AIRFLOW__API__HOST=0.0.0.0)
export AIRFLOW__API__HOST="${AIRFLOW__API__HOST:-127.0.0.1}"
export AIRFLOW__API__PORT="${AIRFLOW__API__PORT:-8080}"
export AIRFLOW__API__BASE_URL="${AIRFLOW__API__BASE_URL:-http://${AIRFLOW__API__HOST/0.0.0.0/localhost}:$AIRFLOW__API__PORT}"
# a laptop-sized default: SQLite allows one writer, so one task at a time (Airflow 3 has no
# SequentialExecutor); `make airflow` raises it on PostgreSQL
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-1}"
export AIRFLOW__SCHEDULER__CATCHUP_BY_DEFAULT="${AIRFLOW__SCHEDULER__CATCHUP_BY_DEFAULT:-False}"
# a task's supervisor waits up to this many seconds in select() between heartbeats; when the task
# process closes its sockets before it exits, the supervisor only notices the exit after this wait,
# so every task held its worker slot ~5 s (Airflow's default) after it ended: 1 s costs one
# heartbeat call a second per running task (make bench-airflow, docs/benchmarks.md)
export AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL="${AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL:-1}"
# tasks reach the api-server's execution API on the port it listens on (AIRFLOW__API__PORT, default 8080)
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="${AIRFLOW__CORE__EXECUTION_API_SERVER_URL:-http://127.0.0.1:${AIRFLOW__API__PORT}/execution/}"
export GX_ANALYTICS_ENABLED=false
# the DAG files import `etl` from the repository
export PYTHONPATH="$_statwh_repo${PYTHONPATH:+:$PYTHONPATH}"
if [ -d "$_statwh_repo/.venv/bin" ]; then
    case ":$PATH:" in
        *":$_statwh_repo/.venv/bin:"*) ;;
        *) export PATH="$_statwh_repo/.venv/bin:$PATH" ;;
    esac
fi
mkdir -p "$STATWH_HOME" "$AIRFLOW_HOME"

if [ -z "${STATWH_AIRFLOW_NO_SETUP:-}" ]; then
    # one marker per metadata DB: switching SQLite ↔ PostgreSQL migrates the new one
    _statwh_marker="$AIRFLOW_HOME/.statwh-db-ready-$(printf %s "${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-sqlite}" | cksum | cut -d' ' -f1)"
    if [ ! -e "$_statwh_marker" ]; then
        echo "statwh: migrating the Airflow metadata DB in $AIRFLOW_HOME …" >&2
        airflow db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 \
            && touch "$_statwh_marker" \
            || echo "statwh: 'airflow db migrate' failed, see $AIRFLOW_HOME/db-migrate.log" >&2
    fi
    airflow pools set statwh_duckdb 1 "statwh: one DuckDB writer at a time" >/dev/null 2>&1 \
        || echo "statwh: could not create the pool statwh_duckdb (run: airflow pools set statwh_duckdb 1 statwh)" >&2
fi
echo "statwh: STATWH_HOME=$STATWH_HOME AIRFLOW_HOME=$AIRFLOW_HOME DAGs=$AIRFLOW__CORE__DAGS_FOLDER" >&2
unset _statwh_repo _statwh_marker
