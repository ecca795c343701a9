"""Every Redis cache key, its TTL, and which writes make it stale, in one place.

Redis is only a cache here: every read falls back to the database when Redis is down,
and every helper swallows Redis errors (logged) instead of failing the request.

Every key is built by `key(...)`, which puts the deployment namespace in front
(`<namespace>:student:dashboard:12`, see docs/namespaces.md); the names documented below
are what follows the prefix. A new key: add a function here that returns `key("...")`.
"""

import json
import logging

import redis
from flask import current_app, g, has_request_context

from app.extensions import get_redis
from app.namespace import namespaced as key  # `cache.key("...")`: a Redis name of this deployment

log = logging.getLogger(__name__)

# -- keys -------------------------------------------------------------------------------


def insights_key(student_id):
    """A student's insights for their mentor. Stale on: a new chat intent, an alert change."""
    return key(f"mentor:student_insights:{student_id}")


def insights_computing_key(student_id):
    """Set while a precalculation job is queued or running, so a burst enqueues one job."""
    return key(f"mentor:student_insights:{student_id}:computing")


def notifications_key(user_id, is_mentor):
    """The 50 newest notifications (sorted set). Stale on: read, read-all, clear, alert resolved."""
    return key(f"mentor:notifications:{user_id}" if is_mentor else f"notifications:{user_id}")


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


_AHEAD = "pulse_cache_read_ahead"


def keep_ahead(values):
    """{key: bytes or None} read in this request's first round trip (api/gate.py, for a view
    decorated @reads_ahead): get_many_raw() answers from them once instead of asking Redis."""
    if values and has_request_context():
        g.setdefault(_AHEAD, {}).update(values)


def get_many_raw(*keys):
    """The stored bytes of each key (None when missing), all None when Redis is down."""
    ahead = g.get(_AHEAD) if has_request_context() else None
    if ahead and all(k in ahead for k in keys):
        return [ahead.pop(k) for k in keys]
    try:
        return get_redis().mget(keys)
    except redis.RedisError as exc:
        log.warning("cache read of %s failed: %s", keys, exc)
        return [None] * len(keys)


def set_many_raw(values, ttl):
    """Write {key: str/bytes} in one round trip."""
    try:
        pipe = get_redis().pipeline(transaction=False)
        for key, value in values.items():
            pipe.set(key, value, ex=ttl)
        pipe.execute()
        return True
    except redis.RedisError as exc:
        log.warning("cache write of %s failed: %s", list(values), exc)
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


# -- token revocation (app/services/identity/tokens.py; the database is the record) --------------


def revoked_key(jti):
    """Set while the token `jti` is revoked and unexpired (TTL: until it expires)."""
    return key(f"jwt:revoked:{jti}")


def revoked_loaded_key():
    """Set while the revoked_key entries are complete; gone after a Redis restart, so the next
    check reloads them from the database."""
    return key("jwt:revoked:loaded")


# -- mentoring portal -------------------------------------------------------------------


def mentor_metrics_key(mentor_id):
    """A mentor's dashboard figures, a hash by time zone. Stale on: entries, tasks, schedules,
    a student assigned or deactivated (services.mentor_metrics.changed), and with the clock."""
    return key(f"mentor:metrics:{mentor_id}")


def mentor_metrics_version_key(mentor_id):
    """Bumped by every change to a mentor's figures; cached figures carry the version they saw."""
    return key(f"mentor:metrics:{mentor_id}:version")


def metrics_throttle_key(mentor_id):
    """Set for 2 s after a metrics:updated event, so a burst of writes sends one event."""
    return key(f"mentor:metrics:{mentor_id}:sent")


def metrics_trailing_key(mentor_id):
    """Set while a trailing metrics:updated (with the burst's final figures) is scheduled."""
    return key(f"mentor:metrics:{mentor_id}:trailing")


MENTOR_METRICS_TTL = 300

# -- student dashboard ------------------------------------------------------------------
# The aggregate's hot copy (the database row student_dashboard_cache is the truth). Stale
# on: a refresh of that student (overwritten, never just deleted: reads must not compute).


def dashboard_key(student_id):
    """A student's whole dashboard aggregate. Replaced by every refresh of that student."""
    return key(f"student:dashboard:{student_id}")


def dashboard_stale_queued_key(student_id):
    """Set when a read found the aggregate stale and queued a refresh, so a burst queues one."""
    return key(f"student:dashboard:{student_id}:stale_queued")


def dashboard_drain_scheduled_key(queue_name):
    """Set while a drain job waits on that RQ queue, so a burst of writes enqueues one job."""
    return key(f"student:dashboard:drain_scheduled:{queue_name}")


def dashboard_tier_key(student_id, tier):
    """The aggregate as a reader of `tier` sees it (the free tier's masked JSON). Written with
    dashboard_key by every refresh; served as stored bytes on a hit."""
    return key(f"student:dashboard:{student_id}:{tier}")


def stream_token_key(token_hash):
    """A single-use SSE token (by its SHA-256) -> the student id. Deleted when used."""
    return key(f"student:dashboard:stream_token:{token_hash}")


def stream_token_pattern():
    """Every stream token key (for the cleanup job's SCAN)."""
    return key("student:dashboard:stream_token:*")


