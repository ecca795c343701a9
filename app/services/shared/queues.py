"""Every job by name, with its queue, retry and timeout, and the one way to enqueue work.

Services enqueue by dotted name (`enqueue("app.jobs.alerts.check_alert", alert_id)`), so
they never import a job module: only `app/jobs/*` imports services, never the reverse.
RQ imports the function by that name in the worker. This module imports nothing of ours
but the Redis handle and the namespace; `tests/jobs/test_queues.py` imports every name in
the table.

Queues are named here by priority (`high`, `default`, `low`); in Redis each carries the
deployment namespace (`<namespace>:high`), and so do RQ's registries and scheduler locks,
which RQ names after the queue. A worker listens on its own deployment's queues only, so
two deployments on one Redis database never run (or delay) each other's jobs.
"""

from dataclasses import dataclass

from rq import Queue, Retry

from app import namespace
from app.extensions import get_redis
from app.namespace import namespaced

HIGH, DEFAULT, LOW = "high", "default", "low"
QUEUE_NAMES = [HIGH, DEFAULT, LOW]  # a worker drains them in this order

# Jobs that must not be lost retry with back-off.
MUST_NOT_BE_LOST = Retry(max=5, interval=[5, 15, 60, 300, 900])
# Email: exponential back-off (x4), about 1h40 in all, so a mail server's short outage is ridden out.
EMAIL_RETRY = Retry(max=5, interval=[15, 60, 240, 960, 3840])


@dataclass(frozen=True)
class JobSpec:
    queue: str
    retry: Retry | None = None
    timeout: int = 180  # seconds before RQ kills the work horse
    # Run in the worker's own process instead of a forked work horse: no fork, no new
    # database connection, so ~30-40 ms sooner. Only for short jobs on the live path
    # (the job's timeout still applies, by SIGALRM; a crash is retried like any other).
    in_process: bool = False


JOBS = {
    "app.jobs.alerts.check_alert": JobSpec(HIGH, MUST_NOT_BE_LOST, 60),
    "app.jobs.alerts.escalate_due_alerts": JobSpec(HIGH, None, 120),
    "app.jobs.concerns.escalate_concern": JobSpec(DEFAULT, None, 60),
    "app.jobs.concerns.escalate_unreviewed_concerns": JobSpec(DEFAULT, None, 300),
    "app.jobs.maintenance.relay_outbox": JobSpec(HIGH, None, 120),
    "app.jobs.maintenance.prune": JobSpec(LOW, None, 600),
    "app.jobs.mentor_metrics.send_metrics_update": JobSpec(HIGH, None, 60),
    "app.jobs.insights.precalculate_student_insights": JobSpec(DEFAULT, None, 120),
    # Enqueued on the queue of the refresh priority it drains (see dashboard/queue.py).
    "app.jobs.dashboard.drain_dashboard_queue": JobSpec(DEFAULT, None, 900),
    "app.jobs.dashboard.refresh_student_dashboard": JobSpec(DEFAULT, None, 120),
    "app.jobs.dashboard.refresh_dashboards": JobSpec(LOW, None, 1800),
    "app.jobs.academy.issue_certificate": JobSpec(DEFAULT, MUST_NOT_BE_LOST, 120),
    "app.jobs.academy.send_course_summary": JobSpec(HIGH, None, 60),
    "app.jobs.email.send_email": JobSpec(DEFAULT, EMAIL_RETRY, 60),
    "app.jobs.email.send_digests": JobSpec(LOW, None, 1800),
    "app.jobs.email.requeue_stale_emails": JobSpec(LOW, None, 300),
    # Educator performance: the live figures go first; a PDF may take a while.
    "app.jobs.performance.recompute_section": JobSpec(HIGH, None, 120, in_process=True),
    "app.jobs.performance.send_trailing_event": JobSpec(HIGH, None, 60, in_process=True),
    "app.jobs.performance.refresh_summaries": JobSpec(DEFAULT, None, 300, in_process=True),
    "app.jobs.performance.render_export": JobSpec(DEFAULT, Retry(max=2, interval=[10, 60]), 300),
    "app.jobs.performance.prune_exports": JobSpec(LOW, None, 600),
}


def queue_name(name=DEFAULT):
    """The RQ name of queue `name` (high, default, low) in this deployment: `<namespace>:<name>`."""
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return namespaced(name)


def worker_queue_names():
    """What this deployment's worker drains, in order."""
    return [queue_name(name) for name in QUEUE_NAMES]


def get_queue(name=DEFAULT):
    return Queue(queue_name(name), connection=get_redis())


def runs_in_process(name):
    """Whether the worker runs job `name` without forking (JobSpec.in_process)."""
    spec = JOBS.get(name)
    return spec is not None and spec.in_process


def _spec(name):
    try:
        return JOBS[name]
    except KeyError:
        raise ValueError(f"unknown job {name!r}: declare it in app/services/shared/queues.py") from None


def _options(name, queue, job_id):
    spec = _spec(name)
    if job_id is not None:  # RQ keeps one job per id per Redis database (ids allow no ':')
        job_id = f"{namespace.current()}-{job_id}"
    return get_queue(queue or spec.queue), {"retry": spec.retry, "job_timeout": spec.timeout, "job_id": job_id}


def enqueue(name, *args, queue=None, job_id=None, **kwargs):
    """Put job `name(*args, **kwargs)` on its queue (or `queue`). Call only after the commit."""
    target, options = _options(name, queue, job_id)
    return target.enqueue(name, args=args, kwargs=kwargs, **options)


def enqueue_in(delay, name, *args, queue=None, job_id=None, **kwargs):
    """Run job `name` after `delay` (a timedelta); the worker's scheduler releases it."""
    target, options = _options(name, queue, job_id)
    return target.enqueue_in(delay, name, args=args, kwargs=kwargs, **options)
