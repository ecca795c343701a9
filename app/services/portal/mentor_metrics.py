"""The mentor dashboard's figures, cached per mentor, and the coalesced `metrics:updated` event.

Every write that moves a figure calls changed(mentor_id) inside its transaction. After the
commit the cache is dropped and the mentor hears `metrics:updated` — at most once every
METRICS_INTERVAL seconds: the first write of a burst is told at once, and the rest of the
burst collapses into one trailing event (an RQ job run when the interval is over) that
carries the figures as they are then. The pushed figures count "sessions today" in the zone
the mentor last asked GET /mentor/metrics?tz= for (kept in Redis; UTC until they ask).
"""

import json
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import func, select

from app.extensions import db, get_redis
from app.models import Entry, Role, Schedule, Task, User, iso, utcnow
from app.services.realtime import coalesce, events
from app.services.realtime.emit import emit
from app.services.realtime.rooms import mentor_room
from app.services.shared import cache
from app.services.shared.transaction import after_commit

log = logging.getLogger(__name__)

METRICS_INTERVAL = 2  # seconds between two metrics:updated events for one mentor
_PENDING = "pulse_metrics_changed"


def compute(mentor_id, tz="UTC", now=None):
    """The figures, straight from the database. "Today" is the mentor's day in `tz`."""
    now = now or utcnow()
    students = select(User.id).where(User.mentor_id == mentor_id, User.role == Role.STUDENT, User.is_active.is_(True))
    active = db.session.scalar(select(func.count()).select_from(students.subquery()))
    by_status = dict(
        db.session.execute(
            select(Entry.status, func.count(Entry.id)).where(Entry.student_id.in_(students)).group_by(Entry.status)
        ).all()
    )
    open_tasks = select(func.count(Task.id)).where(Task.student_id.in_(students), Task.status == "open")
    zone = ZoneInfo(tz)
    day_start = datetime.combine(now.astimezone(zone).date(), time(), zone)
    day_end = datetime.combine(day_start.date() + timedelta(days=1), time(), zone)
    sessions = db.session.execute(
        select(Schedule.status, func.count(Schedule.id))
        .where(
            Schedule.mentor_id == mentor_id,
            Schedule.start_time < day_end,
            Schedule.start_time >= day_start,
            Schedule.status != "canceled",
        )
        .group_by(Schedule.status)
    ).all()
    sessions = dict(sessions)
    return {
        "active_students": active,
        "entries": {
            "total": sum(by_status.values()),
            "approved": by_status.get("approved", 0),
            "pending": by_status.get("pending", 0),
            "needs_revision": by_status.get("needs_revision", 0),
            "rejected": by_status.get("rejected", 0),
        },
        "tasks": {
            "open": db.session.scalar(open_tasks),
            "overdue": db.session.scalar(open_tasks.where(Task.due_at < now)),
        },
        "sessions_today": {
            "total": sum(sessions.values()),
            "scheduled": sessions.get("scheduled", 0),
            "completed": sessions.get("completed", 0),
        },
        "tz": tz,
        "computed_at": iso(now),
    }


def get(mentor_id, tz="UTC"):
    """The cached figures (computed and stored on a miss; straight from the database if Redis is down).

    Every change bumps the mentor's version; figures are cached with the version they were
    computed under and ignored once it moved, so a read that raced a write cannot leave
    stale figures behind."""
    key, version_key = cache.mentor_metrics_key(mentor_id), cache.mentor_metrics_version_key(mentor_id)
    try:
        version, raw = get_redis().pipeline().get(version_key).hget(key, tz).execute()
    except redis.RedisError:
        return compute(mentor_id, tz) | {"cached": False}
    version = int(version or 0)
    if raw is not None:
        cached = json.loads(raw)
        if cached.pop("version", None) == version:
            return cached | {"cached": True}
    figures = compute(mentor_id, tz)
    try:
        pipe = get_redis().pipeline()
        pipe.hset(key, tz, json.dumps(figures | {"version": version}))
        pipe.expire(key, cache.MENTOR_METRICS_TTL)
        pipe.execute()
    except redis.RedisError:
        log.warning("could not cache metrics for mentor %s", mentor_id)
    return figures | {"cached": False}


def read(mentor_id, tz=None):
    """GET /mentor/metrics: the figures in `tz` (UTC when not given); a zone asked for is
    remembered for the pushed `metrics:updated`."""
    if tz:
        try:
            get_redis().set(cache.mentor_zone_key(mentor_id), tz, ex=cache.MENTOR_ZONE_TTL)
        except redis.RedisError:
            log.warning("could not remember the time zone of mentor %s", mentor_id)
    return get(mentor_id, tz or "UTC")


def zone_of(mentor_id):
    """The zone the mentor last asked for, else UTC."""
    try:
        zone = get_redis().get(cache.mentor_zone_key(mentor_id))
    except redis.RedisError:
        zone = None
    return zone.decode() if zone else "UTC"


def changed(*mentor_ids):
    """Call inside a write's transaction: after commit, drop the cache and tell the mentors."""
    pending = db.session.info.setdefault(_PENDING, set())
    if not pending:
        after_commit(_after_commit)
    pending.update(m for m in mentor_ids if m)


def _after_commit():
    for mentor_id in sorted(db.session.info.pop(_PENDING, set())):
        cache.bump(cache.mentor_metrics_version_key(mentor_id), cache.MENTOR_METRICS_TTL * 2)
        cache.delete(cache.mentor_metrics_key(mentor_id))
        notify_changed(mentor_id)


def notify_changed(mentor_id):
    """Send metrics:updated now if none went out in the last interval, else schedule one trailing event."""
    coalesce.notify(
        cache.metrics_throttle_key(mentor_id),
        cache.metrics_trailing_key(mentor_id),
        METRICS_INTERVAL,
        lambda: send(mentor_id),
        "app.jobs.mentor_metrics.send_metrics_update",
        mentor_id,
    )


def send(mentor_id):
    """Emit metrics:updated with the current figures. Derived data, so no outbox: the
    dashboard can always GET /mentor/metrics; a lost event only delays a refresh."""
    figures = get(mentor_id, zone_of(mentor_id))
    figures.pop("cached", None)
    emit(events.METRICS_UPDATED, {"mentor_id": mentor_id, "metrics": figures}, mentor_room(mentor_id))
    return figures


def send_trailing(mentor_id):
    """The trailing event of a burst: the figures as they are now, then a fresh interval."""
    coalesce.start_trailing(
        cache.metrics_throttle_key(mentor_id), cache.metrics_trailing_key(mentor_id), METRICS_INTERVAL
    )
    return send(mentor_id)
