"""Student dashboard refreshes: drain the queue by priority, refresh stale aggregates."""

import logging
from datetime import datetime

from app.jobs.base import job
from app.services.dashboard import drain
from app.services.dashboard.refresh import refresh_student
from app.services.shared import cache
from app.services.shared.queues import QUEUE_NAMES

log = logging.getLogger(__name__)


def _parse(now):
    return datetime.fromisoformat(now) if isinstance(now, str) else now


@job
def drain_dashboard_queue(limit=None, now=None):
    """Refresh every pending student, most urgent first (safe to run twice, and concurrently)."""
    # A write from now on must enqueue a new drain: this one may already be past its row.
    cache.delete(*(cache.dashboard_drain_scheduled_key(name) for name in QUEUE_NAMES))
    return {"refreshed": drain.drain(limit=limit, now=_parse(now))}


@job
def refresh_student_dashboard(student_id, reason="manual", now=None):
    """Recompute one student's dashboard now."""
    return {"student_id": student_id, "refreshed": refresh_student(student_id, reason, now=_parse(now)) is not None}


@job
def refresh_dashboards(mode="all", now=None):
    """Every 5 minutes: drain the queue, refresh stale aggregates, forget day-old queue rows."""
    return drain.refresh_dashboards(mode, _parse(now))
