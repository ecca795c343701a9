"""Coalesced live events: at most one per interval per subject, the last one always sent.

The first change of a burst is told at once and claims the interval (a throttle key);
the rest of the burst collapses into one trailing job, scheduled for when the interval
ends, which sends the figures as they are then and starts a fresh interval. Used by the
mentor's metrics:updated and the educator's grade/attendance/exam events.
"""

from datetime import timedelta

import redis

from app.extensions import get_redis
from app.services.shared import cache
from app.services.shared.queues import enqueue_in


def notify(throttle_key, trailing_key, interval, send_now, job_name, *args):
    """send_now() if nothing went out in the last `interval` seconds, else schedule `job_name(*args)`
    once for the end of the interval. Returns True when sent now."""
    if cache.claim(throttle_key, interval):
        send_now()
        return True
    if cache.claim(trailing_key, interval * 5):
        enqueue_in(timedelta(seconds=remaining(throttle_key, interval)), job_name, *args)
    return False


def remaining(key, interval):
    """Seconds left on the throttle key (the whole interval when unknown)."""
    try:
        ms = get_redis().pttl(key)
    except redis.RedisError:
        ms = -1
    return max(ms, 0) / 1000 if ms > 0 else interval


def start_trailing(throttle_key, trailing_key, interval):
    """The trailing job runs: later changes may schedule another, and a fresh interval starts."""
    cache.delete(trailing_key)
    try:
        get_redis().set(throttle_key, 1, ex=interval)
    except redis.RedisError:
        pass
