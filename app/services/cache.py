"""Every Redis cache key, its TTL, and which writes make it stale, in one place.

Redis is only a cache here: every read falls back to the database when Redis is down,
and every helper swallows Redis errors (logged) instead of failing the request.
"""

import json
import logging

import redis
from flask import current_app

from app.extensions import get_redis

log = logging.getLogger(__name__)

# -- keys -------------------------------------------------------------------------------


def insights_key(student_id):
    """A student's insights for their mentor. Stale on: a new chat intent, an alert change."""
    return f"mentor:student_insights:{student_id}"


def insights_computing_key(student_id):
    """Set while a precalculation job is queued or running, so a burst enqueues one job."""
    return f"mentor:student_insights:{student_id}:computing"


def notifications_key(user_id, is_mentor):
    """The 50 newest notifications (sorted set). Stale on: read, read-all, clear, alert resolved."""
    return f"mentor:notifications:{user_id}" if is_mentor else f"notifications:{user_id}"


def insights_ttl():
    return current_app.config["INSIGHTS_TTL"]


INSIGHTS_COMPUTING_TTL = 120
NOTIFICATIONS_TTL = 7 * 24 * 3600

# -- helpers ----------------------------------------------------------------------------


def get_json(key):
    """The cached value, or None when missing or when Redis is down."""
    try:
        raw = get_redis().get(key)
    except redis.RedisError as exc:
        log.warning("cache read of %s failed: %s", key, exc)
        return None
    return json.loads(raw) if raw is not None else None


def set_json(key, value, ttl):
    try:
        get_redis().set(key, json.dumps(value, default=str), ex=ttl)
        return True
    except redis.RedisError as exc:
        log.warning("cache write of %s failed: %s", key, exc)
        return False


def delete(*keys):
    try:
        get_redis().delete(*keys)
    except redis.RedisError as exc:
        log.warning("cache invalidation of %s failed: %s", keys, exc)


def claim(key, ttl):
    """Set `key` only if absent: True if this caller claimed it (False when Redis is down)."""
    try:
        return bool(get_redis().set(key, 1, nx=True, ex=ttl))
    except redis.RedisError:
        return False


def bump(key, ttl):
    """Increment a counter (kept `ttl` seconds); a Redis outage is logged, not raised."""
    try:
        pipe = get_redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("could not bump %s: %s", key, exc)


def available():
    try:
        return bool(get_redis().ping())
    except redis.RedisError:
        return False


def exists(key):
    try:
        return bool(get_redis().exists(key))
    except redis.RedisError:
        return False


# -- invalidation, named by the write that causes it ------------------------------------


def on_student_activity(student_id):
    """A new intent or alert change for a student: their insights are stale."""
    delete(insights_key(student_id))


# -- mentoring portal -------------------------------------------------------------------


def mentor_metrics_key(mentor_id):
    """A mentor's dashboard figures, a hash by time zone. Stale on: entries, tasks, schedules,
    a student assigned or deactivated (services.mentor_metrics.changed), and with the clock."""
    return f"mentor:metrics:{mentor_id}"


def mentor_metrics_version_key(mentor_id):
    """Bumped by every change to a mentor's figures; cached figures carry the version they saw."""
    return f"mentor:metrics:{mentor_id}:version"


def metrics_throttle_key(mentor_id):
    """Set for 2 s after a metrics:updated event, so a burst of writes sends one event."""
    return f"mentor:metrics:{mentor_id}:sent"


def metrics_trailing_key(mentor_id):
    """Set while a trailing metrics:updated (with the burst's final figures) is scheduled."""
    return f"mentor:metrics:{mentor_id}:trailing"


MENTOR_METRICS_TTL = 300

# -- student dashboard ------------------------------------------------------------------
# The aggregate's hot copy (the database row student_dashboard_cache is the truth). Stale
# on: a refresh of that student (overwritten, never just deleted: reads must not compute).


def dashboard_key(student_id):
    """A student's whole dashboard aggregate. Replaced by every refresh of that student."""
    return f"student:dashboard:{student_id}"


def dashboard_stale_queued_key(student_id):
    """Set when a read found the aggregate stale and queued a refresh, so a burst queues one."""
    return f"student:dashboard:{student_id}:stale_queued"


def dashboard_drain_scheduled_key(queue_name):
    """Set while a drain job waits on that RQ queue, so a burst of writes enqueues one job."""
    return f"student:dashboard:drain_scheduled:{queue_name}"


def stream_token_key(token_hash):
    """A single-use SSE token (by its SHA-256) -> the student id. Deleted when used."""
    return f"student:dashboard:stream_token:{token_hash}"


def dashboard_ttl():
    return current_app.config["DASHBOARD_CACHE_TTL"]


DASHBOARD_STALE_QUEUED_TTL = 60
DASHBOARD_DRAIN_SCHEDULED_TTL = 30


# -- periodic jobs ----------------------------------------------------------------------


def periodic_slot_key(job_name, slot):
    """Claimed (SET NX) by the one clock that enqueues `job_name` for that interval slot."""
    return f"clock:periodic:{job_name}:{slot}"


def clock_heartbeat_key(clock_id):
    """How many ticks one clock (host:pid) has made; expires when the clock stops."""
    return f"clock:heartbeat:{clock_id}"


CLOCK_HEARTBEAT_TTL = 60
