"""Periodic jobs, declared as data; worker.py registers them with RQ's cron scheduler."""

from dataclasses import dataclass

from app.jobs import alerts, dashboard, maintenance
from app.jobs.queues import HIGH, LOW


@dataclass(frozen=True)
class Periodic:
    func: object
    queue: str
    interval: int  # seconds


PERIODIC = [
    Periodic(maintenance.relay_outbox, HIGH, 30),
    Periodic(alerts.escalate_due_alerts, HIGH, 30),
    Periodic(maintenance.prune, LOW, 3600),
    Periodic(dashboard.refresh_dashboards, LOW, 300),
]
