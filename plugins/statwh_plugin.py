"""Airflow plugin: registers statwh's timetable (`etl.schedule.NextPointCron`) so DAGs using it serialize.

Loaded from AIRFLOW__CORE__PLUGINS_FOLDER (scripts/airflow-env.sh and the compose file point it here).
"""

from airflow.plugins_manager import AirflowPlugin

from etl.schedule import NextPointCron


class StatwhPlugin(AirflowPlugin):
    name = "statwh"
    timetables = [NextPointCron]
