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
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="${AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION:-True}"
# the simple auth manager: everyone is admin (a local, single-user install); the compose file differs
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS:-True}"
# tasks reach the api-server's execution API on the port it listens on (AIRFLOW__API__PORT, default 8080)
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="${AIRFLOW__CORE__EXECUTION_API_SERVER_URL:-http://localhost:${AIRFLOW__API__PORT:-8080}/execution/}"
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
    if [ ! -e "$AIRFLOW_HOME/.statwh-db-ready" ]; then
        echo "statwh: migrating the Airflow metadata DB in $AIRFLOW_HOME …" >&2
        airflow db migrate >"$AIRFLOW_HOME/db-migrate.log" 2>&1 \
            && touch "$AIRFLOW_HOME/.statwh-db-ready" \
            || echo "statwh: 'airflow db migrate' failed, see $AIRFLOW_HOME/db-migrate.log" >&2
    fi
    airflow pools set statwh_duckdb 1 "statwh: one DuckDB writer at a time" >/dev/null 2>&1 \
        || echo "statwh: could not create the pool statwh_duckdb (run: airflow pools set statwh_duckdb 1 statwh)" >&2
fi
echo "statwh: STATWH_HOME=$STATWH_HOME AIRFLOW_HOME=$AIRFLOW_HOME DAGs=$AIRFLOW__CORE__DAGS_FOLDER" >&2
unset _statwh_repo
