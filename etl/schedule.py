"""The DAGs' timetable: a cron schedule that never starts a missed point when a DAG is unpaused.

Airflow 3's `catchup=False` still runs the *latest* past point of a schedule at once: unpause the
daily `statwh_pipeline` at 15:00 and today's 00:00 run starts immediately. `NextPointCron` gives the
next point after now instead whenever the point due is more than a short grace in the past (a
tenth of the schedule's period, at most 5 minutes: the scheduler creates a due run within seconds,
the grace only covers it being a moment late). With `catchup=True` it behaves like Airflow's
`CronTriggerTimetable`.

Airflow serializes only the timetables it knows, so this one is registered by the plugin
`plugins/statwh_plugin.py` (AIRFLOW__CORE__PLUGINS_FOLDER, set by scripts/airflow-env.sh and the
compose file). Imported by the DAG files only (it needs Airflow's core).
"""

from __future__ import annotations

import datetime as dt

from airflow._shared.timezones.timezone import coerce_datetime, utcnow
from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction
from airflow.timetables.trigger import CronTriggerTimetable

MAX_GRACE = dt.timedelta(minutes=5)


class NextPointCron(CronTriggerTimetable):
    """`CronTriggerTimetable` whose first run after a pause (or ever) is the next point to come."""

    def __init__(self, cron: str, *, timezone="UTC", **kwargs) -> None:
        super().__init__(cron, timezone=timezone, **kwargs)

    @property
    def summary(self) -> str:
        return f"{self._expression} (next point only)"

    def grace(self, point) -> dt.timedelta:
        """How late a due point may still start: a tenth of the period after it, at most 5 minutes."""
        return min((self._get_next(point) - point) / 10, MAX_GRACE)

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
    ) -> DagRunInfo | None:
        info = super().next_dagrun_info(
            last_automated_data_interval=last_automated_data_interval, restriction=restriction
        )
        if info is None or restriction.catchup:
            return info
        now = coerce_datetime(utcnow())
        if info.run_after + self.grace(info.run_after) >= now:
            return info
        point = self._align_to_next(now)
        if restriction.latest is not None and restriction.latest < point:
            return None
        return DagRunInfo.interval(coerce_datetime(point - self._interval), point)