def dashboard_ttl():
    return current_app.config["DASHBOARD_CACHE_TTL"]


DASHBOARD_STALE_QUEUED_TTL = 60
DASHBOARD_DRAIN_SCHEDULED_TTL = 30

# -- identity (auth path and socket connect) --------------------------------------------


def auth_user_key(user_id):
    """Who a user is for the auth path: active, role, cohorts, mentor, tier, profile fields.
    Rewritten after every write to them (services.principals.changed), rebuilt on a miss."""
    return key(f"auth:user:{user_id}")


def auth_ttl():
    return current_app.config["AUTH_CACHE_TTL"]


# -- real time --------------------------------------------------------------------------


def events_emitted_key():
    """A hash event name -> how many times it was published, by every web and worker process
    (for /metrics). Never stale: only ever incremented."""
    return key("realtime:events_emitted")


def mentor_zone_key(mentor_id):
    """The time zone a mentor last asked GET /mentor/metrics?tz= for; metrics:updated uses it."""
    return key(f"mentor:metrics:{mentor_id}:tz")


def stream_logout_key(user_id):
    """When the user last logged out (epoch seconds): stream tokens issued before are refused."""
    return key(f"student:dashboard:stream_logout:{user_id}")


MENTOR_ZONE_TTL = 90 * 24 * 3600


# -- academy ----------------------------------------------------------------------------


def student_courses_key(student_id):
    """GET /student/courses for one student. Stale on: enrol, payment decision, enrolment
    ended, a lesson completed, a certificate issued, and any change to one of their courses
    (services.academy.progress.invalidate_*)."""
    return key(f"student:courses:{student_id}")


def course_summary_throttle_key(course_id):
    """Set for COURSE_SUMMARY_INTERVAL s after a course summary went to its educator."""
    return key(f"course:summary:{course_id}:sent")


def course_summary_trailing_key(course_id):
    """Set while a trailing course summary (the burst's final figures) is scheduled."""
    return key(f"course:summary:{course_id}:trailing")


def student_courses_ttl():
    return current_app.config["STUDENT_COURSES_TTL"]


# -- educator performance ---------------------------------------------------------------
# The figures themselves live in the performance_cache table (versioned, see
# services/performance/store.py); Redis only coordinates the jobs and the live events.


def performance_recompute_queued_key(section_id):
    """Set while a recompute of this section is queued, so a burst of writes enqueues one job."""
    return key(f"educator:performance:section:{section_id}:queued")


def performance_changes_key(section_id):
    """The event kinds (grade:updated, ...) written since the last recompute started (a list)."""
    return key(f"educator:performance:section:{section_id}:changes")


def performance_throttle_key(section_id):
    """Set for 2 s after a section's live event, so a burst sends one event at once."""
    return key(f"educator:performance:section:{section_id}:sent")


def performance_trailing_key(section_id):
    """Set while a trailing event (with the burst's final figures) is scheduled for the section."""
    return key(f"educator:performance:section:{section_id}:trailing")


def performance_trailing_changes_key(section_id):
    """The event kinds the scheduled trailing event stands for (a list)."""
    return key(f"educator:performance:section:{section_id}:trailing_changes")


PERFORMANCE_QUEUED_TTL = 60


def push_list(name, values, ttl):
    """Append to the list `name` (a key built above), kept `ttl` seconds; False when Redis is down."""
    try:
        pipe = get_redis().pipeline()
        pipe.rpush(name, *values)
        pipe.expire(name, ttl)
        pipe.execute()
        return True
    except redis.RedisError as exc:
        log.warning("could not append to %s: %s", name, exc)
        return False


def pop_list(name):
    """Take the whole list (and delete it) in one step; [] when missing or Redis is down."""
    try:
        pipe = get_redis().pipeline()
        pipe.lrange(name, 0, -1)
        pipe.delete(name)
        values, _ = pipe.execute()
        return [v.decode() if isinstance(v, bytes) else v for v in values]
    except redis.RedisError as exc:
        log.warning("could not read %s: %s", name, exc)
        return []


# -- periodic jobs ----------------------------------------------------------------------


def periodic_slot_key(job_name, slot):
    """Claimed (SET NX) by the one clock that enqueues `job_name` for that interval slot."""
    return key(f"clock:periodic:{job_name}:{slot}")


def clock_heartbeat_key(clock_id):
    """How many ticks one clock (host:pid) has made; expires when the clock stops."""
    return key(f"clock:heartbeat:{clock_id}")


CLOCK_HEARTBEAT_TTL = 60


def performance_trends_key(stamp, weeks, day):
    """The overview page's merged weekly trends of a set of sections (services/performance/
    trends.py), `stamp` a hash of their ids and data versions: any write is a new key."""
    return key(f"educator:performance:trends:{stamp}:{weeks}:{day}")


def performance_trend_part_key(section_id, version, weeks, day):
    """One section's weekly sums for the overview page's trends (services/performance/trends.py):
    named by the section's data version and the day, so a write to the section (or a new day)
    is a new key; old ones lapse after PERFORMANCE_TRENDS_TTL."""
    return key(f"educator:performance:trends:section:{section_id}:{version}:{weeks}:{day}")


PERFORMANCE_TRENDS_TTL = 600
