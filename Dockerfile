# statwh: the project's own Airflow image (api-server, scheduler, dag-processor, triggerer, Celery worker).
# The locked dependencies (pyproject.toml + uv.lock) are installed with `uv sync --frozen`: the image runs
# exactly the versions the tests ran (apache-airflow 3.3.2, great-expectations, duckdb, pandas).
FROM python:3.11-slim-bookworm

ARG UV_VERSION=0.13.8
ARG AIRFLOW_UID=50000

ENV PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/statwh/.venv

RUN apt-get update \
    && apt-get install -y --no-install-recommends curl tini \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir "uv==${UV_VERSION}" \
    && useradd --uid "${AIRFLOW_UID}" --gid 0 --home-dir /opt/airflow --create-home airflow \
    && mkdir -p /data /opt/airflow/logs /opt/airflow/auth \
    && chown -R "${AIRFLOW_UID}:0" /data /opt/airflow \
    && chmod -R g+rwX /data /opt/airflow

WORKDIR /opt/statwh

# dependencies first (cached while only the code changes), then the project itself
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY etl ./etl
COPY dags ./dags
COPY plugins ./plugins
COPY warehouse ./warehouse
COPY expectations ./expectations
COPY docs ./docs
COPY scripts ./scripts
RUN uv sync --frozen --no-dev

ENV PATH=/opt/statwh/.venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/statwh/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/statwh/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    STATWH_HOME=/data \
    GX_ANALYTICS_ENABLED=false

USER ${AIRFLOW_UID}:0
WORKDIR /opt/airflow
ENTRYPOINT ["/usr/bin/tini", "--", "airflow"]
CMD ["version"]
