"""Every job by name, with its queue, retry and timeout, and the one way to enqueue work.

Services enqueue by dotted name (`enqueue("app.jobs.alerts.check_alert", alert_id)`), so
they never import a job module: only `app/jobs/*` imports services, never the reverse.
RQ imports the function by that name in the worker. This module imports nothing of ours
but the Redis handle; `tests/jobs/test_queues.py` imports every name in the table.
"""

from dataclasses import dataclass

from rq import Queue, Retry

from app.extensions import get_redis

HIGH, DEFAULT, LOW = "high", "default", "low"
QUEUE_NAMES = [HIGH, DEFAULT, LOW]  # a worker drains them in this order

# Jobs that must not be lost retry with back-off.
MUST_NOT_BE_LOST = Retry(max=5, interval=[5, 15, 60, 300, 900])


@dataclass(frozen=True)
class JobSpec:
    queue: str
    retry: Retry | None = None
    timeout: int = 180  # seconds before RQ kills the work horse


JOBS = {
    "app.jobs.alerts.check_alert": JobSpec(HIGH, MUST_NOT_BE_LOST, 60),
    "app.jobs.alerts.escalate_due_alerts": JobSpec(HIGH, None, 120),
    "app.jobs.maintenance.relay_outbox": JobSpec(HIGH, None, 120),
    "app.jobs.maintenance.prune": JobSpec(LOW, None, 600),
    "app.jobs.mentor_metrics.send_metrics_update": JobSpec(HIGH, None, 60),
    "app.jobs.insights.precalculate_student_insights": JobSpec(DEFAULT, None, 120),
    # Enqueued on the queue of the refresh priority it drains (see dashboard/queue.py).
    "app.jobs.dashboard.drain_dashboard_queue": JobSpec(DEFAULT, None, 900),
    "app.jobs.dashboard.refresh_student_dashboard": JobSpec(DEFAULT, None, 120),
    "app.jobs.dashboard.refresh_dashboards": JobSpec(LOW, None, 1800),
    # Educator performance: the live figures go first; a PDF may take a while.
    "app.jobs.performance.recompute_section": JobSpec(HIGH, None, 120),
    "app.jobs.performance.send_trailing_event": JobSpec(HIGH, None, 60),
    "app.jobs.performance.refresh_summaries": JobSpec(DEFAULT, None, 300),
    "app.jobs.performance.render_export": JobSpec(DEFAULT, Retry(max=2, interval=[10, 60]), 300),
}


def get_queue(name=DEFAULT):
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=get_redis())


def _spec(name):
    try:
        return JOBS[name]
    except KeyError:
        raise ValueError(f"unknown job {name!r}: declare it in app/jobs/queues.py") from None


def _options(name, queue, job_id):
    spec = _spec(name)
    return get_queue(queue or spec.queue), {"retry": spec.retry, "job_timeout": spec.timeout, "job_id": job_id}


def enqueue(name, *args, queue=None, job_id=None, **kwargs):
    """Put job `name(*args, **kwargs)` on its queue (or `queue`). Call only after the commit."""
    target, options = _options(name, queue, job_id)
    return target.enqueue(name, args=args, kwargs=kwargs, **options)


def enqueue_in(delay, name, *args, queue=None, job_id=None, **kwargs):
    """Run job `name` after `delay` (a timedelta); the worker's scheduler releases it."""
    target, options = _options(name, queue, job_id)
    return target.enqueue_in(delay, name, args=args, kwargs=kwargs, **options)
