"""Issue 9: an alert carries its trigger, follows the student's current mentor, is resolved
with an outcome, feeds the chatbot team's CSV, and odd text never loses it."""

import csv
import io
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditLog, ChatIntent, CrisisAlert, Notification, utcnow
from app.services.crisis import alerts
from tests.helpers import auth_for, crisis, make_user, post_intent

TEXT = "exams went badly and honestly I keep thinking about killing myself, nobody would notice"


def raise_text_alert(client, student, message=TEXT, label="study_help", confidence=0.4):
    body = post_intent(client, student.id, message=message, intent=label, confidence=confidence).get_json()
    assert body["crisis"] is True, body
    return body["alert"]["id"]


def test_alert_detail_carries_the_trigger(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor, name="Ana Pérez")
    alert_id = raise_text_alert(client, student)
    res = client.get(f"/api/v1/mentor/alerts/{alert_id}", headers=auth_for(mentor))
    assert res.status_code == 200, res.get_json()
    alert = res.get_json()["alert"]
    trigger = alert["trigger"]
    assert trigger["message"] == TEXT
    assert trigger["label"] == "study_help" and trigger["confidence"] == 0.4
    assert trigger["source"] == "text" and alert["source"] == "text"
    assert trigger["categories"] and trigger["matched"]
    assert [s["action"] for s in alert["steps"]] == ["created", "notified"]
    assert alert["created_at"].endswith("Z")


@pytest.mark.parametrize(
    ("label", "message", "source"),
    [("crisis", "I feel awful today", "label"), ("crisis", TEXT, "both"), ("study_help", TEXT, "text")],
)
def test_source_says_what_flagged_it(client, label, message, source):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    body = post_intent(client, student.id, message=message, intent=label, confidence=0.9).get_json()
    alert = client.get(f"/api/v1/mentor/alerts/{body['alert']['id']}", headers=auth_for(mentor)).get_json()["alert"]
    assert alert["trigger"]["source"] == source
    assert (alert["trigger"]["categories"] == []) == (source == "label")


def test_crisis_notification_says_who_and_what(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor, name="Ana Pérez")
    alert_id = raise_text_alert(client, student)
    note = db.session.query(Notification).filter_by(user_id=mentor.id).one()
    data = note.data
    assert data["alert_id"] == alert_id and data["student_id"] == student.id
    assert data["student_name"] == "Ana Pérez" and data["severity"]
    assert data["categories"] and "killing myself" in data["excerpt"]
    assert len(data["excerpt"]) <= alerts.EXCERPT_LENGTH + 2


def test_excerpt_of_a_long_message_is_short_and_centred_on_the_match():
    message = "lorem ipsum " * 200 + "i want to end my life" + " dolor sit" * 200
    piece = alerts.excerpt(message, ["end my life"])
    assert "end my life" in piece and len(piece) <= alerts.EXCERPT_LENGTH + 2
    assert piece.startswith("…") and piece.endswith("…")


def test_only_the_current_mentor_and_admins_see_the_trigger(client):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    alert_id = raise_text_alert(client, student)
    url = f"/api/v1/mentor/alerts/{alert_id}"
    assert client.get(url, headers=auth_for(make_user("mentor"))).status_code == 404
    assert client.get(url, headers=auth_for(student)).status_code == 403
    assert client.get(url, headers=auth_for(make_user("educator"))).status_code == 403
    assert client.get(url).status_code == 401
    admin = client.get(url, headers=auth_for(make_user("admin")))
    assert admin.status_code == 200 and admin.get_json()["alert"]["trigger"]["message"] == TEXT
    assert client.get("/api/v1/mentor/alerts/999999", headers=auth_for(mentor)).status_code == 404


@pytest.mark.parametrize("outcome", ["supported", "referred", "false_alarm"])
def test_resolve_with_each_outcome(client, outcome):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    alert_id = raise_text_alert(client, student)
    res = client.post(
        f"/api/v1/mentor/alerts/{alert_id}/resolve",
        json={"note": "Called and talked it through.", "outcome": outcome},
        headers=auth_for(mentor),
    )
    assert res.status_code == 200, res.get_json()
    alert = res.get_json()["alert"]
    assert alert["status"] == "resolved" and alert["outcome"] == outcome and alert["resolved_at"]
    assert db.session.get(CrisisAlert, alert_id).outcome == outcome


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": "done", "outcome": "fine"}, "outcome"),
        ({"outcome": "supported"}, "note"),
        ({"note": "", "outcome": "supported"}, "note"),
        ({"note": "done", "outcome": "supported", "extra": 1}, "extra"),
    ],
)
def test_resolve_bad_input(client, body, field):
    mentor = make_user("mentor")
    alert_id = raise_text_alert(client, make_user(mentor=mentor))
    res = client.post(f"/api/v1/mentor/alerts/{alert_id}/resolve", json=body, headers=auth_for(mentor))
    assert res.status_code == 422
    assert field in res.get_json()["error"]["details"]
    assert db.session.get(CrisisAlert, alert_id).status == "open"


