"""Notification preferences (honoured, crisis not mutable), time zones, and digests once per period."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.jobs.email import send_digests
from app.models import EmailMessage, Notification
from app.services.notifications import inbox as notifications
from app.services.shared.transaction import commit
from tests.academy.helpers import enrol, make_course, text_of
from tests.helpers import auth_for, make_user

URL = "/api/v1/notifications/preferences"


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_preferences_read_write_and_locked_types(client):
    student = make_user()
    prefs = client.get(URL, headers=auth_for(student)).get_json()
    assert prefs["email_digest"] == "off"
    assert prefs["types"]["enrolment_confirmed"] == {"in_app": True, "email": True}
    assert prefs["types"]["crisis_alert"] == {"in_app": True, "email": True}

    body = {"types": {"enrolment_confirmed": {"in_app": False}}, "email_digest": "weekly"}
    res = client.put(URL, json=body, headers=auth_for(student))
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["types"]["enrolment_confirmed"] == {"in_app": False, "email": True}
    res = client.put(URL, json={"types": {"enrolment_confirmed": {"email": False}}}, headers=auth_for(student))
    assert res.get_json()["types"]["enrolment_confirmed"] == {"in_app": False, "email": False}  # merged
    assert res.get_json()["email_digest"] == "weekly"

    for locked in ("crisis_alert", "escalation", "security"):
        res = client.put(URL, json={"types": {locked: {"in_app": False}}}, headers=auth_for(student))
        assert res.status_code == 422, locked
        assert res.get_json()["error"]["code"] == "preference_locked"
        assert f"types.{locked}" in res.get_json()["error"]["details"]
    bad = [
        {"types": {"no_such_type": {"email": False}}},
        {"email_digest": "hourly"},
        {"types": {"task_assigned": {"email": "nope"}}},
        {"types": {"task_assigned": {"sms": True}}},
        {"types": ["task_assigned"]},
        {"surprise": 1},
    ]
    for body in bad:
        res = client.put(URL, json=body, headers=auth_for(student))
        assert res.status_code == 422, body
    assert client.get(URL).status_code == 401


def test_preferences_are_honoured_where_notifications_are_sent(client):
    educator, student = make_user("educator"), make_user()
    client.put(
        URL, json={"types": {"enrolment_confirmed": {"in_app": False, "email": False}}}, headers=auth_for(student)
    )
    course, _lessons, _module = make_course(client, educator)
    assert enrol(client, student, course["id"])["status"] == "active"
    assert _count(Notification, Notification.user_id == student.id) == 0
    assert _count(EmailMessage, EmailMessage.user_id == student.id) == 0

    # email only
    other = make_user()
    client.put(URL, json={"types": {"enrolment_confirmed": {"in_app": False}}}, headers=auth_for(other))
    enrol(client, other, course["id"])
    assert _count(Notification, Notification.user_id == other.id) == 0
    assert _count(EmailMessage, EmailMessage.user_id == other.id, EmailMessage.type == "enrolment_confirmed") == 1


def test_time_zone_on_the_account(client):
    student = make_user()
    assert client.get("/api/v1/auth/me", headers=auth_for(student)).get_json()["user"]["timezone"] == "UTC"
    res = client.patch("/api/v1/auth/me", json={"timezone": "Mars/Olympus"}, headers=auth_for(student))
    assert res.status_code == 422 and "timezone" in res.get_json()["error"]["details"]
    res = client.patch("/api/v1/auth/me", json={"timezone": "Asia/Tokyo"}, headers=auth_for(student))
    assert res.status_code == 200 and res.get_json()["user"]["timezone"] == "Asia/Tokyo"


def _notify(user, type, title):
    notifications.notify(user, type, title, "details")
    commit()


def test_digest_once_per_period_in_the_users_time_zone(client, smtp, run_worker):
    student = make_user(name="Dee Gest", email="dee@example.test")
    client.patch("/api/v1/auth/me", json={"timezone": "Asia/Tokyo"}, headers=auth_for(student))
    client.put(URL, json={"email_digest": "daily"}, headers=auth_for(student))
    quiet = make_user()  # chose no digest
    _notify(quiet, "task_assigned", "Not for a digest")
    _notify(student, "task_assigned", "Write the tests")
    _notify(student, "schedule_updated", "Session moved")
    _notify(student, "crisis_alert", "Urgent: never in a digest")

    # Tokyo is UTC+9: 07:30 there is before DIGEST_HOUR (8), so nothing yet
    nine = datetime.combine(datetime.now(UTC).date(), time(), UTC)  # 09:00 in Tokyo today
    assert send_digests(now=nine - timedelta(minutes=90))["sent"] == 0
    # 09:00 in Tokyo: one digest, and the same local day again sends none
    assert send_digests(now=nine) == {"users": 1, "sent": 1}
    assert send_digests(now=nine + timedelta(hours=5))["sent"] == 0
    assert send_digests(now=nine + timedelta(hours=14))["sent"] == 0  # 23:00 in Tokyo, the same day
    rows = db.session.scalars(select(EmailMessage).where(EmailMessage.user_id == student.id)).all()
    tokyo_day = (nine + timedelta(hours=9)).date().isoformat()
    assert [r.period_key for r in rows] == [f"digest:daily:{tokyo_day}"]

    run_worker()
    mail = smtp.inbox.wait_for(lambda m: "digest" in m["Subject"])
    body = text_of(mail)
    assert mail["To"] == "dee@example.test" and mail["Subject"] == "Your daily Pulse digest: 2 unread"
    assert "Write the tests" in body and "Session moved" in body and "Urgent" not in body
    assert "Asia/Tokyo" in body and mail["List-Unsubscribe"]

    # the next local day is a new period: 08:00 tomorrow in Tokyo
    assert send_digests(now=nine + timedelta(hours=23))["sent"] == 1
    assert send_digests(now=nine + timedelta(hours=23))["sent"] == 0
