"""Periodic jobs, declared as data; worker.py registers them with RQ's cron scheduler.
Each names a job in app/services/shared/queues.py's table, whose queue it runs on."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    job: str  # dotted name, a key of app.services.shared.queues.JOBS
    interval: int  # seconds


PERIODIC = [
    Periodic("app.jobs.maintenance.relay_outbox", 30),
    Periodic("app.jobs.alerts.escalate_due_alerts", 30),
    # Concerns wait a day (CONCERN_REVIEW_WINDOW); checking every 10 minutes is plenty.
    Periodic("app.jobs.concerns.escalate_unreviewed_concerns", 600),
    Periodic("app.jobs.maintenance.prune", 3600),
    Periodic("app.jobs.dashboard.refresh_dashboards", 300),
    # Hourly: each user's digest goes out in the first run after DIGEST_HOUR in their zone.
    Periodic("app.jobs.email.send_digests", 3600),
    Periodic("app.jobs.email.requeue_stale_emails", 600),
    # A PDF export lives as long as its link (EXPORT_LINK_TTL, an hour by default).
    Periodic("app.jobs.performance.prune_exports", 600),
]
