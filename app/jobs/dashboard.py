"""Student dashboard refreshes: drain the queue by priority, refresh stale aggregates."""

import logging
from datetime import datetime, timedelta

from app.jobs.base import job
from app.models import utcnow
from app.services import cache
from app.services.dashboard import queue
from app.services.dashboard.refresh import refresh_student
from app.services.transaction import rollback

log = logging.getLogger(__name__)


def _parse(now):
    return datetime.fromisoformat(now) if isinstance(now, str) else now


@job
def drain_dashboard_queue(limit=None, now=None):
    """Refresh every pending student, most urgent first (safe to run twice, and concurrently)."""
    from app.jobs.queues import QUEUE_NAMES

    # A write from now on must enqueue a new drain: this one may already be past its row.
    cache.delete(*(cache.dashboard_drain_scheduled_key(name) for name in QUEUE_NAMES))
    return {"refreshed": queue.drain(limit=limit, now=_parse(now))}


@job
def refresh_student_dashboard(student_id, reason="manual", now=None):
    """Recompute one student's dashboard now."""
    return {"student_id": student_id, "refreshed": refresh_student(student_id, reason, now=_parse(now)) is not None}


def refresh_stale(now=None, limit=1000):
    """Refresh the aggregates older than DASHBOARD_STALE_AFTER (and missing ones), oldest first.
    One student whose refresh fails is logged and skipped, not allowed to stop the rest."""
    ids = queue.stale_student_ids(now=now, limit=limit)
    refreshed = 0
    for student_id in ids:
        try:
            refresh_student(student_id, "stale", now=now)
            refreshed += 1
        except Exception:
            rollback()
            log.exception("stale refresh of student %s failed", student_id)
    return refreshed


def refresh_dashboards_now(mode="all", now=None):
    """The work of `flask refresh-dashboards` and of the 5-minute job: mode all, queue or stale."""
    result = {}
    if mode in ("all", "queue"):
        result["drained"] = queue.drain(now=now)
    if mode in ("all", "stale"):
        result["stale_refreshed"] = refresh_stale(now=now)
    return result


@job
def refresh_dashboards(mode="all", now=None):
    """Every 5 minutes: drain the queue, refresh stale aggregates, forget day-old queue rows."""
    now = _parse(now)
    result = refresh_dashboards_now(mode, now)
    result["pruned"] = queue.prune_processed((now or utcnow()) - timedelta(days=1))
    return result
