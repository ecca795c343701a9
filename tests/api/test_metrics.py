"""GET /metrics: Prometheus text with the dashboard figures; a token guards it when set."""

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from app.models import utcnow
from app.services.dashboard import queue
from app.services.dashboard.refresh import refresh_student
from app.services.shared.transaction import commit
from tests.helpers import auth_for, make_user


def samples(text):
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_metrics_report_cache_queue_lag_and_staleness(client, app):
    before = samples(client.get("/metrics").get_data(as_text=True))
    hits0 = before.get(("pulse_dashboard_cache_hits_total", (("layer", "redis"),)), 0)
    misses0 = before.get(("pulse_dashboard_cache_misses_total", ()), 0)

    student, other = make_user(), make_user()
    client.get("/api/v1/student/dashboard", headers=auth_for(student))  # cold: a miss
    client.get("/api/v1/student/dashboard", headers=auth_for(student))  # a Redis hit
    refresh_student(other.id, "old", now=utcnow() - timedelta(seconds=app.config["DASHBOARD_STALE_AFTER"] + 100))
    queue.queue_refresh([student.id], "x", "urgent")
    queue.queue_refresh([other.id], "y", "low")
    commit()

    res = client.get("/metrics")
    assert res.status_code == 200 and res.mimetype == "text/plain"
    now = samples(res.get_data(as_text=True))
    assert now[("pulse_dashboard_cache_hits_total", (("layer", "redis"),))] == hits0 + 1
    assert now[("pulse_dashboard_cache_misses_total", ())] == misses0 + 1
    assert now[("pulse_dashboard_queue_depth", (("priority", "urgent"),))] == 1
    assert now[("pulse_dashboard_queue_depth", (("priority", "low"),))] == 1
    assert now[("pulse_dashboard_queue_depth", (("priority", "high"),))] == 0
    assert now[("pulse_dashboard_refresh_lag_seconds", ())] >= 0
    assert now[("pulse_dashboard_readiness_staleness_seconds", ())] >= app.config["DASHBOARD_STALE_AFTER"] + 100
    assert now[("pulse_dashboard_stale", ())] == 1
    assert now[("pulse_dashboard_request_seconds_count", (("endpoint", "dashboard"),))] >= 2


def test_metrics_token(make_app):
    guarded = make_app(METRICS_TOKEN="s3cret-scrape")
    with guarded.app_context():
        c = guarded.test_client()
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"}).status_code == 200
    closed = make_app(METRICS_OPEN_WITHOUT_TOKEN=False)  # production without a token
    with closed.app_context():
        res = closed.test_client().get("/metrics")
        assert res.status_code == 403 and res.get_json()["error"]["code"] == "metrics_disabled"


def test_outbox_backlog_and_relay_lag_are_reported(client):
    from datetime import timedelta

    from app.extensions import db
    from app.models import OutboxEvent, utcnow

    db.session.add(
        OutboxEvent(event="notification", room="user:1", payload={}, created_at=utcnow() - timedelta(seconds=90))
    )
    db.session.add(OutboxEvent(event="notification", room="user:1", payload={}, sent_at=utcnow()))
    db.session.commit()
    text = client.get("/metrics").get_data(as_text=True)
    assert "pulse_outbox_backlog 1.0" in text
    lag = next(line for line in text.splitlines() if line.startswith("pulse_outbox_relay_lag_seconds "))
    assert float(lag.split()[1]) >= 90
    assert "pulse_sockets_connected" in text and "pulse_socket_connects_total" in text
