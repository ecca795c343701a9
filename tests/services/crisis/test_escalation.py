"""The escalation ladder, with time driven by `now` (no sleeping for minutes)."""

from datetime import timedelta

from app.extensions import db
from app.models import CrisisAlert, Notification
from app.services.crisis import alerts
from app.services.shared.queues import enqueue, queue_name
from tests.helpers import auth_for, crisis, make_user


def notified(alert_id):
    return sorted(n.user_id for n in db.session.query(Notification).filter_by(alert_id=alert_id))


def setup_alert(client):
    mentor, admin = make_user("mentor"), make_user("admin")
    student = make_user(mentor=mentor)
    alert = db.session.get(CrisisAlert, crisis(client, student)["alert"]["id"])
    return mentor, admin, alert


def test_unacknowledged_alert_escalates_after_timeout_and_repeats(client, app):
    mentor, admin, alert = setup_alert(client)
    timeout = timedelta(seconds=app.config["CRISIS_ACK_TIMEOUT"])
    created = alert.created_at
    assert notified(alert.id) == [mentor.id]

    assert alerts.check(alert.id, now=created + timeout - timedelta(seconds=5)) is None
    assert notified(alert.id) == [mentor.id]

    first = created + timeout + timedelta(seconds=1)
    assert alerts.check(alert.id, now=first) == "escalated"
    assert notified(alert.id) == sorted([mentor.id, mentor.id, admin.id])
    assert alerts.check(alert.id, now=first) is None  # safe to run twice
    db.session.expire_all()
    alert = db.session.get(CrisisAlert, alert.id)
    assert alert.escalation_level == 1 and alert.next_check_at == first + timeout

    assert alerts.check(alert.id, now=first + timeout) == "escalated"
    db.session.expire_all()
    assert db.session.get(CrisisAlert, alert.id).escalation_level == 2
    assert [s.action for s in db.session.get(CrisisAlert, alert.id).steps] == [
        "created",
        "notified",
        "escalated",
        "escalated",
    ]


def test_acknowledge_stops_escalation_and_resolve_stops_reminders(client, app):
    mentor, admin, alert = setup_alert(client)
    res = client.post(f"/api/v1/mentor/alerts/{alert.id}/acknowledge", headers=auth_for(mentor))
    assert res.status_code == 200
    body = res.get_json()["alert"]
    assert body["status"] == "acknowledged" and body["acknowledged_at"] and body["acknowledged_by"] == mentor.id
    db.session.expire_all()
    before = len(notified(alert.id))
    resolve_due = db.session.get(CrisisAlert, alert.id).next_check_at
    # far past the acknowledgement timeout, nothing escalates any more
    assert (
        alerts.check(alert.id, now=alert.created_at + timedelta(seconds=app.config["CRISIS_ACK_TIMEOUT"] + 1)) is None
    )
    assert alerts.check(alert.id, now=resolve_due - timedelta(seconds=1)) is None
    assert alerts.check(alert.id, now=resolve_due) == "reminded"
    assert len(notified(alert.id)) == before + 1  # the mentor only: no admin escalation

    res = client.post(
        f"/api/v1/mentor/alerts/{alert.id}/resolve",
        json={"note": "Called the student; safe."},
        headers=auth_for(mentor),
    )
    body = res.get_json()["alert"]
    assert res.status_code == 200 and body["status"] == "resolved" and body["resolved_at"]
    assert body["resolution_note"] == "Called the student; safe."
    assert [s["action"] for s in body["steps"]][-2:] == ["reminded", "resolved"]
    assert alerts.check(alert.id, now=resolve_due + timedelta(days=30)) is None
    assert alerts.due_alert_ids(now=resolve_due + timedelta(days=30)) == []


def test_the_sweep_job_escalates_through_a_real_worker(client, app, run_worker):
    mentor, admin, alert = setup_alert(client)
    later = alert.created_at + timedelta(seconds=app.config["CRISIS_ACK_TIMEOUT"] + 1)
    enqueue("app.jobs.alerts.escalate_due_alerts", now=later.isoformat())
    enqueue("app.jobs.alerts.escalate_due_alerts", now=later.isoformat())  # twice: still one escalation
    run_worker()
    db.session.expire_all()
    alert = db.session.get(CrisisAlert, alert.id)
    assert alert.escalation_level == 1
    assert admin.id in notified(alert.id)


def test_alert_actions_are_for_the_students_mentor_or_an_admin(client):
    mentor, admin, alert = setup_alert(client)
    other = make_user("mentor")
    student = make_user()
    for user in (other, student):
        for action in ("acknowledge", "resolve"):
            res = client.post(f"/api/v1/mentor/alerts/{alert.id}/{action}", json={"note": "x"}, headers=auth_for(user))
            assert res.status_code in (403, 404), (user.role, action)
    assert client.get("/api/v1/mentor/alerts", headers=auth_for(other)).get_json()["items"] == []
    res = client.post(f"/api/v1/mentor/alerts/{alert.id}/acknowledge", headers=auth_for(admin))
    assert res.status_code == 200
    assert client.post("/api/v1/mentor/alerts/999/acknowledge", headers=auth_for(mentor)).status_code == 404


def test_resolve_needs_a_note_and_cannot_repeat(client):
    mentor, _admin, alert = setup_alert(client)
    url = f"/api/v1/mentor/alerts/{alert.id}/resolve"
    assert client.post(url, json={}, headers=auth_for(mentor)).status_code == 422
    assert client.post(url, json={"note": ""}, headers=auth_for(mentor)).status_code == 422
    assert client.post(url, json={"note": "ok"}, headers=auth_for(mentor)).status_code == 200
    assert client.post(url, json={"note": "again"}, headers=auth_for(mentor)).status_code == 409
    ack = client.post(f"/api/v1/mentor/alerts/{alert.id}/acknowledge", headers=auth_for(mentor))
    assert ack.status_code == 409


def test_alert_list_filters_by_status(client):
    mentor = make_user("mentor")
    student, other = make_user(mentor=mentor), make_user(mentor=mentor)
    first = crisis(client, student)["alert"]["id"]
    # another student: one student's second message would join their open alert (issue 25)
    second = crisis(client, other, "I want to end my life")["alert"]["id"]
    client.post(f"/api/v1/mentor/alerts/{first}/acknowledge", headers=auth_for(mentor))

    def get(q):
        return [a["id"] for a in client.get(f"/api/v1/mentor/alerts{q}", headers=auth_for(mentor)).get_json()["items"]]

    assert get("?status=open") == [second]
    assert get("?status=acknowledged") == [first]
    assert get("?status=resolved") == []
    assert get("") == [second, first]
    assert client.get("/api/v1/mentor/alerts?status=bogus", headers=auth_for(mentor)).status_code == 422


def test_raising_an_alert_schedules_its_check(client, redis_conn):
    from rq.registry import ScheduledJobRegistry

    _mentor, _admin, alert = setup_alert(client)
    registry = ScheduledJobRegistry(queue_name("high"), connection=redis_conn)
    jobs = [registry.get_queue().fetch_job(job_id) for job_id in registry.get_job_ids()]
    assert [(j.func_name, j.args) for j in jobs] == [("app.jobs.alerts.check_alert", (alert.id,))]