def test_text_only_false_alarms_are_counted(client, app):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    for label, outcome in [("study_help", "false_alarm"), ("crisis", "false_alarm"), ("study_help", "supported")]:
        body = post_intent(client, student.id, message=TEXT, intent=label, confidence=0.9).get_json()
        client.post(
            f"/api/v1/mentor/alerts/{body['alert']['id']}/resolve",
            json={"note": "checked", "outcome": outcome},
            headers=auth_for(mentor),
        )
    res = client.get("/metrics")
    text = res.get_data(as_text=True)
    assert "pulse_crisis_text_only_false_alarms 1.0" in text
    assert 'pulse_crisis_alerts_resolved{outcome="false_alarm",source="both"} 1.0' in text


def resolved_alert(client, mentor, message):
    student = make_user(mentor=mentor, name="=cmd|' /C calc'!A0")
    alert_id = raise_text_alert(client, student, message=message)
    client.post(
        f"/api/v1/mentor/alerts/{alert_id}/resolve",
        json={"note": "ok", "outcome": "false_alarm"},
        headers=auth_for(mentor),
    )
    return alert_id


def test_feedback_csv_without_text(client):
    mentor, admin = make_user("mentor"), make_user("admin")
    alert_id = resolved_alert(client, mentor, TEXT)
    raise_text_alert(client, make_user(mentor=mentor))  # open: not in the export
    res = client.get("/api/v1/admin/crisis/feedback?format=csv", headers=auth_for(admin))
    assert res.status_code == 200 and res.mimetype == "text/csv"
    body = res.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [int(r["alert_id"]) for r in rows] == [alert_id]
    row = rows[0]
    assert row["label"] == "study_help" and row["source"] == "text" and row["outcome"] == "false_alarm"
    assert row["text_only_false_alarm"] == "true" and row["categories"] and row["resolved_at"]
    assert "message" not in row and "killing" not in body
    assert db.session.query(AuditLog).filter_by(entity_type="crisis_feedback").count() == 0


def test_feedback_csv_with_text_is_audited_and_escapes_formulas(client):
    mentor, admin = make_user("mentor"), make_user("admin")
    resolved_alert(client, mentor, '=HYPERLINK("http://x") i want to kill myself')
    res = client.get("/api/v1/admin/crisis/feedback?format=csv&include_text=true", headers=auth_for(admin))
    assert res.status_code == 200
    rows = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    assert rows[0]["message"].startswith("'=HYPERLINK")
    log = db.session.query(AuditLog).filter_by(entity_type="crisis_feedback").one()
    assert log.changed_by == admin.id and log.action == "exported_with_text"


def test_feedback_csv_is_for_admins_only(client):
    url = "/api/v1/admin/crisis/feedback?format=csv"
    for role in ("mentor", "student", "educator"):
        assert client.get(url, headers=auth_for(make_user(role))).status_code == 403
    assert client.get(url).status_code == 401
    admin = make_user("admin")
    assert client.get(url + "&include_text=maybe", headers=auth_for(admin)).status_code == 422
    assert client.get("/api/v1/admin/crisis/feedback?format=xml", headers=auth_for(admin)).status_code == 422


def reassign(client, student, mentor):
    res = client.put(
        f"/api/v1/admin/students/{student.id}/mentor",
        json={"mentor_id": mentor.id},
        headers=auth_for(make_user("admin")),
    )
    assert res.status_code == 200, res.get_json()


