"""The dashboard refresh queue: one pending row per student, drained by priority.

queue_refresh() is the hook the rest of Pulse calls inside its own open transaction, e.g.

    queue_refresh([task.student_id], "task:assigned", "high")
    transaction.commit()

It adds the student's pending row, or raises that row's priority (and takes the new
reason) when the new one is higher, and after the commit enqueues one RQ drain job
(drain.py, which sits above refresh.py: this module only records the work).
"""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, select, text

from app.extensions import db
from app.models import (
    Attendance,
    CohortMember,
    DashboardUpdateQueue,
    Entry,
    Notification,
    Role,
    Schedule,
    StudentDashboardCache,
    Task,
    User,
    utcnow,
)
from app.models.dashboard import PRIORITIES
from app.services.shared import cache
from app.services.shared.queues import DEFAULT, HIGH, LOW, enqueue
from app.services.shared.transaction import after_commit
from app.services.shared.upsert import upsert

log = logging.getLogger(__name__)

_DRAINS = "pulse_dashboard_drains"
PENDING = text("processed_at IS NULL")


def rq_queue_for(priority):
    return {"urgent": HIGH, "high": HIGH, "normal": DEFAULT, "low": LOW}[priority]


def queue_refresh(student_ids, reason, priority="normal"):
    """Queue a refresh of these students' dashboards in the caller's transaction (commit after)."""
    if priority not in PRIORITIES:
        raise ValueError(f"unknown dashboard priority {priority!r}")
    ids = sorted({int(i) for i in student_ids if i is not None})
    if not ids:
        return []
    now = utcnow()
    rows = [
        {
            "student_id": i,
            "priority": priority,
            "priority_rank": PRIORITIES[priority],
            "reason": reason[:80],
            "queued_at": now,
        }
        for i in ids
    ]

    def raise_if_higher(stmt):
        table, new = DashboardUpdateQueue.__table__.c, stmt.excluded
        higher = new.priority_rank < table.priority_rank
        return {
            "priority_rank": case((higher, new.priority_rank), else_=table.priority_rank),
            "priority": case((higher, new.priority), else_=table.priority),
            "reason": case((higher, new.reason), else_=table.reason),
        }

    upsert(DashboardUpdateQueue, rows, ["student_id"], raise_if_higher, index_where=PENDING)
    drains = db.session.info.setdefault(_DRAINS, set())
    if not drains:
        after_commit(_enqueue_drains)
    drains.add(rq_queue_for(priority))
    return ids


def _enqueue_drains():
    for name in sorted(db.session.info.pop(_DRAINS, set())):
        # One waiting drain per RQ queue is enough: it takes every pending row.
        if cache.claim(cache.dashboard_drain_scheduled_key(name), cache.DASHBOARD_DRAIN_SCHEDULED_TTL):
            enqueue("app.jobs.dashboard.drain_dashboard_queue", queue=name)


def students_of_cohort(cohort_id):
    return list(db.session.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)))


def queue_refresh_for_cohort(cohort_id, reason, priority="normal"):
    """Queue every member of a cohort (a group session, a cohort change)."""
    return queue_refresh(students_of_cohort(cohort_id), reason, priority)


# What a change to each portal object means for its students' dashboards.
CHANGE_PRIORITY = {Task: "high", Entry: "high", Schedule: "normal", Attendance: "normal", Notification: "low"}


def queue_refresh_for(obj, reason=None):
    """Queue the students a changed Task, Entry, Schedule, Attendance or Notification affects."""
    kind = type(obj)
    reason = reason or f"{kind.__tablename__}:{getattr(obj, 'id', None)}"
    priority = CHANGE_PRIORITY.get(kind, "normal")
    if isinstance(obj, Schedule):
        ids = [obj.student_id] if obj.student_id else []
        if obj.cohort_id:
            ids += students_of_cohort(obj.cohort_id)
        return queue_refresh(ids, reason, priority)
    student_id = getattr(obj, "student_id", None) or getattr(obj, "user_id", None)
    return queue_refresh([student_id], reason, priority)


def pending_count():
    return db.session.query(DashboardUpdateQueue).filter(DashboardUpdateQueue.processed_at.is_(None)).count()


def stale_student_ids(now=None, limit=1000):
    """Active students whose aggregate is older than DASHBOARD_STALE_AFTER, or missing."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=current_app.config["DASHBOARD_STALE_AFTER"])
    return list(
        db.session.scalars(
            select(User.id)
            .outerjoin(StudentDashboardCache, StudentDashboardCache.student_id == User.id)
            .where(
                User.role == Role.STUDENT,
                User.is_active.is_(True),
                (StudentDashboardCache.updated_at.is_(None)) | (StudentDashboardCache.updated_at < cutoff),
            )
            .order_by(StudentDashboardCache.updated_at.asc().nulls_first(), User.id)
            .limit(limit)
        )
    )


def prune_processed(older_than):
    """Forget refreshes done before `older_than`."""
    count = (
        db.session.query(DashboardUpdateQueue)
        .filter(DashboardUpdateQueue.processed_at.is_not(None), DashboardUpdateQueue.processed_at < older_than)
        .delete()
    )
    db.session.commit()
    return count
