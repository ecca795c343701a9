"""Draining the refresh queue: a batch of pending rows at a time, most urgent first (then
oldest), locked with SKIP LOCKED so two drains never refresh the same row, refreshed together
by batch.py in one transaction with the rows marked done. Also the stale sweep, in batches.
It sits above refresh.py and batch.py; queue.py below only records the work."""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import DashboardUpdateQueue, utcnow
from app.services.dashboard import queue
from app.services.dashboard.batch import refresh_students
from app.services.dashboard.refresh import refresh_student
from app.services.shared.transaction import rollback

log = logging.getLogger(__name__)
_QUEUE = DashboardUpdateQueue.__table__


def drain(limit=None, now=None, batch_size=None):
    """Refresh pending students most urgent first, oldest first, DASHBOARD_REFRESH_BATCH at a
    time. Safe to run twice, and concurrently (rows are taken with SKIP LOCKED)."""
    size = batch_size or current_app.config["DASHBOARD_REFRESH_BATCH"]
    done = 0
    while limit is None or done < limit:
        take = size if limit is None else min(size, limit - done)
        rows = db.session.execute(
            select(_QUEUE.c.id, _QUEUE.c.student_id, _QUEUE.c.reason)
            .where(_QUEUE.c.processed_at.is_(None))
            .order_by(_QUEUE.c.priority_rank, _QUEUE.c.queued_at, _QUEUE.c.id)
            .limit(take)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            break
        # Marked in the refresh's own transaction: a failed batch leaves its rows pending.
        db.session.execute(_QUEUE.update().where(_QUEUE.c.id.in_([r.id for r in rows])).values(processed_at=utcnow()))
        try:
            refresh_students([(r.student_id, r.reason) for r in rows], now=now)  # commits the rows with it
        except Exception:
            rollback()
            if current_app.testing:
                raise
            log.exception("batch refresh of %d dashboards failed; refreshing them one by one", len(rows))
            for row in rows:
                _drain_one(row.id, now)
        done += len(rows)
    return done


def _drain_one(row_id, now):
    """The row's refresh on its own, if still pending; a student whose refresh fails is dropped."""
    row = db.session.execute(
        select(_QUEUE.c.student_id, _QUEUE.c.reason)
        .where(_QUEUE.c.id == row_id, _QUEUE.c.processed_at.is_(None))
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        rollback()
        return
    db.session.execute(_QUEUE.update().where(_QUEUE.c.id == row_id).values(processed_at=utcnow()))
    try:
        refresh_student(row.student_id, row.reason, now=now)  # commits the row with the refresh
    except Exception:
        rollback()
        log.exception("dashboard refresh of student %s failed; dropped from the queue", row.student_id)
        db.session.execute(
            _QUEUE.update()
            .where(_QUEUE.c.id == row_id)
            .values(processed_at=utcnow(), reason=f"failed:{row.reason}"[:80])
        )
        db.session.commit()


def refresh_stale(now=None, limit=1000, batch_size=None):
    """Refresh the aggregates older than DASHBOARD_STALE_AFTER (and missing ones), oldest first,
    in batches. A batch that fails is retried one by one: one bad student does not stop the rest."""
    size = batch_size or current_app.config["DASHBOARD_REFRESH_BATCH"]
    ids = queue.stale_student_ids(now=now, limit=limit)
    refreshed = 0
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        try:
            refresh_students([(sid, "stale") for sid in chunk], now=now)
            refreshed += len(chunk)
            continue
        except Exception:
            rollback()
            if current_app.testing:
                raise
            log.exception("stale batch refresh of %d dashboards failed; one by one", len(chunk))
        for student_id in chunk:
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