def test_reassignment_moves_open_alerts_to_the_new_mentor(client):
    a, b = make_user("mentor"), make_user("mentor")
    student = make_user(mentor=a, name="Moved Student")
    other = make_user(mentor=a, name="Moved Student")
    # One open alert per student (issue 25): a resolved one, then a new open one; the
    # acknowledged one is another student's.
    resolved_id = crisis(client, student)["alert"]["id"]
    client.post(f"/api/v1/mentor/alerts/{resolved_id}/resolve", json={"note": "ok"}, headers=auth_for(a))
    open_id = crisis(client, student)["alert"]["id"]
    acked_id = crisis(client, other)["alert"]["id"]
    assert len({resolved_id, open_id, acked_id}) == 3
    client.post(f"/api/v1/mentor/alerts/{acked_id}/acknowledge", headers=auth_for(a))
    reassign(client, student, b)
    reassign(client, other, b)

    for alert_id in (open_id, acked_id):
        assert client.get(f"/api/v1/mentor/alerts/{alert_id}", headers=auth_for(a)).status_code == 404
        assert client.get(f"/api/v1/mentor/alerts/{alert_id}", headers=auth_for(b)).status_code == 200
        steps = [s.action for s in db.session.get(CrisisAlert, alert_id).steps]
        assert "reassigned" in steps
    assert client.get("/api/v1/mentor/alerts", headers=auth_for(a)).get_json()["items"] == []
    b_items = client.get("/api/v1/mentor/alerts", headers=auth_for(b)).get_json()["items"]
    assert sorted(i["id"] for i in b_items) == sorted([open_id, acked_id])
    assert client.post(f"/api/v1/mentor/alerts/{open_id}/acknowledge", headers=auth_for(a)).status_code == 404
    # B hears of both at once; A's old notifications are no longer pinned.
    told_b = db.session.query(Notification).filter_by(user_id=b.id, type="crisis_alert").all()
    assert sorted(n.alert_id for n in told_b) == sorted([open_id, acked_id])
    assert all(n.data["student_name"] == "Moved Student" for n in told_b)
    a_items = client.get("/api/v1/notifications", headers=auth_for(a)).get_json()["items"]
    assert not any(i.get("pinned") for i in a_items)
    # B's insights count the open alerts, and acknowledging works for B.
    res = client.post(f"/api/v1/mentor/alerts/{open_id}/acknowledge", headers=auth_for(b))
    assert res.status_code == 200 and res.get_json()["alert"]["acknowledged_by"] == b.id


def test_escalation_continues_with_the_new_mentor(client, app):
    a, b = make_user("mentor"), make_user("mentor")
    student = make_user(mentor=a)
    alert_id = crisis(client, student)["alert"]["id"]
    reassign(client, student, b)
    before_a = db.session.query(Notification).filter_by(user_id=a.id).count()
    later = utcnow() + timedelta(seconds=app.config["CRISIS_ACK_TIMEOUT"] + 5)
    assert alerts.check(alert_id, later) == "escalated"
    assert db.session.query(Notification).filter_by(user_id=a.id).count() == before_a
    escalated = db.session.query(Notification).filter_by(user_id=b.id).order_by(Notification.id.desc()).first()
    assert escalated.title.startswith("Escalated") and escalated.alert_id == alert_id


def test_alert_raised_without_a_mentor_moves_to_the_first_mentor(client):
    student = make_user()
    admin = make_user("admin")
    alert_id = crisis(client, student)["alert"]["id"]
    assert db.session.get(CrisisAlert, alert_id).mentor_id is None
    assert db.session.query(Notification).filter_by(user_id=admin.id, alert_id=alert_id).count() == 1
    mentor = make_user("mentor")
    reassign(client, student, mentor)
    assert db.session.get(CrisisAlert, alert_id).mentor_id == mentor.id
    assert client.get(f"/api/v1/mentor/alerts/{alert_id}", headers=auth_for(mentor)).status_code == 200


@pytest.mark.parametrize(
    "message",
    [
        "I want to kill myself \ud83d",
        "I want to kill\x00 myself",
        "I want to kill myself\x07\x1b[31m",
        "\u202bI want to kill myself\u202c \u200f",
        "\U0001f62d" * 3988 + " kill myself",
    ],
    ids=["lone-surrogate", "nul", "control", "rtl-marks", "4000-emoji"],
)
def test_odd_text_is_stored_and_alerts(client, message):
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    res = post_intent(client, student.id, message=message, intent="crisis", confidence=0.9)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["crisis"] is True and body["alert"]["status"] == "open"
    stored = db.session.get(ChatIntent, body["id"]).message
    assert "\x00" not in stored and "kill" in stored
    assert client.get(f"/api/v1/mentor/alerts/{body['alert']['id']}", headers=auth_for(mentor)).status_code == 200


def test_odd_text_without_a_crisis_label_is_stored(client):
    student = make_user(mentor=make_user("mentor"))
    res = post_intent(
        client, student.id, message="i w\x00ant to k\ud83di\u200bll mys\x7felf", intent="chat", confidence=0.2
    )
    assert res.status_code == 201


def test_four_thousand_emoji_are_stored(client):
    student = make_user(mentor=make_user("mentor"))
    res = post_intent(client, student.id, message="\U0001f62d" * 4000, intent="chat", confidence=0.5)
    assert res.status_code == 201 and res.get_json()["crisis"] is False
    assert db.session.get(ChatIntent, res.get_json()["id"]).message == "\U0001f62d" * 4000
