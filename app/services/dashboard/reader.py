"""Reading a dashboard: Redis first, then the database row; compute only at cold start.

A read that finds the aggregate older than DASHBOARD_STALE_AFTER answers with it at once
and queues a low-priority refresh (once per minute at most), so the request never waits.
"""

import json
from datetime import datetime, timedelta

from flask import current_app

from app.extensions import db
from app.models import StudentDashboardCache, utcnow
from app.services.dashboard import aggregate, store
from app.services.dashboard.queue import queue_refresh
from app.services.dashboard.refresh import refresh_student
from app.services.shared import cache, metrics
from app.services.shared.transaction import commit


def read(student, now=None):
    """(aggregate, where it came from: "redis", "database" or "computed")."""
    data = cache.get_json(cache.dashboard_key(student.id))
    if data is not None:
        metrics.DASHBOARD_CACHE_HITS.labels(layer="redis").inc()
        return data, "redis"
    row = db.session.get(StudentDashboardCache, student.id)
    if row is not None:
        metrics.DASHBOARD_CACHE_HITS.labels(layer="database").inc()
        store.put(student.id, row.data)
        return row.data, "database"
    metrics.DASHBOARD_CACHE_MISSES.inc()
    return refresh_student(student.id, "cold_start", now=now), "computed"


def is_stale(data, now):
    updated = datetime.fromisoformat(data["last_updated"].replace("Z", "+00:00"))
    return now - updated > timedelta(seconds=current_app.config["DASHBOARD_STALE_AFTER"])


def keys_read(student_id):
    """The Redis keys cached_response reads (the API's gate reads them ahead)."""
    return store.raw_keys(student_id)


def cached_response(student, now=None):
    """The default dashboard (both optional sections) as response bytes straight from Redis,
    or None on a miss (then dashboard_for). The stored JSON for the reader's tier is spliced
    with the per-request fields, never decoded. `student` needs id, tier, enhanced_access_until."""
    now = now or utcnow()
    access, warning = aggregate.access_of(student, now)
    raw, last_updated = store.get_raw(student.id, access["tier"])
    if raw is None:
        return None
    metrics.DASHBOARD_CACHE_HITS.labels(layer="redis").inc()
    queued = False
    if is_stale({"last_updated": last_updated}, now):
        if cache.claim(cache.dashboard_stale_queued_key(student.id), cache.DASHBOARD_STALE_QUEUED_TTL):
            queue_refresh([student.id], "stale_on_read", "low")
            commit()
        queued = True
    extra = json.dumps({"access": access, "warning": warning, "source": "redis", "refresh_queued": queued})
    return raw[:-1] + b", " + extra[1:].encode()


def dashboard_for(student, include_notifications=True, include_ai_nudge=True, now=None):
    """The student's own dashboard as they may see it."""
    now = now or utcnow()
    data, source = read(student, now)
    queued = False
    if source != "computed" and is_stale(data, now):
        if cache.claim(cache.dashboard_stale_queued_key(student.id), cache.DASHBOARD_STALE_QUEUED_TTL):
            queue_refresh([student.id], "stale_on_read", "low")
            commit()
        queued = True
    out = aggregate.view(data, student, now, include_notifications, include_ai_nudge)
    out["source"] = source
    out["refresh_queued"] = queued
    return out
