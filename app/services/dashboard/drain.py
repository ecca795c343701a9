"""Draining the refresh queue: pending rows most urgent first (then oldest), each in its own
transaction with the row locked (SKIP LOCKED), so two drains never refresh the same row.
Also the stale sweep. It sits above refresh.py; queue.py below only records the work."""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import DashboardUpdateQueue, utcnow
from app.services.dashboard import queue
from app.services.dashboard.refresh import refresh_student
from app.services.transaction import rollback

log = logging.getLogger(__name__)


def drain(limit=None, now=None):
    """Refresh pending students most urgent first, oldest first. Safe to run twice, and concurrently."""
    done = 0
    while limit is None or done < limit:
        row = db.session.scalars(
            select(DashboardUpdateQueue)
            .where(DashboardUpdateQueue.processed_at.is_(None))
            .order_by(DashboardUpdateQueue.priority_rank, DashboardUpdateQueue.queued_at, DashboardUpdateQueue.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            break
        row.processed_at = utcnow()
        row_id, student_id, reason = row.id, row.student_id, row.reason
        try:
            refresh_student(student_id, reason, now=now)  # commits the row with the refresh
        except Exception:
            rollback()
            log.exception("dashboard refresh of student %s failed; dropped from the queue", student_id)
            if current_app.testing:
                raise
            db.session.execute(
                DashboardUpdateQueue.__table__.update()
                .where(DashboardUpdateQueue.__table__.c.id == row_id)
                .values(processed_at=utcnow(), reason=f"failed:{reason}"[:80])
            )
            db.session.commit()
        done += 1
    return done


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
        result["drained"] = drain(now=now)
    if mode in ("all", "stale"):
        result["stale_refreshed"] = refresh_stale(now=now)
    return result


def refresh_dashboards(mode="all", now=None):
    """The 5-minute job's work: drain, refresh stale aggregates, forget day-old queue rows."""
    result = refresh_dashboards_now(mode, now)
    result["pruned"] = queue.prune_processed((now or utcnow()) - timedelta(days=1))
    return result
