"""/metrics shows operators the queues (length, scheduled, deferred, failed), jobs failed and
their duration by name, HTTP request duration by route and status, Socket.IO events by name
and crisis delivery; its Content-Type carries one charset."""

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families


def scrape(client):
    res = client.get("/metrics")
    assert res.status_code == 200
    return res, {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(res.get_data(as_text=True))
        for s in family.samples
    }


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def test_the_content_type_has_one_charset(client):
    res, _ = scrape(client)
    assert res.headers["Content-Type"].count("charset") == 1, res.headers["Content-Type"]
    assert res.headers["Content-Type"].startswith("text/plain; version=")


def test_queue_length_scheduled_and_deferred_per_queue(app, client):
    from app.services.shared import queues

    with app.app_context():
        waiting = queues.enqueue("app.jobs.maintenance.prune")  # low; no worker runs in this test
        queues.enqueue_in(timedelta(minutes=5), "app.jobs.maintenance.relay_outbox")  # high, later
        queues.get_queue("default").enqueue("app.jobs.maintenance.prune", depends_on=waiting)
    _, samples = scrape(client)
    assert value(samples, "pulse_queue_length", queue="low") == 1
    assert value(samples, "pulse_queue_scheduled", queue="high") == 1
    assert value(samples, "pulse_queue_deferred", queue="default") == 1
    assert value(samples, "pulse_queue_length", queue="high") == 0
    assert value(samples, "pulse_queue_failed", queue="high") == 0


def test_jobs_failed_and_their_duration_by_job_name(app, client):
    from app.jobs.base import job

    @job
    def fails():
        raise RuntimeError("boom")

    @job
    def works():
        return 1

    with app.app_context():
        for _ in range(2):
            with pytest.raises(RuntimeError):
                fails()
        works()
    _, samples = scrape(client)
    failing = f"{fails.__module__}.fails"
    assert value(samples, "pulse_jobs_failed_total", job=failing) == 2
    assert value(samples, "pulse_job_duration_seconds_count", job=failing) == 2
    assert value(samples, "pulse_job_duration_seconds_count", job=f"{works.__module__}.works") == 1
    assert value(samples, "pulse_job_duration_seconds_bucket", job=failing, le="+Inf") == 2


def test_http_request_duration_by_route_and_status(client):
    _, before = scrape(client)
    labels = {"method": "GET", "route": "/api/v1/auth/me", "status": "401"}
    start = value(before, "pulse_http_request_duration_seconds_count", **labels) or 0
    for _ in range(3):
        assert client.get("/api/v1/auth/me").status_code == 401
    _, after = scrape(client)
    assert value(after, "pulse_http_request_duration_seconds_count", **labels) == start + 3


def test_socketio_events_emitted_by_name_and_crisis_delivery(app, client):
    from app.services.realtime import events
    from app.services.realtime.emit import emit

    with app.app_context():
        emit(events.NOTIFICATION, {"hello": 1}, "user:1")
        emit(events.NOTIFICATION, {"hello": 2}, "user:1")
        emit(events.METRICS_UPDATED, {}, "mentor:1")
    _, samples = scrape(client)
    assert value(samples, "pulse_socketio_events_emitted_total", event="notification") == 2
    assert value(samples, "pulse_socketio_events_emitted_total", event="metrics:updated") == 1
    assert value(samples, "pulse_crisis_oldest_unacknowledged_seconds") == 0
