"""Fair connections: how many sockets and SSE streams one user holds, and who may take the
last part of a process's connection budget.

One user's long-lived connections are counted across every web process in Redis: a sorted
set per user, one member per connection ("<process>:<n>"), scored with the moment it
lapses. Taking a slot first drops lapsed members, then adds one if the user holds fewer
than CONNECTIONS_PER_USER (one Lua script, so two processes cannot both take the last one).
Each process renews its own members every CONNECTION_SLOT_TTL/3 seconds, so a process that
crashed (and never released its slots) stops holding them CONNECTION_SLOT_TTL seconds later.

Each process also keeps WEB_STAFF_RESERVE of its WEB_MAX_CONNECTIONS (default a tenth) out
of students' reach: once students' sockets and streams on this process fill the rest, a
student's next one is refused and mentors, educators and admins still get in (crisis
alerts keep arriving live). That count is the process's own, in memory.

With Redis down the per-user count is skipped (logged): the reserve still holds, and every
user, mentors included, can still connect.
"""

import itertools
import logging
import threading
import time
import uuid

import redis
from flask import current_app

from app.extensions import get_redis
from app.models import Role
from app.services.shared import cache
from app.services.shared.errors import TooMany

log = logging.getLogger(__name__)

_PROCESS = uuid.uuid4().hex[:12]
_numbers = itertools.count(1)
_lock = threading.Lock()
_held = {}  # slot -> (key, is_student, redis client): this process's open sockets and streams
_renewing = False

# Drop lapsed members, then add one unless the user is at the cap. Redis's own clock, so
# processes with skewed clocks agree. Returns 1 when the slot was taken.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1])) + 1)
return 1
"""
# Push the lapse time of this process's members (those still there) forward.
_RENEW = """
local t = redis.call('TIME')
local lapse = tonumber(t[1]) + tonumber(t[2]) / 1e6 + tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', lapse, ARGV[i + 1])
  redis.call('EXPIRE', key, math.ceil(tonumber(ARGV[1])) + 1)
end
return #KEYS
"""


def user_key(user_id):
    return cache.key(f"connections:user:{user_id}")


def staff_reserve(config):
    """The connections of this process that students' sockets and streams may not take."""
    budget = config["WEB_MAX_CONNECTIONS"]
    return min(config.get("WEB_STAFF_RESERVE") or max(budget // 10, 1), budget)


def _students_here():
    with _lock:
        return sum(1 for _key, is_student, _r in _held.values() if is_student)


def take(user):
    """A slot for one more socket or stream of `user`, or TooMany (`server_busy` when students
    fill this process's share, `too_many_connections` at the user's cap). Release it with release()."""
    config = current_app.config
    is_student = user.role in (Role.STUDENT, Role.STUDENT.value)
    if is_student and _students_here() >= config["WEB_MAX_CONNECTIONS"] - staff_reserve(config):
        raise TooMany("server_busy", "The server is full for now; try again shortly.", retry_after=5)
    slot, key, r = f"{_PROCESS}:{next(_numbers)}", user_key(user.id), get_redis()
    cap, ttl = config["CONNECTIONS_PER_USER"], config["CONNECTION_SLOT_TTL"]
    try:
        taken = r.eval(_TAKE, 1, key, ttl, cap, slot)
    except redis.RedisError as exc:
        log.warning("connection count unavailable (%s); admitting user %s uncounted", exc, user.id)
        taken = 1
    if not taken:
        raise TooMany(
            "too_many_connections",
            f"You have {cap} connections open (sockets and streams); close one first.",
            {"limit": [str(cap)]},
            retry_after=5,
        )
    with _lock:
        _held[slot] = (key, is_student, r)  # the client too: a stream is closed outside the app context
    _start_renewing(current_app._get_current_object())
    return slot


def release(slot):
    """Give a slot back (once; later calls do nothing). Needs no app context."""
    with _lock:
        entry = _held.pop(slot, None)
    if entry is None:
        return
    key, _is_student, r = entry
    try:
        r.zrem(key, slot)
    except redis.RedisError:
        pass  # it lapses after CONNECTION_SLOT_TTL


def held_here():
    with _lock:
        return len(_held)


def renew(app):
    """Push forward the lapse time of every slot this process holds (a pipeline of scripts)."""
    with _lock:
        items = list(_held.items())
    if not items:
        return
    with app.app_context():
        r = get_redis()
        ttl = app.config["CONNECTION_SLOT_TTL"]
        for start in range(0, len(items), 500):
            batch = items[start : start + 500]
            keys = [key for _slot, (key, _s, _r) in batch]
            r.eval(_RENEW, len(batch), *keys, ttl, *(slot for slot, _v in batch))


def _start_renewing(app):
    global _renewing
    with _lock:
        if _renewing:
            return
        _renewing = True
    from app.extensions import socketio

    if getattr(socketio, "server", None) is not None:
        socketio.start_background_task(_renew_forever, app)  # a green thread under eventlet/gevent
    else:
        threading.Thread(target=_renew_forever, args=(app,), daemon=True, name="connection-slots").start()


def _renew_forever(app):
    period = max(app.config["CONNECTION_SLOT_TTL"] / 3, 0.5)
    while True:
        time.sleep(period)
        try:
            renew(app)
        except Exception:
            log.exception("renewing connection slots failed; retrying")
