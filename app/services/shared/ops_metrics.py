"""/metrics for operators: the queues and jobs, HTTP requests, Socket.IO events, crisis delivery.

The queue figures (length, scheduled, deferred, failed jobs present) are read from RQ's
registries in Redis at scrape time. Job outcomes happen in worker processes, so each job's
end adds to two Redis hashes (one pipeline, one round trip): failures per job name (a
counter: alert on its rate) and a histogram of durations per job name, both read back at
scrape time: any web process reports the whole system's jobs. HTTP request durations are
per web process (scrape each). Socket.IO events emitted come from the hash emit() adds to.
"""

import redis
from flask import current_app
from prometheus_client import Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from rq import Queue
from rq.registry import DeferredJobRegistry, FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import func, select

from app.extensions import db, get_redis
from app.models import CrisisAlert, utcnow
from app.models.alerts import OPEN
from app.namespace import namespaced
from app.services.shared.cache import events_emitted_key
from app.services.shared.metrics import REGISTRY
from app.services.shared.queues import QUEUE_NAMES, queue_name

JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

HTTP_LATENCY = Histogram(
    "pulse_http_request_duration_seconds",
    "HTTP request duration by route and status (this web process)",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)


def observe_request(method, route, status, seconds):
    HTTP_LATENCY.labels(method=method, route=route, status=str(status)).observe(seconds)


def _jobs_failed_key():
    return namespaced("metrics:jobs_failed")


def _job_durations_key():
    return namespaced("metrics:job_durations")


def record_job(name, seconds, failed):
    """A job ended (in any process): its duration into the shared histogram, and a failure
    counted. Never fails the job: a Redis error only loses this one figure."""
    durations = _job_durations_key()
    try:
        pipe = get_redis().pipeline(transaction=False)
        for bound in JOB_BUCKETS:
            if seconds <= bound:
                pipe.hincrby(durations, f"{name}|{bound}", 1)
        pipe.hincrby(durations, f"{name}|count", 1)
        pipe.hincrbyfloat(durations, f"{name}|sum", seconds)
        if failed:
            pipe.hincrby(_jobs_failed_key(), name, 1)
        pipe.execute()
    except redis.RedisError:
        pass


class OperatorCollector:
    """Read at scrape time (render() runs in an app context)."""

    def describe(self):
        return []  # names vary with the queues and jobs; nothing to check at registration

    def collect(self):
        try:
            current_app._get_current_object()
        except RuntimeError:  # registry read outside a request (e.g. at registration)
            return
        try:
            yield from self._queues(get_redis())
            yield from self._jobs(get_redis())
            yield from self._events(get_redis())
        except redis.RedisError:
            pass
        yield from self._crisis()

    def _queues(self, r):
        length = GaugeMetricFamily("pulse_queue_length", "Jobs waiting in each RQ queue", labels=["queue"])
        scheduled = GaugeMetricFamily(
            "pulse_queue_scheduled", "Jobs scheduled for later (retries, delays)", labels=["queue"]
        )
        deferred = GaugeMetricFamily("pulse_queue_deferred", "Jobs waiting for another job", labels=["queue"])
        failed = GaugeMetricFamily(
            "pulse_queue_failed", "Failed jobs kept in each queue's failed registry", labels=["queue"]
        )
        for name in QUEUE_NAMES:
            queue = Queue(queue_name(name), connection=r)
            length.add_metric([name], queue.count)
            scheduled.add_metric([name], ScheduledJobRegistry(queue=queue).count)
            deferred.add_metric([name], DeferredJobRegistry(queue=queue).count)
            failed.add_metric([name], FailedJobRegistry(queue=queue).count)
        return [length, scheduled, deferred, failed]

    def _jobs(self, r):
        failed = CounterMetricFamily("pulse_jobs_failed", "Jobs that raised, by job name (all workers)", labels=["job"])
        for job, count in sorted(r.hgetall(_jobs_failed_key()).items()):
            failed.add_metric([job.decode()], int(count))
        durations = HistogramMetricFamily(
            "pulse_job_duration_seconds", "Job duration by job name (all workers)", labels=["job"]
        )
        fields = {k.decode(): float(v) for k, v in r.hgetall(_job_durations_key()).items()}
        for job in sorted({f.rsplit("|", 1)[0] for f in fields}):
            buckets = [(str(b), fields.get(f"{job}|{b}", 0)) for b in JOB_BUCKETS]
            buckets.append(("+Inf", fields.get(f"{job}|count", 0)))
            durations.add_metric([job], buckets, sum_value=fields.get(f"{job}|sum", 0))
        return [failed, durations]

    def _events(self, r):
        emitted = CounterMetricFamily(
            "pulse_socketio_events_emitted",
            "Socket.IO events published, by event name (all processes)",
            labels=["event"],
        )
        for event, count in sorted(r.hgetall(events_emitted_key()).items()):
            emitted.add_metric([event.decode()], int(count))
        return [emitted]

    def _crisis(self):
        oldest = db.session.scalar(
            select(func.min(CrisisAlert.created_at)).where(
                CrisisAlert.status == OPEN, CrisisAlert.acknowledged_at.is_(None)
            )
        )
        unacknowledged = GaugeMetricFamily(
            "pulse_crisis_oldest_unacknowledged_seconds",
            "Age of the oldest crisis alert no mentor has acknowledged (0: none)",
        )
        unacknowledged.add_metric([], (utcnow() - oldest).total_seconds() if oldest else 0)
        return [unacknowledged]


REGISTRY.register(OperatorCollector())
