"""Prometheus metrics for operators, served at /metrics.

Counters and the latency histogram are per web process (scrape each process), and so are
the socket figures (sockets connected, connects, disconnects); the queue, staleness and
outbox gauges are read from the database at scrape time, and the events emitted by name
from a Redis hash that every process (workers included) adds to, so any process reports
the whole system's figures for those.
"""

import functools
import logging
import time
from datetime import timedelta

import redis
from flask import current_app
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select

from app.extensions import db, get_redis
from app.models import CrisisAlert, DashboardUpdateQueue, OutboxEvent, StudentDashboardCache, utcnow
from app.models.dashboard import PRIORITIES
from app.namespace import PACKET_FIELD
from app.services.shared.cache import events_emitted_key

# Our own registry: several apps in one process (tests) must not register twice.
REGISTRY = CollectorRegistry()

DASHBOARD_CACHE_HITS = Counter(
    "pulse_dashboard_cache_hits", "Dashboard reads answered from a cache", ["layer"], registry=REGISTRY
)
DASHBOARD_CACHE_MISSES = Counter(
    "pulse_dashboard_cache_misses", "Dashboard reads that had to compute (cold start)", registry=REGISTRY
)
REQUEST_LATENCY = Histogram(
    "pulse_dashboard_request_seconds",
    "Dashboard API request latency",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge("pulse_dashboard_queue_depth", "Pending dashboard refreshes", ["priority"], registry=REGISTRY)
WORKER_LAG = Gauge(
    "pulse_dashboard_refresh_lag_seconds", "Age of the oldest pending dashboard refresh (0: none)", registry=REGISTRY
)
READINESS_STALENESS = Gauge(
    "pulse_dashboard_readiness_staleness_seconds", "Age of the oldest stored dashboard aggregate", registry=REGISTRY
)
STALE_DASHBOARDS = Gauge(
    "pulse_dashboard_stale", "Stored aggregates older than DASHBOARD_STALE_AFTER", registry=REGISTRY
)

CRISIS_RESOLVED = Gauge(
    "pulse_crisis_alerts_resolved",
    "Resolved crisis alerts by outcome and source",
    ["outcome", "source"],
    registry=REGISTRY,
)
# The figure the text check is tuned by: alerts only our text check raised that proved false.
TEXT_ONLY_FALSE_ALARMS = Gauge(
    "pulse_crisis_text_only_false_alarms",
    "Alerts raised by the text check alone, resolved as false_alarm",
    registry=REGISTRY,
)


SOCKETS_CONNECTED = Gauge("pulse_sockets_connected", "Socket.IO sockets open on this process", registry=REGISTRY)
SOCKET_CONNECTS = Counter("pulse_socket_connects", "Socket.IO connections accepted by this process", registry=REGISTRY)
SOCKET_DISCONNECTS = Counter("pulse_socket_disconnects", "Socket.IO sockets closed on this process", registry=REGISTRY)
EVENTS_EMITTED = Gauge(
    "pulse_realtime_events_emitted", "Live events published, by event name, all processes", ["event"], registry=REGISTRY
)
OUTBOX_BACKLOG = Gauge("pulse_outbox_backlog", "Outbox events stored but not yet published", registry=REGISTRY)
OUTBOX_LAG = Gauge(
    "pulse_outbox_relay_lag_seconds", "Age of the oldest unpublished outbox event (0: none)", registry=REGISTRY
)


def socket_connected():
    SOCKETS_CONNECTED.inc()
    SOCKET_CONNECTS.inc()


def socket_disconnected():
    SOCKETS_CONNECTED.dec()
    SOCKET_DISCONNECTS.inc()


def timed(endpoint):
    """Observe a view's latency in REQUEST_LATENCY."""

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                REQUEST_LATENCY.labels(endpoint=endpoint).observe(time.perf_counter() - started)

        return wrapper

    return decorator


def _update_gauges(now):
    pending = DashboardUpdateQueue.processed_at.is_(None)
    depth = dict(
        db.session.execute(
            select(DashboardUpdateQueue.priority, func.count()).where(pending).group_by(DashboardUpdateQueue.priority)
        ).all()
    )
    for priority in PRIORITIES:
        QUEUE_DEPTH.labels(priority=priority).set(depth.get(priority, 0))
    oldest = db.session.scalar(select(func.min(DashboardUpdateQueue.queued_at)).where(pending))
    WORKER_LAG.set((now - oldest).total_seconds() if oldest else 0)
    least_fresh = db.session.scalar(select(func.min(StudentDashboardCache.updated_at)))
    READINESS_STALENESS.set((now - least_fresh).total_seconds() if least_fresh else 0)
    cutoff = now - timedelta(seconds=current_app.config["DASHBOARD_STALE_AFTER"])
    STALE_DASHBOARDS.set(
        db.session.scalar(
            select(func.count(StudentDashboardCache.student_id)).where(StudentDashboardCache.updated_at < cutoff)
        )
        or 0
    )
    resolved = db.session.execute(
        select(CrisisAlert.outcome, CrisisAlert.source, func.count())
        .where(CrisisAlert.resolved_at.is_not(None))
        .group_by(CrisisAlert.outcome, CrisisAlert.source)
    ).all()
    for outcome, source, count in resolved:
        CRISIS_RESOLVED.labels(outcome=outcome or "none", source=source).set(count)
    TEXT_ONLY_FALSE_ALARMS.set(sum(c for o, s, c in resolved if o == "false_alarm" and s == "text"))


def _update_realtime_gauges(now):
    unsent = OutboxEvent.sent_at.is_(None)
    backlog, oldest = db.session.execute(
        select(func.count(OutboxEvent.id), func.min(OutboxEvent.created_at)).where(unsent)
    ).one()
    OUTBOX_BACKLOG.set(backlog or 0)
    OUTBOX_LAG.set((now - oldest).total_seconds() if oldest else 0)
    try:
        counts = get_redis().hgetall(events_emitted_key())
    except redis.RedisError:
        counts = {}
    for event, count in counts.items():
        EVENTS_EMITTED.labels(event=event.decode()).set(int(count))


def render(now=None):
    """The exposition text, gauges refreshed from the database."""
    now = now or utcnow()
    _update_gauges(now)
    _update_realtime_gauges(now)
    return generate_latest(REGISTRY)


# Defence in depth (docs/namespaces.md): packets on our channel stamped with another
# deployment's namespace (or none), dropped instead of delivered. Anything above zero means
# two deployments share a channel: a SOCKETIO_CHANNEL set to the same value in both.
FOREIGN_NAMESPACE_PACKETS = Counter(
    "pulse_foreign_namespace_packets",
    "Published packets of another deployment namespace, dropped",
    ["listener"],
    registry=REGISTRY,
)
for _listener in ("socketio", "sse"):  # exported as 0 from the start, so an alert rule sees the series
    FOREIGN_NAMESPACE_PACKETS.labels(listener=_listener)

_warned = set()  # listeners that have logged their first foreign packet
log = logging.getLogger(__name__)


def count_foreign_packet(listener, packet):
    """Count a dropped packet of another namespace; log it the first time in this process."""
    FOREIGN_NAMESPACE_PACKETS.labels(listener=listener).inc()
    if listener not in _warned:
        _warned.add(listener)
        log.warning(
            "%s: dropped a packet of namespace %r on our channel; another deployment shares it "
            "(counted in pulse_foreign_namespace_packets_total)",
            listener,
            packet.get(PACKET_FIELD) if isinstance(packet, dict) else None,
        )
