"""Queues named by priority, and the one way to enqueue work."""

from rq import Queue, Retry

from app.extensions import get_redis

HIGH, DEFAULT, LOW = "high", "default", "low"
QUEUE_NAMES = [HIGH, DEFAULT, LOW]  # a worker drains them in this order

# Jobs that must not be lost retry with back-off.
MUST_NOT_BE_LOST = Retry(max=5, interval=[5, 15, 60, 300, 900])


def get_queue(name=DEFAULT):
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=get_redis())


def enqueue(func, *args, queue=DEFAULT, retry=None, job_id=None, **kwargs):
    """Put `func(*args, **kwargs)` on a queue. Call only after the database commit."""
    return get_queue(queue).enqueue(func, args=args, kwargs=kwargs, retry=retry, job_id=job_id)


def enqueue_in(delay, func, *args, queue=DEFAULT, retry=None, job_id=None, **kwargs):
    """Run `func` after `delay` (a timedelta); the worker's scheduler releases it."""
    return get_queue(queue).enqueue_in(delay, func, args=args, kwargs=kwargs, retry=retry, job_id=job_id)
